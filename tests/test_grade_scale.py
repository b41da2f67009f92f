"""Grading past SQLite and past one process: a PostgreSQL gradebook, a Dask cluster of separate
worker processes over loopback TCP, and a batch killed midway then finished by a rerun."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from postgres_server import postgres_server
from test_grade_class import course_copy

from course import grade
from course.layout import ASSIGNMENT, EXERCISES, NOTEBOOK, ROOT
from course.ledger import latest, ledger_path
from course.nbgrader_cli import nbgrader_env, run_nbgrader
from course.report import graded_scores
from course.submissions import solution_code, write_submission

FULL = {e.function: float(e.points) for e in EXERCISES}


def correct_class(course_dir, count):
    solutions = solution_code(course_dir / "source" / ASSIGNMENT / NOTEBOOK)
    students = [f"student_{i:02d}" for i in range(count)]
    for student in students:
        write_submission(
            course_dir / "submitted" / student / ASSIGNMENT, solutions, course_dir / "release" / ASSIGNMENT
        )
    return students


def batch(course_dir, *options):
    return grade.make_batch(grade.parser().parse_args([ASSIGNMENT, "--course-dir", str(course_dir), "-q", *options]))


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
        run_nbgrader(course_dir, "generate_assignment", ASSIGNMENT, "--force")  # records it in PostgreSQL
        students = correct_class(course_dir, 6)

        # 1. local worker processes, the gradebook URL taken from CourseDirectory.db_url
        local = grade.grade(batch(course_dir, "--workers", "2", "--no-feedback"))
        assert sorted(local.results) == students and not local.failed
        assert graded_scores(db_url, ASSIGNMENT, students) == {s: FULL for s in students}

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
            clustered = grade.grade(batch(course_dir, "--scheduler", address, "--force"))
        finally:
            for process in reversed(processes):
                stop(process)
        assert sorted(clustered.results) == students and not clustered.failed
        workers = {r.worker for r in clustered.results.values()}
        assert len(workers) == 2 and all(not w.endswith(f":{os.getpid()}") for w in workers)
        assert graded_scores(db_url, ASSIGNMENT, students) == {s: FULL for s in students}
        assert all((course_dir / "feedback" / s / ASSIGNMENT / f"{ASSIGNMENT}.html").exists() for s in students)


@pytest.mark.sandbox
def test_a_cluster_needs_a_shared_gradebook(fresh_course, capsys):
    assert grade.main([ASSIGNMENT, "--course-dir", str(fresh_course), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "needs a gradebook every machine can reach" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.timeout(900)
def test_a_batch_killed_midway_loses_nothing_and_a_rerun_finishes_it(fresh_course, tmp_path):
    course_dir = course_copy(fresh_course, tmp_path / "course")
    students = correct_class(course_dir, 8)
    ledger = ledger_path(course_dir, ASSIGNMENT)
    command = [
        sys.executable,
        "-m",
        "course",
        "grade",
        ASSIGNMENT,
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
    stamps = {s: (course_dir / "autograded" / s / ASSIGNMENT / NOTEBOOK).stat().st_mtime for s in before}

    rerun = grade.grade(batch(course_dir, "--workers", "2", "--no-feedback"))
    assert sorted(rerun.skipped) == sorted(before)
    assert sorted(rerun.results) == sorted(set(students) - set(before)) and not rerun.failed
    assert {s: (course_dir / "autograded" / s / ASSIGNMENT / NOTEBOOK).stat().st_mtime for s in before} == stamps
    scores = graded_scores(grade.gradebook_url(course_dir), ASSIGNMENT, students)
    assert scores == {s: FULL for s in students}
