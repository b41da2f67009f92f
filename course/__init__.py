"""cnn-step-by-step: the course's own tools.

Modules, one job each:
- ``layout``       where things are in the course directory, and the exercises with their points
- ``nbgrader_cli`` running nbgrader commands with the right environment
- ``release``      building the student release from the instructor notebook
- ``submissions``  making submissions from the release (filled with solutions or other code)
- ``gradebook``    reading per-exercise scores back from nbgrader's gradebook
- ``demo``         the demo class: lay out, autograde, feedback, export, print a table
- ``grade``        grading a whole class: ``python -m course grade`` (parallel, resumable)
- ``jobs``         one submission's job (autograde + feedback on nbgrader's API), failure reasons
- ``cluster``      where jobs run: local Dask worker processes or an existing Dask cluster
- ``ledger``       the record of finished jobs that makes reruns resume
- ``report``       the class report: per-exercise stats, histogram, ungraded submissions
- ``nbgrader_fixes`` nbgrader bugs met on real classes, fixed through nbgrader's config
- ``figures``      drawing the lesson's figures
Run ``python -m course --help`` for the command line.
"""
