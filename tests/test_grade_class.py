"""``python -m course grade``: a whole class graded in parallel by real nbgrader runs, broken
submissions included; feedback, export, report, reruns."""

import csv
import shutil
import zipfile

import nbformat
import pytest

from course import grade
from course.layout import ASSIGNMENT, EXERCISES, NOTEBOOK
from course.ledger import latest, ledger_path
from course.report import graded_scores
from course.submissions import solution_code, write_submission

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

FULL = {e.function: float(e.points) for e in EXERCISES}
TIMEOUT = "--Execute.timeout=15"  # per cell; the slowest cell of a solution takes about 1 s


def course_copy(fresh_course, destination):
    """A copy of the session's course (release built, gradebook with the assignment)."""
    shutil.copytree(
        fresh_course,
        destination,
        ignore=shutil.ignore_patterns("submitted", "autograded", "feedback", "reports", "downloaded", "grades*.csv"),
    )
    return destination


def _edit(path, change):
    nb = nbformat.read(str(path), as_version=4)
    change(nb)
    nbformat.write(nb, str(path))


def _cell(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def write_class(course_dir):
    """A class with good and broken submissions; returns ``{student: kind}``."""
    solutions = solution_code(course_dir / "source" / ASSIGNMENT / NOTEBOOK)
    release_dir = course_dir / "release" / ASSIGNMENT

    def submit(student, code):
        return write_submission(course_dir / "submitted" / student / ASSIGNMENT, code, release_dir)

    for student in ("correct_1", "correct_2", "correct_3"):
        submit(student, solutions)
    submit("untouched", {})
    submit("buggy", {**solutions, "pool_forward": solutions["pool_forward"].replace("np.max", "np.min")})
    submit("invalid_json", solutions).write_text('{"cells": [ this is not json')
    renamed = submit("renamed", solutions)
    renamed.rename(renamed.with_name("my_copy.ipynb"))
    _edit(submit("deleted_cell", solutions), lambda nb: nb.cells.pop(_cell(nb, "test_zero_pad")))
    _edit(
        submit("duplicated_cell", solutions),
        lambda nb: nb.cells.insert(
            _cell(nb, "test_zero_pad"), nbformat.from_dict(nb.cells[_cell(nb, "test_zero_pad")])
        ),
    )

    def retype(nb):
        index = _cell(nb, "test_conv_single_step")
        nb.cells[index] = nbformat.v4.new_markdown_cell(nb.cells[index].source, metadata=nb.cells[index].metadata)

    _edit(submit("retyped_cell", solutions), retype)
    submit("kernel_death", {**solutions, "zero_pad": solutions["zero_pad"] + "\nimport os\nos._exit(1)"})
    submit("timeout", {**solutions, "conv_single_step": "while True:\n    pass"})

    # one LMS download: a zip of files named STUDENT_NOTEBOOK.ipynb, collected by nbgrader zip_collect
    archive = course_dir / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    staged = submit("zipped", solutions)
    with zipfile.ZipFile(archive / "lms_download.zip", "w") as zipped:
        zipped.write(staged, f"zipped_{NOTEBOOK}")
    shutil.rmtree(course_dir / "submitted" / "zipped")


def make_batch(course_dir, *options):
    return grade.make_batch(
        grade.parser().parse_args(
            [ASSIGNMENT, "--course-dir", str(course_dir), "-q", "--workers", "2", f"--nbgrader-arg={TIMEOUT}", *options]
        )
    )


@pytest.fixture(scope="module")
def graded_class(fresh_course, tmp_path_factory):
    course_dir = course_copy(fresh_course, tmp_path_factory.mktemp("class") / "course")
    write_class(course_dir)
    outcome = grade.grade(make_batch(course_dir))
    return course_dir, outcome


def test_every_good_submission_is_graded_and_every_grade_landed(graded_class):
    course_dir, outcome = graded_class
    scores = graded_scores(grade.gradebook_url(course_dir), ASSIGNMENT, sorted(outcome.results))
    for student in ("correct_1", "correct_2", "correct_3", "zipped"):
        assert scores[student] == FULL, student
    assert scores["untouched"] == {e: 0.0 for e in FULL}
    assert scores["buggy"]["pool_forward"] < 40 and scores["buggy"]["conv_forward"] == 40
    with open(course_dir / "grades.csv") as handle:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert exported["correct_1"] == exported["zipped"] == 150


def test_broken_submissions_are_graded_as_far_as_possible_or_listed_with_a_reason(graded_class):
    course_dir, outcome = graded_class
    failed = dict(outcome.failed)
    assert set(failed) == {"invalid_json", "renamed", "kernel_death"}, failed
    assert "not valid JSON" in failed["invalid_json"]
    assert "missing" in failed["renamed"] and "my_copy.ipynb" in failed["renamed"]
    assert "kernel died" in failed["kernel_death"]
    scores = graded_scores(grade.gradebook_url(course_dir), ASSIGNMENT, sorted(outcome.results))
    # nbgrader restores retyped test cells from the gradebook and ignores duplicated copies
    for student in ("duplicated_cell", "retyped_cell"):
        assert scores[student] == FULL, student
    # a deleted test cell scores 0, the rest of the notebook is graded
    assert scores["deleted_cell"] == {**FULL, "zero_pad": 0.0}
    # a runaway cell is interrupted; its exercise scores 0, the rest of the notebook is graded
    assert scores["timeout"]["conv_single_step"] == 0 and scores["timeout"]["pool_forward"] == 40
    assert any("timed out" in note for note in outcome.results["timeout"].notes)


def test_feedback_shows_points_and_messages_but_no_hidden_tests(graded_class):
    course_dir, _ = graded_class
    page = (course_dir / "feedback" / "buggy" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Test cell</a> (Score: 0.0 / 40.0)" in page or "(Score: " in page
    assert page.count("Test cell</a> (Score:") == len(EXERCISES)
    assert "HIDDEN TESTS" not in page and "_hidden_" not in page
    assert "hidden:" in page  # the messages of the failed hidden checks reach the student


def test_report_has_exercise_stats_histogram_and_failures(graded_class):
    course_dir, _ = graded_class
    folder = course_dir / "reports" / ASSIGNMENT
    with open(folder / "exercises.csv") as handle:
        rows = {row["exercise"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(FULL)
    assert 0 < float(rows["pool_forward"]["pass_rate"]) < 1
    with open(folder / "failures.csv") as handle:
        assert {row["student_id"] for row in csv.DictReader(handle)} == {"invalid_json", "renamed", "kernel_death"}
    assert (folder / "histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = (folder / "summary.txt").read_text()
    assert "pass rate" in summary and "kernel_death:" in summary


def test_a_rerun_skips_what_is_graded_and_force_regrades(graded_class):
    course_dir, first = graded_class
    graded = sorted(s for s, r in first.results.items() if r.status == "graded")
    rerun = grade.grade(make_batch(course_dir, "--student", "correct_1", "--student", "invalid_json"))
    assert rerun.skipped == ["correct_1"] and sorted(rerun.results) == ["invalid_json"]
    forced = grade.grade(make_batch(course_dir, "--student", "correct_1", "--force"))
    assert sorted(forced.results) == ["correct_1"] and forced.results["correct_1"].status == "graded"
    assert set(latest(ledger_path(course_dir, ASSIGNMENT))) >= set(graded)


def test_bad_input_gives_one_line_errors(fresh_course, tmp_path, capsys):
    assert grade.main([ASSIGNMENT, "--course-dir", str(tmp_path)]) == 2
    assert "not an nbgrader course directory" in capsys.readouterr().err
    assert grade.main(["no_such_assignment", "--course-dir", str(fresh_course)]) == 2
    assert "unknown assignment 'no_such_assignment'" in capsys.readouterr().err
    assert grade.main([ASSIGNMENT, "--course-dir", str(fresh_course), "--db", "mysql://x"]) == 2
    assert "bad database URL" in capsys.readouterr().err
    assert (
        grade.main(
            [ASSIGNMENT, "--course-dir", str(fresh_course), "--db", "postgresql+psycopg2://nobody@127.0.0.1:1/x"]
        )
        == 2
    )
    assert "cannot open the gradebook" in capsys.readouterr().err
