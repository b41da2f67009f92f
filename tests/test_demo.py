"""The demo class, graded the way `make demo` grades it (course.demo.run: the grading tool, sandboxed,
outside the kernel, with feedback), in a temp course folder; its exports, feedback and report."""

import csv
import os
import re
import shutil

import pytest
from helpers import APPLICATION, ASSIGNMENTS, BONUS, FORWARD, FULL, ZERO

from course import demo, release
from course.layout import ROOT
from course.nbgrader_cli import run_nbgrader

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]


@pytest.fixture(scope="module")
def graded_demo(tmp_path_factory):
    course_dir = release.copy_course(tmp_path_factory.mktemp("demo"))
    scores = demo.run(course_dir)
    return course_dir, {name: {s: g.exercises for s, g in by_student.items()} for name, by_student in scores.items()}


def test_correct_submissions_get_full_marks_and_the_untouched_release_nothing(graded_demo):
    _, scores = graded_demo
    for name in ASSIGNMENTS:
        assert scores[name]["correct"] == scores[name]["vectorised"] == FULL[name], name
        assert scores[name]["untouched"] == ZERO[name], name


def test_no_bonus_gets_the_grades_and_has_no_bonus_submission(graded_demo):
    _, scores = graded_demo
    assert scores[FORWARD]["no_bonus"] == FULL[FORWARD] and scores[APPLICATION]["no_bonus"] == FULL[APPLICATION]
    assert "no_bonus" not in scores[BONUS]


def test_each_demo_bug_costs_points_in_its_own_exercise_only(graded_demo):
    _, scores = graded_demo
    lost = {f for name in ASSIGNMENTS for f, s in scores[name]["buggy"].items() if s < FULL[name][f]}
    assert lost == {name.split("__")[0] for name in demo.BUGS}
    # the loop version loses the speed part only (its values are right)
    assert scores[APPLICATION]["buggy"]["conv_forward_fast"] == FULL[APPLICATION]["conv_forward_fast"] - 4


def test_grades_csv_has_the_grade_out_of_100_and_the_bonus_out_of_50(graded_demo):
    course_dir, _ = graded_demo
    with open(course_dir / "grades.csv") as handle:
        rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(handle)}
    assert (float(rows[FORWARD, "correct"]["score"]), float(rows[FORWARD, "correct"]["max_score"])) == (100, 100)
    assert (float(rows[BONUS, "correct"]["score"]), float(rows[BONUS, "correct"]["max_score"])) == (50, 50)
    assert float(rows[FORWARD, "untouched"]["score"]) == 0 and float(rows[BONUS, "no_bonus"]["score"]) == 0
    application = rows[APPLICATION, "correct"]
    assert (float(application["score"]), float(application["max_score"])) == (100, 100)
    with open(course_dir / "grades_by_exercise.csv") as handle:
        rows = {(r["student_id"], r["exercise"]): r for r in csv.DictReader(handle)}
    assert rows["buggy", "conv_forward"]["score"] != "40" and rows["buggy", "zero_pad"]["score"] == "10"


def test_feedback_names_exercises_renders_math_offline_and_holds_no_grading_code(graded_demo):
    course_dir, _ = graded_demo
    page = (course_dir / "feedback" / "buggy" / FORWARD / f"{FORWARD}.html").read_text()
    assert page.count("data:image/png;base64") >= 5 and "data:image/gif;base64" in page
    assert "<math" in page and "mathjax" not in page.lower() and not re.search(r'(src|href)="https?:', page)
    assert "Grade: 64 / 100" in page and "<code>conv_forward</code></a> (Score: 16 / 40)" in page
    assert "running maximum must start" in page  # the hint of the max-pooling bug
    assert "def conv_forward(A_prev, W, b, hparameters):\n    f, stride, pad" not in page  # no reference
    bonus = (course_dir / "feedback" / "buggy" / BONUS / f"{BONUS}.html").read_text()
    assert "Bonus: 33 / 50" in bonus and "never lowers your grade" in bonus
    application = (course_dir / "feedback" / "buggy" / APPLICATION / f"{APPLICATION}.html").read_text()
    assert "no Python loop over examples, positions or filters" in application  # the speed part's hint
    assert "a loop over the examples (one NumPy call per example):" in application  # measured side by side
    assert not (course_dir / "feedback" / "correct" / APPLICATION / "params_check.h5").exists()


def test_the_report_reads_the_gradebook(graded_demo):
    course_dir, _ = graded_demo
    summary = (course_dir / "reports" / FORWARD / "summary.txt").read_text()
    assert summary.startswith(f"{FORWARD} (graded, 100 points): 5 graded, 0 could not be graded")
    assert (course_dir / "reports" / "histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = (course_dir / "reports" / APPLICATION / "summary.txt").read_text()
    assert summary.startswith(f"{APPLICATION} (graded, 100 points): 5 graded, 0 could not be graded")
    if os.environ.get("CNN_README_IMAGES"):  # make readme-images: the README shows the demo class's report
        shutil.copyfile(course_dir / "reports" / "histogram.png", ROOT / "images" / "histogram.png")


def test_students_validate_passes_a_correct_notebook_and_flags_a_buggy_one(graded_demo):
    course_dir, _ = graded_demo
    folder = course_dir / "submitted"
    good = run_nbgrader(folder / "correct" / FORWARD, "validate", f"{FORWARD}.ipynb", check=False)
    bad = run_nbgrader(folder / "buggy" / FORWARD, "validate", f"{FORWARD}.ipynb", check=False)
    untouched_bonus = run_nbgrader(folder / "untouched" / BONUS, "validate", f"{BONUS}.ipynb", check=False)
    assert "Success! Your notebook passes all the tests." in good.stdout + good.stderr
    assert "VALIDATION FAILED ON 2 CELL(S)" in bad.stdout + bad.stderr
    assert "running maximum must start" in bad.stdout  # the scorecard's message, not test code
    assert "Success!" in untouched_bonus.stdout  # unattempted optional exercises are not failures
    application = run_nbgrader(folder / "correct" / APPLICATION, "validate", f"{APPLICATION}.ipynb", check=False)
    assert "Success! Your notebook passes all the tests." in application.stdout + application.stderr
