"""The local worker pool (course.workers.LocalPool): forked workers, a worker that dies, and the
SQLite gradebook with more workers than cores."""

import os

import pytest
from helpers import FORWARD, FULL, course_copy, exercise_scores, solutions, submit

from course import batch as batches
from course import cli
from course.ledger import latest, ledger_path
from course.workers import LocalPool, WorkerDied

FULL = FULL[FORWARD]


def _job(item):
    """Square ``item``; ``"die"`` kills the worker every time, ``("once", path)`` the first time."""
    if item == "die":
        os._exit(3)
    if isinstance(item, tuple):
        marker = item[1]
        if not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(4)
        return "survived"
    return item * item, os.getpid()


def test_pool_runs_every_job_and_survives_workers_that_die(tmp_path):
    with LocalPool(_job, 2) as pool:
        for item in [1, 2, "die", 3, ("once", str(tmp_path / "marker")), 4]:
            pool.submit(item)
        done = {repr(item): (value, error) for item, value, error in pool.completed()}
        pool.submit(5)  # the pool still works after the deaths
        ((_, (value, _), _),) = list(pool.completed())
    assert value == 25
    assert {k: v[0][0] for k, v in done.items() if k in "1234"} == {"1": 1, "2": 4, "3": 9, "4": 16}
    assert all(v[0][1] != os.getpid() for k, v in done.items() if k in "1234")
    value, error = done["'die'"]
    assert value is None and isinstance(error, WorkerDied) and "exit code 3" in str(error)
    assert done[repr(("once", str(tmp_path / "marker")))] == ("survived", None)


def _write(course_dir, students, code):
    for student in students:
        submit(course_dir, student, FORWARD, code)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sqlite_gradebook_under_more_workers_than_cores_and_a_killed_worker(fresh_course, tmp_path):
    """Four workers on a small machine write to one SQLite gradebook: no lock error, no grade lost;
    a submission whose code kills its grader process (possible without the sandbox) is listed."""
    course_dir = course_copy(fresh_course, tmp_path / "course")
    correct = solutions(course_dir, FORWARD)
    students = [f"student_{i:02d}" for i in range(10)]
    _write(course_dir, students, correct)
    killer = {**correct, "zero_pad": correct["zero_pad"] + "\nimport os, signal\nos.kill(os.getppid(), signal.SIGKILL)"}
    _write(course_dir, ["kills_grader"], killer)

    options = [FORWARD, "--course-dir", str(course_dir), "-q", "--workers", "4", "--no-feedback", "--no-sandbox"]
    (batch,) = cli.make_batches(cli.grade_parser().parse_args(options))
    outcome = batches.run(batch)

    assert outcome.failed == [("kills_grader", "the grader process died on this submission (WorkerDied)")]
    scores = exercise_scores(course_dir, FORWARD)
    assert {s: scores[s] for s in students} == {s: FULL for s in students}
    ledger = latest(ledger_path(course_dir, FORWARD))
    assert all(ledger[s].status == "graded" and ledger[s].worker.split(":")[1] != str(os.getpid()) for s in students)
    assert all((course_dir / "autograded" / s / FORWARD / f"{FORWARD}.ipynb").exists() for s in students)
    log = (course_dir / "reports" / FORWARD / "jobs.jsonl").read_text()
    assert "database is locked" not in log


def test_metadata_check_once_agrees_with_nbgraders(fresh_course):
    import copy

    import nbformat
    from nbgrader.preprocessors import CheckCellMetadata

    from course.nbgrader_fixes import CheckCellMetadataOnce

    nb = nbformat.read(str(fresh_course / "release" / FORWARD / f"{FORWARD}.ipynb"), as_version=4)
    graded = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    corruptions = [
        lambda m: m.update(points="ten"),
        lambda m: m.pop("grade_id"),
        lambda m: m.update(schema_version=1),
        lambda m: m.update(schema_version=9),
        lambda m: m.update(solution="yes"),
        lambda m: m.update(grade=False),
    ]
    rejected = 0
    for corrupt in [None, *corruptions]:
        outcomes = []
        for check in (CheckCellMetadata(), CheckCellMetadataOnce()):
            copied = copy.deepcopy(nb)
            if corrupt:
                corrupt(copied.cells[graded].metadata.nbgrader)
            try:
                check.preprocess(copied, {})
                outcomes.append("valid")
            except Exception as error:
                outcomes.append(f"{type(error).__name__}: {error}")
        assert outcomes[0] == outcomes[1]
        assert corrupt or outcomes[0] == "valid"
        rejected += outcomes[0] != "valid"
    assert rejected >= 4
