"""The demo class, graded by real nbgrader commands in a temp course folder."""

import csv

import pytest

from course.layout import ASSIGNMENT, EXERCISES, part_points

pytestmark = pytest.mark.slow

FULL = {e.function: float(e.points) for e in EXERCISES}


def test_correct_submissions_get_full_marks(graded_demo):
    _, scores = graded_demo
    assert scores["correct"] == FULL
    assert scores["vectorised"] == FULL


def test_untouched_release_gets_zero(graded_demo):
    _, scores = graded_demo
    assert scores["untouched"] == {e.function: 0.0 for e in EXERCISES}


def test_forward_only_gets_the_forward_grade_and_no_bonus(graded_demo):
    _, scores = graded_demo
    assert sum(scores["forward_only"][e.function] for e in EXERCISES if e.part == "forward") == part_points("forward")
    assert all(scores["forward_only"][e.function] == 0 for e in EXERCISES if e.part == "backward")


def test_each_demo_bug_costs_points_in_its_own_exercise_only(graded_demo):
    _, scores = graded_demo
    lost = {f for f, s in scores["buggy"].items() if s < FULL[f]}
    assert lost == {"conv_forward", "pool_forward", "distribute_value", "pool_backward"}


def test_exports_grades_csv_files(graded_demo):
    course_dir, _ = graded_demo
    with open(course_dir / "grades.csv") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert float(rows["correct"]["score"]) == 150 and float(rows["untouched"]["score"]) == 0
    with open(course_dir / "grades_by_exercise.csv") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert rows["forward_only"]["forward"] == "100" and rows["forward_only"]["backward"] == "0"


def test_feedback_shows_figures_and_messages_but_no_hidden_test_code(graded_demo):
    course_dir, _ = graded_demo
    page = (course_dir / "feedback" / "buggy" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert page.count("data:image/png;base64") >= 5 and "data:image/gif;base64" in page
    assert "HIDDEN TESTS" not in page and "_hidden_conv_forward" not in page
    assert "hidden: values with overlapping windows" in page  # the message of a failed hidden part
    assert "running maximum must start" in page  # the hint of the max-pooling bug


def test_students_validate_button_passes_a_correct_notebook_and_flags_a_buggy_one(graded_demo):
    from course.nbgrader_cli import run_nbgrader

    course_dir, _ = graded_demo
    folder = course_dir / "submitted"
    good = run_nbgrader(folder / "correct" / ASSIGNMENT, "validate", f"{ASSIGNMENT}.ipynb", check=False)
    bad = run_nbgrader(folder / "buggy" / ASSIGNMENT, "validate", f"{ASSIGNMENT}.ipynb", check=False)
    assert "Success! Your notebook passes all the tests." in good.stdout + good.stderr
    assert "VALIDATION FAILED ON" in bad.stdout + bad.stderr
