"""The README's instructor loop, run literally on the command line in a copy of the course, with a
student on the same machine: release, fetch, submit, collect, autograde, feedback, export, report.
Every command succeeds and prints no warning; run again on the graded class it grades nothing new
until ``--force``, which says what it replaces. The exchange is the course's own folder (no root)."""

import csv
import re

import pytest
from helpers import FORWARD, course_copy, solutions

from course.nbgrader_cli import run_nbgrader
from course.submissions import write_submission

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

WARNING = re.compile(r"\bWARN(ING)?\b|\[W ", re.I)
STUDENT_CONFIG = 'c = get_config()\nc.Exchange.root = "{exchange}"\nc.CourseDirectory.course_id = "cnn_step_by_step"\n'


def run(folder, *args, says=None):
    """An nbgrader command in ``folder``; returns its output, which must hold no warning but ``says``:
    ``(app, what)``, the one that says what it does to a folder (``--force`` replacing one, say)."""
    result = run_nbgrader(folder, *args)
    output = result.stdout + result.stderr
    warnings = [line for line in output.splitlines() if WARNING.search(line)]
    expected = [f"[{says[0]} | WARNING] {says[1]}"] if says else []
    assert warnings == expected, f"nbgrader {' '.join(args)} warned: {warnings}"
    return output


def test_the_readme_loop_works_as_written_and_quietly(fresh_course, tmp_path):
    course = course_copy(fresh_course, tmp_path / "course")
    student = tmp_path / "alice"
    student.mkdir()
    (student / "nbgrader_config.py").write_text(STUDENT_CONFIG.format(exchange=course / "exchange"))

    # what `make release` runs, checks included; the committed release is there already, and replaced
    released = ("GenerateAssignmentApp", f"Removing existing assignment: {course / 'release' / FORWARD}")
    run(course, "generate_assignment", FORWARD, "--force", says=released)
    exchange = ("ReleaseAssignmentApp", f"Creating exchange directory: {course / 'exchange'}")  # the first release
    run(course, "release_assignment", FORWARD, says=exchange)
    assert (course / "exchange" / "cnn_step_by_step" / "outbound" / FORWARD).is_dir()  # no root needed

    run(student, "fetch_assignment", FORWARD)
    fetched = student / FORWARD
    write_submission(fetched, solutions(course, FORWARD), fetched)  # the student fills in the notebook
    run(student, "submit", FORWARD, "--student=alice")  # the OS account's name, but for this test

    run(course, "collect", FORWARD, "--ExchangeCollect.check_owner=False")  # "alice"'s files are this account's
    graded = run(course, "autograde", FORWARD)
    assert "Autograding" in graded
    run(course, "generate_feedback", FORWARD)
    run(course, "release_feedback", FORWARD)
    run(student, "fetch_feedback", FORWARD, "--student=alice")
    assert list((fetched / "feedback").rglob(f"{FORWARD}.html"))
    run(course, "export")
    with open(course / "grades.csv") as handle:
        rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(handle)}
    assert float(rows[FORWARD, "alice"]["score"]) == float(rows[FORWARD, "alice"]["max_score"]) == 100

    again = run(course, "autograde", FORWARD)  # an already graded class: nothing is graded again
    assert "Skipping existing assignment" in again and "Autograding" not in again
    replaced = ("AutogradeApp", f"Removing existing assignment: {course / 'autograded' / 'alice' / FORWARD}")
    forced = run(course, "autograde", FORWARD, "--force", says=replaced)
    assert "Autograding" in forced  # regrades, and says what it replaces
