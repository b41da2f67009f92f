"""Grading past SQLite and past one process: a PostgreSQL gradebook, a Dask cluster of separate
worker processes over loopback TCP, and a batch killed midway then finished by a rerun."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from helpers import FORWARD, FULL, course_copy, exercise_scores, solutions, submit
from postgres_server import postgres_server

from course import batch as batches
from course import cli, gradebook
from course.layout import ROOT
from course.ledger import latest, ledger_path
from course.nbgrader_cli import nbgrader_env, run_nbgrader

FULL = FULL[FORWARD]


def correct_class(course_dir, count):
    correct = solutions(course_dir, FORWARD)
    students = [f"student_{i:02d}" for i in range(count)]
    for student in students:
        submit(course_dir, student, FORWARD, correct)
    return students


def batch(course_dir, *options):
    args = cli.grade_parser().parse_args([FORWARD, "--course-dir", str(course_dir), "-q", *options])
    return batches.run(cli.make_batches(args)[0])


def scores_of(db_url, students):
    found = gradebook.scores(db_url, FORWARD)
    return {s: found[s].exercises for s in students if s in found}


def start(command, **kwargs):
    return subprocess.Popen(
        command,
        env=nbgrader_env({"PYTHONPATH": str(ROOT)}),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **kwargs,
    )


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.postgres
@pytest.mark.dask
@pytest.mark.timeout(900)
def test_postgres_gradebook_with_local_workers_and_a_dask_cluster(fresh_course, tmp_path):
    with postgres_server() as db_url:
        course_dir = course_copy(fresh_course, tmp_path / "course")
        (course_dir / "gradebook.db").unlink()
        with open(course_dir / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
        run_nbgrader(course_dir, "generate_assignment", FORWARD, "--force")  # records it in PostgreSQL
        students = correct_class(course_dir, 6)

        # 1. local worker processes, the gradebook URL taken from CourseDirectory.db_url
        local = batch(course_dir, "--workers", "2", "--no-feedback")
        assert sorted(local.results) == students and not local.failed
        assert scores_of(db_url, students) == {s: FULL for s in students}

        # 2. a Dask cluster: a scheduler and two single-thread workers, separate processes over TCP
        scheduler_file = tmp_path / "scheduler.json"
        dask = [sys.executable, "-m", "distributed.cli"]
        processes = [
            start(
                [
                    *dask[:2],
                    "distributed.cli.dask_scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--scheduler-file",
                    str(scheduler_file),
                ]
            )
        ]
        try:
            for _ in range(2):
                processes.append(
                    start(
                        [
                            *dask[:2],
                            "distributed.cli.dask_worker",
                            "--scheduler-file",
                            str(scheduler_file),
                            "--nthreads",
                            "1",
                            "--no-dashboard",
                        ],
                        cwd=tmp_path,
                    )
                )
            for _ in range(120):
                if scheduler_file.exists() and json.loads(scheduler_file.read_text() or "{}").get("address"):
                    break
                time.sleep(0.5)
            address = json.loads(scheduler_file.read_text())["address"]
            clustered = batch(course_dir, "--scheduler", address, "--force")
        finally:
            for process in reversed(processes):
                stop(process)
        assert sorted(clustered.results) == students and not clustered.failed
        workers = {r.worker for r in clustered.results.values()}
        assert len(workers) == 2 and all(not w.endswith(f":{os.getpid()}") for w in workers)
        assert scores_of(db_url, students) == {s: FULL for s in students}
        assert all((course_dir / "feedback" / s / FORWARD / f"{FORWARD}.html").exists() for s in students)


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.timeout(900)
def test_a_batch_killed_midway_loses_nothing_and_a_rerun_finishes_it(fresh_course, tmp_path):
    course_dir = course_copy(fresh_course, tmp_path / "course")
    students = correct_class(course_dir, 8)
    ledger = ledger_path(course_dir, FORWARD)
    command = [
        sys.executable,
        "-m",
        "course",
        "grade",
        FORWARD,
        "--course-dir",
        str(course_dir),
        "-q",
        "--workers",
        "2",
        "--no-feedback",
    ]
    process = start(command, cwd=ROOT)
    try:
        deadline = time.time() + 600
        while len(latest(ledger)) < 3 and process.poll() is None and time.time() < deadline:
            time.sleep(0.2)
    finally:
        stop(process)  # SIGKILL to the tool, its workers and their kernels
    before = latest(ledger)
    assert 3 <= len(before) < len(students), "the batch should have been killed midway"
    notebook = f"{FORWARD}.ipynb"
    stamps = {s: (course_dir / "autograded" / s / FORWARD / notebook).stat().st_mtime for s in before}

    rerun = batch(course_dir, "--workers", "2", "--no-feedback")
    assert sorted(rerun.skipped) == sorted(before)
    assert sorted(rerun.results) == sorted(set(students) - set(before)) and not rerun.failed
    assert {s: (course_dir / "autograded" / s / FORWARD / notebook).stat().st_mtime for s in before} == stamps
    assert exercise_scores(course_dir, FORWARD) == {s: FULL for s in students}
