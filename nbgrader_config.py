"""nbgrader configuration of the cnn-step-by-step course (this folder is the course directory)."""

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "cnn_step_by_step"
c.CourseDirectory.root = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."

# One assignment, one notebook.
c.CourseDirectory.db_assignments = [dict(name="cnn_step_by_step")]

# --- Execution at autograde time -------------------------------------------------------------
# Execute.timeout is per cell. A naive four-loop solution runs the whole notebook in about 2.5 s
# (1.1 s of it kernel start-up) on one core of our 2-core machines; its slowest cell (the hidden
# tests of conv_forward or conv_backward) takes 0.2 s. 30 s is a margin of 150x for slow, loaded
# machines and far slower loops, while an infinite loop costs the class at most 30 s per offending
# cell. An interrupted cell scores zero for its exercise only; the rest of the notebook still runs.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
# Kernel start-up on a loaded machine can be slow when many notebooks are graded in parallel.
c.Execute.startup_timeout = 120
# Grade every test cell even when an earlier one failed.
c.Execute.allow_errors = True

# --- Feedback -------------------------------------------------------------------------------
# Students receive one self-contained HTML file: figures are embedded, hidden test code is removed
# (only the messages of the checks reach the student).
c.HTMLExporter.embed_images = True
# nbgrader's feedback shows test cells as they ran, hidden tests included; strip them first.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
