"""The course's side of the browser tests: what students get to work on (the committed release of an
assignment, with some solution cells filled: the instructor's solutions, or variants from
tests/corpus), and the instructor's nbgrader commands."""

import shutil
import subprocess
from pathlib import Path

from helpers import APPLICATION, BONUS, FORWARD, solutions  # noqa: F401 (APPLICATION, BONUS: for the tests)

from course.nbgrader_cli import nbgrader_env
from course.submissions import write_submission

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "corpus"

# The buggy notebook: the solutions with two traps of the lesson, and the hint each card must show.
BUGS = {
    "conv_forward": "conv_forward__stride_ignored",
    "pool_forward": "pool_forward__running_max_from_zero",
}
HINTS = {
    "conv_forward": "Hint: the window of output (h, w) starts at row h * stride and column w * stride of the PADDED",
    "pool_forward": "Hint: take np.max of one channel's window; a running maximum must start at the window's first",
}


def notebook(assignment):
    """The notebook's file name: ``<assignment>.ipynb``."""
    return f"{assignment}.ipynb"


def solved_code(assignment):
    """``{solution cell: code}``: the instructor's solutions (from source/)."""
    return solutions(REPO, assignment)


def corpus(kind, name):
    """The code of a corpus variant, e.g. ``corpus("bugs", "conv_forward__stride_ignored")``."""
    return (CORPUS / kind / f"{name}.py").read_text()


def buggy_code():
    """The forward assignment's solutions with the variants of :data:`BUGS` in their cells."""
    return {**solved_code(FORWARD), **{function: corpus("bugs", name) for function, name in BUGS.items()}}


def student(folder, assignment, code=None):
    """``folder`` made a copy of the committed release of ``assignment`` (notebook, cnn_checks.py and
    .json, images/) with ``code`` (``{solution cell: code}``) filled in; return the notebook's path."""
    return write_submission(folder, code or {}, REPO / "release" / assignment)


def instructor(course_dir, *args):
    """``nbgrader ARGS`` run by the instructor in the course directory (so with its nbgrader_config.py),
    the virtual environment's bin/ first on PATH."""
    env = nbgrader_env()
    command = [shutil.which("nbgrader", path=env["PATH"]), *args]
    result = subprocess.run(command, cwd=course_dir, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result
