"""cnn-step-by-step: the course's own code. The repository root is the nbgrader course directory.

The lessons' grading, one place per exercise:
- ``exercises``     one module per exercise (``exercises/<assignment>/<function>.py``): its points, parts,
                    cases, reference solution and hints; the package lists the assignments
- ``grading``       grading outside the student's kernel (see its docstring): ``checks`` (shipped to
                    students as cnn_checks.py), ``exercise``, ``probe``, ``autograde`` (the nbgrader step),
                    ``setup`` (what nbgrader_config.py switches on)

Around nbgrader:
- ``layout``        where things are in the course directory
- ``release``       the student releases: visible checks written first, leaks refused
- ``sandbox``, ``sandbox_kernel``  every kernel nbgrader starts runs in bubblewrap (limits set once, in sandbox)
- ``nbgrader_fixes`` nbgrader bugs met on real classes, fixed through nbgrader's config
- ``feedback_page`` feedback pages: formulas as MathML (no network), the grade or bonus, exercise names
- ``nbgrader_cli``  running nbgrader's own commands with the environment they need
- ``gradebook``     nbgrader's gradebook: its URL (one resolver), the scores (one reader), the exports

Grading a class (``python -m course grade``):
- ``cli``           the command lines of ``grade`` and ``report``
- ``batch``         one assignment's class: collect, plan (resume), run the jobs
- ``jobs``          one student's job: autograde and feedback on nbgrader's API, failure reasons
- ``workers``       where jobs run: forked local worker processes, or a Dask cluster
- ``ledger``        the record of finished jobs that makes reruns resume
- ``report``        the class report, read from the gradebook

The rest:
- ``submissions``   submissions made from a release (the demo, the tests)
- ``demo``          the demo class, graded the way ``python -m course grade`` grades
- ``figures``, ``figures_application``  the two lessons' figures
- ``lab``           the student's JupyterLab (``make lab``)
- ``datasets``      the second assignment's data file (HDF5, from scikit-learn's digits)

Run ``python -m course --help`` for the commands.
"""
