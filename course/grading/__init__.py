"""Grading outside the student's kernel.

- ``checks``    comparisons, messages and scorecards, shared by the notebook (shipped to students
                as ``cnn_checks.py``) and the grader; also the code a kernel runs to hand results back
- ``exercise``  how an exercise's grading is written down (reference, cases, parts)
- ``probe``     what the grader sends a kernel for one exercise, and how it reads what comes back
- ``autograde`` the nbgrader step that executes a submission and scores its test cells itself
- ``setup``     what ``nbgrader_config.py`` switches on: that step, the sandbox, nbgrader fixes, feedback
"""
