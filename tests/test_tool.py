"""``python -m course grade``: a whole class graded in parallel by real nbgrader runs, broken
submissions included; feedback, export, report, reruns, bad input."""

import csv
import shutil
import zipfile

import nbformat
import pytest
from helpers import BONUS, FORWARD, FULL, ZERO, cell_index, course_copy, edit_notebook, exercise_scores, solutions
from helpers import submit as submit_as

from course import cli
from course.batch import run
from course.ledger import latest, ledger_path

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

TIMEOUT = "--Execute.timeout=10"  # per cell and per exercise; the slowest exercise of a solution takes 0.2 s
FAILED = {"invalid_json", "renamed"}


def write_class(course_dir):
    """A class with good and broken submissions of the graded assignment, and one LMS download."""
    correct = solutions(course_dir, FORWARD)

    def submit(student, code):
        return submit_as(course_dir, student, FORWARD, code)

    for student in ("correct_1", "correct_2", "correct_3"):
        submit(student, correct)
    submit("untouched", {})
    submit("buggy", {**correct, "pool_forward": correct["pool_forward"].replace("np.max", "np.min")})
    submit("invalid_json", correct).write_text('{"cells": [ this is not json')
    renamed = submit("renamed", correct)
    renamed.rename(renamed.with_name("my_copy.ipynb"))
    edit_notebook(submit("deleted_cell", correct), lambda nb: nb.cells.pop(cell_index(nb, "test_zero_pad")))

    def duplicate(nb):
        copy = nbformat.from_dict(nb.cells[cell_index(nb, "test_zero_pad")])
        copy.id = "a-copy"
        nb.cells.insert(cell_index(nb, "test_zero_pad"), copy)

    edit_notebook(submit("duplicated_cell", correct), duplicate)

    def retype(nb):
        index = cell_index(nb, "test_conv_single_step")
        nb.cells[index] = nbformat.v4.new_markdown_cell(nb.cells[index].source, metadata=nb.cells[index].metadata)

    edit_notebook(submit("retyped_cell", correct), retype)
    submit("kernel_death", {**correct, "conv_forward": correct["conv_forward"] + "\nimport os\nos._exit(1)"})
    submit("timeout", {**correct, "conv_single_step": "def conv_single_step(a, W, b):\n    while True:\n        pass"})
    submit_as(course_dir, "correct_1", BONUS, solutions(course_dir, BONUS))

    # one LMS download: a zip of files named STUDENT_NOTEBOOK.ipynb, collected by nbgrader zip_collect
    archive = course_dir / "downloaded" / FORWARD / "archive"
    archive.mkdir(parents=True)
    staged = submit("zipped", correct)
    with zipfile.ZipFile(archive / "lms_download.zip", "w") as zipped:
        zipped.write(staged, f"zipped_{FORWARD}.ipynb")
    shutil.rmtree(course_dir / "submitted" / "zipped")


def grade(course_dir, *options):
    """``python -m course grade`` on the course copy, two workers; returns its exit status."""
    return cli.grade_main(
        ["--course-dir", str(course_dir), "-q", "--workers", "2", f"--nbgrader-arg={TIMEOUT}", *options]
    )


def outcome(course_dir, *options):
    return run(
        cli.make_batches(
            cli.grade_parser().parse_args(
                [
                    FORWARD,
                    "--course-dir",
                    str(course_dir),
                    "-q",
                    "--workers",
                    "2",
                    f"--nbgrader-arg={TIMEOUT}",
                    *options,
                ]
            )
        )[0]
    )


@pytest.fixture(scope="module")
def graded_class(fresh_course, tmp_path_factory):
    course_dir = course_copy(fresh_course, tmp_path_factory.mktemp("class") / "course")
    write_class(course_dir)
    assert grade(course_dir) == 0  # every assignment with submissions: both here
    return course_dir, latest(ledger_path(course_dir, FORWARD))


def test_every_good_submission_is_graded_and_every_grade_landed(graded_class):
    course_dir, _ = graded_class
    scores = exercise_scores(course_dir, FORWARD)
    for student in ("correct_1", "correct_2", "correct_3", "zipped"):
        assert scores[student] == FULL[FORWARD], student
    assert scores["untouched"] == ZERO[FORWARD]
    assert scores["buggy"]["pool_forward"] < 40 and scores["buggy"]["conv_forward"] == 40
    assert exercise_scores(course_dir, BONUS)["correct_1"] == FULL[BONUS]
    with open(course_dir / "grades.csv") as handle:
        exported = {(r["assignment"], r["student_id"]): float(r["score"]) for r in csv.DictReader(handle)}
    assert exported[FORWARD, "correct_1"] == exported[FORWARD, "zipped"] == 100 and exported[BONUS, "correct_1"] == 50


