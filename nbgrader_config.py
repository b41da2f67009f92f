"""nbgrader configuration of the cnn-step-by-step course (this folder is the course directory).

Every nbgrader command run here, and formgrader, reads this file. The course's own steps (grading
outside the student's kernel, the sandbox, nbgrader fixes, the release's visible checks and leak
check, feedback pages, a local exchange) are switched on by course.grading.setup.configure: its
docstring lists them. To grade without the sandbox (trusted notebooks only), set the environment
variable CNN_SANDBOX=off or pass sandboxed=False below; every graded notebook then says so.
"""

import os
import sys

c = get_config()  # noqa: F821 (provided by nbgrader)

ROOT = os.path.dirname(os.path.abspath(__file__))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)  # the course package lives in this folder

from course.grading.setup import configure  # noqa: E402

c.CourseDirectory.course_id = "cnn_step_by_step"
# The course's assignments, in the order students meet them (course/exercises/__init__.py lists them; `make release`
# records them in the gradebook): cnn_step_by_step (graded, 100 points), cnn_step_by_step_bonus (optional, 50 bonus
# points), cnn_application (graded, 100 points). Each is source/<name>/<name>.ipynb plus the files beside it.
configure(c, ROOT)

# --- Execution at autograde time -------------------------------------------------------------
# Execute.timeout is per cell, and per exercise for the calls the grader makes. A naive four-loop
# solution runs the whole notebook in about 2.5 s (1.1 s of it kernel start-up) on one core of our
# 2-core machines; its slowest exercise takes 0.2 s. 30 s is a margin of 150x for slow, loaded
# machines and far slower loops, while an infinite loop costs the class at most 30 s per offending
# cell. An interrupted call scores zero for its exercise only; the rest of the notebook still runs.
# cnn_application's notebook, solved, runs in about 8 s graded; its graded training run takes about
# a second with correct layers lent, and its exercise alone gets 120 s (Exercise.timeout). A student
# whose layers still loop sees their own training cell interrupted, and loses the speed parts only.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
# Kernel start-up on a loaded machine can be slow when many notebooks are graded in parallel.
c.Execute.startup_timeout = 120
# After a cell's reply, nbclient waits this long for the kernel's last messages (its "idle" status).
# Its default, 4 s, is short for a loaded grading machine; nbgrader then treats the cell as failed.
c.Execute.iopub_timeout = 60

# --- Feedback -------------------------------------------------------------------------------
# Students receive one self-contained HTML file: figures are embedded, formulas are MathML.
c.HTMLExporter.embed_images = True
