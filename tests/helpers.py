"""Helpers shared by the tests: course copies, submissions, grading through each path, scores.

Every course directory a test grades is a copy made under pytest's temp folder (its config, the
course package and source/), so tests never touch the repository's own gradebook or folders.
"""

import contextlib
import shutil
from pathlib import Path

import nbformat

from course import exercises, gradebook
from course.grading import checks
from course.grading.autograde import measured
from course.layout import release_dir, source_dir
from course.nbgrader_cli import run_nbgrader
from course.submissions import solution_code, write_submission

ASSIGNMENTS = [a.name for a in exercises.assignments()]
FORWARD, BONUS, APPLICATION = ASSIGNMENTS
FULL = {a.name: {e.function: float(e.points) for e in a.exercises} for a in exercises.assignments()}
ZERO = {name: dict.fromkeys(full, 0.0) for name, full in FULL.items()}
GRADING_OUTPUT = ("submitted", "autograded", "feedback", "reports", "downloaded", "exchange", "grades*.csv")


def course_copy(course_dir, destination):
    """A copy of a prepared course (releases built, gradebook recording the assignments), without
    anything graded."""
    shutil.copytree(course_dir, destination, ignore=shutil.ignore_patterns(*GRADING_OUTPUT, "__pycache__"))
    return Path(destination)


def solutions(course_dir, assignment):
    """``{solution cell id: code}`` of the instructor's solutions."""
    return solution_code(source_dir(assignment, course_dir) / f"{assignment}.ipynb")


def submit(course_dir, student, assignment, code):
    """Write ``submitted/<student>/<assignment>/`` from the release with ``code`` filled in; return
    the notebook's path."""
    return write_submission(
        Path(course_dir) / "submitted" / student / assignment, code, release_dir(assignment, course_dir)
    )


def edit_notebook(path, change):
    nb = nbformat.read(str(path), as_version=4)
    change(nb)
    nbformat.write(nb, str(path))


def cell_index(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def autograde(course_dir, assignment, *args, env=None, check=True):
    """``nbgrader autograde ASSIGNMENT --force`` run as an instructor would, in the course directory."""
    return run_nbgrader(course_dir, "autograde", assignment, "--force", *args, env=env, check=check, timeout=1800)


def exercise_scores(course_dir, assignment):
    """``{student: {function: score}}`` read back from the course's gradebook."""
    url = gradebook.resolve_url(course_dir)
    return {student: s.exercises for student, s in gradebook.scores(url, assignment).items()}


def judge_in_process(function, namespace, folder):
    """The results of the exercise's parts (speed parts left out: the grader times those from outside
    the kernel) for the ``function`` that ``namespace`` defines, called in ``folder`` as the grader
    calls it in the kernel, judged as the grader judges. Returns ``(results, outcomes)``."""
    _, exercise = exercises.find(function)
    spec = exercises.spec(function)
    spec["parts"] = [p for p in spec["parts"] if not any(c.startswith("speed") for c in p["cases"])]
    calls = {key.split("|")[0]: case for key, case in spec["cases"].items() if not key.startswith("speed")}
    with contextlib.chdir(folder):
        outcomes = {cid: checks.call_student(function, case, namespace) for cid, case in sorted(calls.items())}
    judged, expected = measured(exercise, outcomes)
    return checks.judge(spec, judged, expected), outcomes