def test_broken_submissions_are_graded_as_far_as_possible_or_listed_with_a_reason(graded_class):
    course_dir, results = graded_class
    failed = {s: r.reason for s, r in results.items() if r.status != "graded"}
    assert set(failed) == FAILED, failed
    assert "not valid JSON" in failed["invalid_json"]
    assert "missing" in failed["renamed"] and "my_copy.ipynb" in failed["renamed"]
    scores = exercise_scores(course_dir, FORWARD)
    # nbgrader restores retyped test cells from the gradebook and ignores duplicated copies
    for student in ("duplicated_cell", "retyped_cell"):
        assert scores[student] == FULL[FORWARD], student
    # a deleted test cell scores 0, the rest of the notebook is graded
    assert scores["deleted_cell"] == {**FULL[FORWARD], "zero_pad": 0.0}
    # a runaway function is interrupted; its exercise scores 0, the rest of the notebook is graded
    assert scores["timeout"] == {**FULL[FORWARD], "conv_single_step": 0.0}
    assert any("interrupted after 10 s" in note for note in results["timeout"].notes)
    # a kernel that dies keeps what its functions returned before; the rest scores 0, with the reason
    assert scores["kernel_death"] == {**FULL[FORWARD], "conv_forward": 0.0, "pool_forward": 0.0}
    assert any("the kernel died" in note for note in results["kernel_death"].notes)


def test_feedback_shows_scores_and_messages_but_no_grading_code(graded_class):
    course_dir, _ = graded_class
    page = (course_dir / "feedback" / "buggy" / FORWARD / f"{FORWARD}.html").read_text()
    assert page.count("(Score: ") == page.count("Checks for <code>") == 4 and "Grade: 79 / 100" in page
    assert "run_probe" not in page and "exec(compile(" not in page
    assert "a running maximum must start" in page  # a failed check's hint reaches the student
    death = (course_dir / "feedback" / "kernel_death" / FORWARD / f"{FORWARD}.html").read_text()
    assert "Not run: the kernel died while running the cell conv_forward" in death


def test_report_has_every_graded_student_exercise_stats_and_failures(graded_class):
    course_dir, _ = graded_class
    folder = course_dir / "reports" / FORWARD
    with open(folder / "exercises.csv") as handle:
        rows = {row["exercise"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(FULL[FORWARD]) and 0 < float(rows["pool_forward"]["full_marks"]) < 1
    with open(folder / "failures.csv") as handle:
        assert {row["student_id"] for row in csv.DictReader(handle)} == FAILED
    with open(folder / "students.csv") as handle, open(course_dir / "grades.csv") as export:
        reported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(handle)}
        exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(export) if r["assignment"] == FORWARD}
    assert reported == {s: v for s, v in exported.items() if s not in FAILED}
    summary = (folder / "summary.txt").read_text()
    assert "full marks" in summary and "invalid_json:" in summary and "kernel_death:" in summary


def test_a_rerun_skips_what_is_graded_and_force_regrades(graded_class):
    course_dir, first = graded_class
    rerun = outcome(course_dir, "--student", "correct_1", "--student", "invalid_json")
    assert rerun.skipped == ["correct_1"] and sorted(rerun.results) == ["invalid_json"]
    forced = outcome(course_dir, "--student", "correct_1", "--force")
    assert sorted(forced.results) == ["correct_1"] and forced.results["correct_1"].status == "graded"
    assert set(latest(ledger_path(course_dir, FORWARD))) >= {s for s, r in first.items() if r.status == "graded"}


def test_bad_input_gives_one_line_errors(fresh_course, tmp_path, capsys):
    assert cli.grade_main([FORWARD, "--course-dir", str(tmp_path)]) == 2
    assert "not an nbgrader course directory" in capsys.readouterr().err
    assert cli.grade_main(["no_such_assignment", "--course-dir", str(fresh_course)]) == 2
    assert "unknown assignment 'no_such_assignment'" in capsys.readouterr().err
    assert cli.grade_main([FORWARD, "--course-dir", str(fresh_course), "--db", "mysql://x"]) == 2
    assert "bad database URL" in capsys.readouterr().err
    assert (
        cli.grade_main([FORWARD, "--course-dir", str(fresh_course), "--db", "postgresql://nobody@127.0.0.1:1/x"]) == 2
    )
    assert "cannot open the gradebook" in capsys.readouterr().err
    assert cli.grade_main([FORWARD, "--course-dir", str(fresh_course), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "needs a gradebook every machine can reach" in capsys.readouterr().err
    empty = course_copy(fresh_course, tmp_path / "empty")
    assert cli.grade_main(["--course-dir", str(empty)]) == 2
    assert "no submissions" in capsys.readouterr().err
