"""Grading a whole class's submissions of one assignment: in parallel, resumably.

The instructor's loop, on nbgrader's own commands and API:

1. collect LMS downloads with ``nbgrader zip_collect`` (when ``downloaded/<assignment>/archive/``
   holds files) into ``submitted/``;
2. plan: every ``submitted/<student>/<assignment>/`` not graded yet (or every one with ``force``);
3. run one job per student (course.jobs: ``NbGraderAPI.autograde`` then ``generate_feedback``) on
   worker processes (course.workers), with a progress bar; every finished job is appended to
   ``reports/<assignment>/jobs.jsonl`` (course.ledger), so a rerun continues where a killed
   batch stopped.

How each notebook is graded (outside the kernel, in the sandbox) comes from the course's
nbgrader_config.py, as for ``nbgrader autograde`` and formgrader.
"""

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import ledger
from .jobs import FAILED, GRADED, RETRY, JobResult, JobSpec, submission_digest

LOCK_RETRIES = 3  # attempts for a job that found the SQLite gradebook locked
DEFAULT_ZIP_REGEXP = r".*/(?P<student_id>[^/_]+)_(?P<file_id>[^/]+\.ipynb)$"


class BatchError(RuntimeError):
    """Bad input: the message is one line for the instructor."""


@dataclass
class Batch:
    """A grading run's settings, for one assignment."""

    course_dir: Path
    assignment: str
    db_url: str
    workers: int = 0  # 0: the machine's cores + 1 (course.workers.default_workers)
    scheduler: str = ""  # a Dask scheduler address, e.g. tcp://10.0.0.5:8786
    force: bool = False
    feedback: bool = True
    students: tuple = ()  # only these students (default: every submission)
    nbgrader_args: tuple = ()  # extra nbgrader options for every job
    env: tuple = ()  # (("NAME", "value"), ...) for every job, e.g. (("CNN_SANDBOX", "off"),)
    zip_regexp: str = DEFAULT_ZIP_REGEXP
    progress: bool = True


@dataclass
class Outcome:
    """What a run did: results of the jobs that ran, students skipped as already graded."""

    results: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self):
        return sorted((s, r.reason) for s, r in self.results.items() if r.status != GRADED)


def collect_zips(batch):
    """Run ``nbgrader zip_collect`` when ``downloaded/<assignment>/archive/`` holds files; return
    whether it ran. Files are matched with ``batch.zip_regexp`` (student id and notebook name)."""
    from .nbgrader_cli import NbgraderError, run_nbgrader

    archive = batch.course_dir / "downloaded" / batch.assignment / "archive"
    if not archive.is_dir() or not any(archive.iterdir()):
        return False
    try:
        run_nbgrader(
            batch.course_dir,
            "zip_collect",
            batch.assignment,
            "--force",
            f"--FileNameCollectorPlugin.named_regexp={batch.zip_regexp}",
        )
    except NbgraderError as error:
        raise BatchError(str(error).splitlines()[0] + " (see `nbgrader zip_collect --help`)") from None
    return True


def submitted_students(course_dir, assignment):
    return sorted(p.parent.name for p in (Path(course_dir) / "submitted").glob(f"*/{assignment}") if p.is_dir())


def plan(batch, students):
    """``(specs, skipped)``: the jobs to run, and the students already graded (same submission)."""
    done = {} if batch.force else ledger.latest(ledger.ledger_path(batch.course_dir, batch.assignment))
    specs, skipped = [], []
    for student in students:
        folder = batch.course_dir / "submitted" / student / batch.assignment
        autograded = batch.course_dir / "autograded" / student / batch.assignment
        graded = ledger.is_graded(done.get(student), submission_digest(folder), autograded)
        feedback = batch.course_dir / "feedback" / student / batch.assignment
        if graded and not (batch.feedback and not any(feedback.glob("*.html"))):
            skipped.append(student)
            continue
        specs.append(
            JobSpec(
                course_dir=str(batch.course_dir),
                assignment=batch.assignment,
                student=student,
                db_url=batch.db_url,
                autograde=not graded,
                feedback=batch.feedback,
                extra_args=tuple(batch.nbgrader_args),
                env=tuple(batch.env),
            )
        )
    return specs, skipped


def run_jobs(batch, specs, on_result):
    """Run ``specs`` on local worker processes (or the Dask cluster at ``batch.scheduler``); call
    ``on_result(JobResult)`` as each one finishes. A job that found the SQLite gradebook locked runs
    again (up to LOCK_RETRIES times)."""
    from . import report
    from .jobs import preload, run_job
    from .workers import job_runner

    preload()  # before the local pool forks its workers: they start with nbgrader imported
    log_file = batch.course_dir / "reports" / batch.assignment / "workers.log"
    with job_runner(run_job, batch.workers, batch.scheduler, log_file=log_file) as runner:
        attempts = {}

        def submit(spec):
            attempts[spec.student] = attempts.get(spec.student, 0) + 1
            runner.submit(spec)

        for spec in specs:
            submit(spec)
        remaining = len(specs)
        for spec, result, error in runner.completed():
            if error is not None:  # the job killed its worker process, twice
                reason = f"the grader process died on this submission ({type(error).__name__})"
                result = JobResult(student=spec.student, status=FAILED, reason=reason)
            if result.status == RETRY:
                if attempts[spec.student] < LOCK_RETRIES:
                    submit(spec)
                    continue
                result.status, result.reason = FAILED, result.reason + f" ({LOCK_RETRIES} attempts)"
            on_result(result)
            remaining -= 1
            if remaining == (os.cpu_count() or 1) - 1:  # a core is free from now on: use it
                report.preload()


def run(batch):
    """Grade the batch: collect, then autograde and feedback in parallel. Returns an ``Outcome``;
    the per-job results are in the ledger too."""
    started = time.perf_counter()
    collect_zips(batch)
    students = submitted_students(batch.course_dir, batch.assignment)
    if batch.students:
        unknown = sorted(set(batch.students) - set(students))
        if unknown:
            raise BatchError(f"no submission of {batch.assignment} for: {', '.join(unknown)}")
        students = [s for s in students if s in set(batch.students)]
    specs, skipped = plan(batch, students)
    outcome = Outcome(skipped=skipped)
    path = ledger.ledger_path(batch.course_dir, batch.assignment)
    if specs:
        bar = _progress_bar(batch.assignment, len(specs), len(skipped), batch.progress)

        def record(result):
            ledger.append(path, result)
            outcome.results[result.student] = result
            bar.update(1)
            bar.set_postfix_str(f"failed {len(outcome.failed)}", refresh=True)

        try:
            run_jobs(batch, specs, record)
        finally:
            bar.close()
    outcome.seconds = time.perf_counter() - started
    return outcome


def _progress_bar(assignment, total, skipped, enabled):
    from tqdm import tqdm

    note = f" ({skipped} already graded)" if skipped else ""
    tqdm.monitor_interval = 0  # no monitor thread: the local pool forks worker processes later
    return tqdm(
        total=total,
        unit="sub",
        desc=f"{assignment}{note}",
        disable=not enabled,
        file=sys.stderr,
        dynamic_ncols=True,
        postfix="failed 0",
    )
