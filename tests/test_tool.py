"""``python -m course grade``: a whole class graded in parallel by real nbgrader runs, broken
submissions included (the session's graded class, tests/graded_class.py); feedback, export,
report; reruns (on a small class of their own) and bad input."""

import csv

import pytest
from graded_class import FAILED, TIMEOUT
from helpers import BONUS, FORWARD, FULL, ZERO, course_copy, exercise_scores, solutions, submit

from course import cli
from course.batch import run
from course.ledger import latest, ledger_path

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]


def outcome(course_dir, *options):
    """The Batch outcome of ``python -m course grade cnn_step_by_step OPTIONS`` on ``course_dir``."""
    arguments = [FORWARD, "--course-dir", str(course_dir), "-q", "--workers", "2", *options]
    return run(
        cli.make_batches(cli.grade_parser().parse_args([*arguments, f"--nbgrader-arg=--Execute.timeout={TIMEOUT}"]))[0]
    )


def test_every_good_submission_is_graded_and_every_grade_landed(graded_class):
    course_dir = graded_class.course_dir
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
    course_dir, results = graded_class.course_dir, graded_class.results[FORWARD]
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
    assert any(f"interrupted after {TIMEOUT} s" in note for note in results["timeout"].notes)
    # a kernel that dies keeps what its functions returned before; the rest scores 0, with the reason
    assert scores["kernel_death"] == {**FULL[FORWARD], "conv_forward": 0.0, "pool_forward": 0.0}
    assert any("the kernel died" in note for note in results["kernel_death"].notes)


def test_feedback_shows_scores_and_messages_but_no_grading_code(graded_class):
    course_dir = graded_class.course_dir
    page = (course_dir / "feedback" / "buggy" / FORWARD / f"{FORWARD}.html").read_text()
    assert page.count("(Score: ") == page.count("Checks for <code>") == 4 and "Grade: 79 / 100" in page
    assert "run_probe" not in page and "exec(compile(" not in page
    assert "a running maximum must start" in page  # a failed check's hint reaches the student
    death = (course_dir / "feedback" / "kernel_death" / FORWARD / f"{FORWARD}.html").read_text()
    assert "Not run: the kernel died while running the cell conv_forward" in death


def test_report_has_every_graded_student_exercise_stats_and_failures(graded_class):
    course_dir = graded_class.course_dir
    folder = course_dir / "reports" / FORWARD
    with open(folder / "exercises.csv") as handle:
        rows = {row["exercise"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(FULL[FORWARD]) and 0 < float(rows["pool_forward"]["full_marks"]) < 1
    with open(folder / "failures.csv") as handle:
        assert {row["student_id"] for row in csv.DictReader(handle)} == FAILED
    with open(folder / "students.csv") as handle, open(course_dir / "grades.csv") as export:
        reported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(handle)}
        exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(export) if r["assignment"] == FORWARD}
    submitted = {p.parent.name for p in (course_dir / "submitted").glob(f"*/{FORWARD}")}
    assert reported == {s: v for s, v in exported.items() if s in submitted and s not in FAILED}
    summary = (folder / "summary.txt").read_text()
    assert "full marks" in summary and "invalid_json:" in summary and "kernel_death:" in summary


def test_a_rerun_skips_what_is_graded_and_force_regrades(fresh_course, tmp_path):
    course_dir = course_copy(fresh_course, tmp_path / "course")
    correct = solutions(course_dir, FORWARD)
    submit(course_dir, "correct_1", FORWARD, correct)
    submit(course_dir, "correct_2", FORWARD, correct)
    submit(course_dir, "invalid_json", FORWARD, correct).write_text('{"cells": [ this is not json')
    first = outcome(course_dir)
    assert sorted(first.results) == ["correct_1", "correct_2", "invalid_json"]
    rerun = outcome(course_dir, "--student", "correct_1", "--student", "invalid_json")
    assert rerun.skipped == ["correct_1"] and sorted(rerun.results) == ["invalid_json"]  # a failure is retried
    forced = outcome(course_dir, "--student", "correct_1", "--force")
    assert sorted(forced.results) == ["correct_1"] and forced.results["correct_1"].status == "graded"
    graded = {s for s, r in first.results.items() if r.status == "graded"}
    assert graded == {"correct_1", "correct_2"} and set(latest(ledger_path(course_dir, FORWARD))) >= graded
    assert exercise_scores(course_dir, FORWARD) == {"correct_1": FULL[FORWARD], "correct_2": FULL[FORWARD]}


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
