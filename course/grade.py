"""``python -m course grade ASSIGNMENT``: grade a whole class, in parallel, resumably.

The instructor's loop, on nbgrader's own commands and API:

1. collect LMS downloads with ``nbgrader zip_collect`` (when ``downloaded/<assignment>/archive/``
   holds files) into ``submitted/``;
2. for every ``submitted/<student>/<assignment>/`` not graded yet (or every one with ``--force``):
   ``NbGraderAPI.autograde`` then ``NbGraderAPI.generate_feedback``, one job per student, on N
   worker processes (course.cluster, course.jobs), with a progress bar;
3. ``nbgrader export`` to ``grades.csv``, the per-exercise ``grades_by_exercise.csv``, and the class
   report in ``reports/<assignment>/`` (course.report).

Every finished job is appended to ``reports/<assignment>/jobs.jsonl`` (course.ledger), so a rerun
continues where a killed batch stopped.
"""

import argparse
import functools
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import ledger, sandbox
from .jobs import FAILED, GRADED, RETRY, JobResult, JobSpec, skip_unused_imports, submission_digest
from .layout import ROOT

LOCK_RETRIES = 3  # attempts for a job that found the SQLite gradebook locked
SQLITE_TIMEOUT = 60  # seconds a gradebook write waits for another job's write
DEFAULT_ZIP_REGEXP = r".*/(?P<student_id>[^/_]+)_(?P<file_id>[^/]+\.ipynb)$"


class GradeError(RuntimeError):
    """Bad input: the message is one line for the instructor."""


def no_options(student):
    """The default ``job_options`` hook: no extra nbgrader arguments, no extra environment."""
    return (), {}


@dataclass
class Batch:
    """A grading run's settings."""

    course_dir: Path
    assignment: str
    db_url: str
    workers: int = 0  # 0: the machine's cores + 1 (course.cluster.default_workers)
    scheduler: str = ""  # a Dask scheduler address, e.g. tcp://10.0.0.5:8786
    force: bool = False
    feedback: bool = True
    students: tuple = ()  # only these students (default: every submission)
    nbgrader_args: tuple = ()  # extra nbgrader options for every job
    job_options: object = no_options  # student -> (extra nbgrader args, {env var: value})
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


# --- checking the input -------------------------------------------------------------------------


def course_directory(path):
    path = Path(path).resolve()
    if not (path / "nbgrader_config.py").is_file():
        raise GradeError(f"not an nbgrader course directory: {path} (no nbgrader_config.py)")
    return path


def gradebook_url(course_dir, db_url=None):
    """The gradebook URL: ``db_url``, else the course's ``CourseDirectory.db_url``, else its
    ``gradebook.db``. A SQLite URL gets a generous lock timeout (see SQLITE_TIMEOUT)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    url = db_url or configured_db_url(course_dir) or f"sqlite:///{Path(course_dir) / 'gradebook.db'}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise GradeError(f"bad database URL {url!r} (expected sqlite:///path or postgresql://user@host/db)") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise GradeError(f"bad database URL {url!r}: use sqlite:///path or postgresql://user@host/db")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        # SQLAlchemy 2.1 picks psycopg 3 for a bare postgresql://; the course installs psycopg2.
        url = parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    if backend == "sqlite" and "timeout" not in parsed.query:
        url = parsed.update_query_dict({"timeout": str(SQLITE_TIMEOUT)}).render_as_string(hide_password=False)
    return url


def configured_db_url(course_dir):
    """``CourseDirectory.db_url`` from the course's nbgrader_config.py, if it sets one."""
    from traitlets.config.loader import PyFileConfigLoader

    loader = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir))
    try:
        config = loader.load_config()
    except Exception:
        return ""
    return config.CourseDirectory.get("db_url", "") or ""


def check_gradebook(db_url, assignment):
    """Open the gradebook (creating its tables when new) and check it knows the assignment."""
    from nbgrader.api import Gradebook, MissingEntry

    safe = _hide_password(db_url)
    try:
        with Gradebook(db_url) as gradebook:
            try:
                notebooks = gradebook.find_assignment(assignment).notebooks
            except MissingEntry:
                notebooks = []
    except GradeError:
        raise
    except Exception as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise GradeError(f"cannot open the gradebook {safe}: {first}") from None
    if not notebooks:
        raise GradeError(
            f"assignment {assignment!r} is not in the gradebook {safe}: run "
            f"`nbgrader generate_assignment {assignment} --db '{safe}'` first"
        )


def _hide_password(db_url):
    from sqlalchemy.engine import make_url

    return make_url(db_url).render_as_string(hide_password=True)


def check_assignment(course_dir, assignment):
    if not (course_dir / "source" / assignment).is_dir():
        known = sorted(p.name for p in (course_dir / "source").glob("*") if p.is_dir())
        raise GradeError(
            f"unknown assignment {assignment!r}: no source/{assignment} in {course_dir}"
            + (f" (known: {', '.join(known)})" if known else "")
        )


# --- collecting and planning ----------------------------------------------------------------------


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
        raise GradeError(str(error).splitlines()[0] + " (see `nbgrader zip_collect --help`)") from None
    return True


def submitted_students(course_dir, assignment):
    return sorted(p.parent.name for p in (course_dir / "submitted").glob(f"*/{assignment}") if p.is_dir())


def plan(batch, students):
    """``(specs, skipped)``: the jobs to run, and the students already graded (same submission)."""
    done = {} if batch.force else ledger.latest(ledger.ledger_path(batch.course_dir, batch.assignment))
    specs, skipped = [], []
    for student in students:
        folder = batch.course_dir / "submitted" / student / batch.assignment
        autograded = batch.course_dir / "autograded" / student / batch.assignment
        graded = ledger.is_graded(done.get(student), submission_digest(folder), autograded)
        needs_feedback = batch.feedback and not any(
            (batch.course_dir / "feedback" / student / batch.assignment).glob("*.html")
        )
        if graded and not needs_feedback:
            skipped.append(student)
            continue
        extra_args, env = batch.job_options(student)
        specs.append(
            JobSpec(
                course_dir=str(batch.course_dir),
                assignment=batch.assignment,
                student=student,
                db_url=batch.db_url,
                autograde=not graded,
                feedback=batch.feedback,
                extra_args=tuple(batch.nbgrader_args) + tuple(extra_args),
                env=tuple(sorted(env.items())),
            )
        )
    return specs, skipped


# --- running ------------------------------------------------------------------------------------


def run_jobs(batch, specs, on_result):
    """Run ``specs`` on local worker processes (or the Dask cluster at ``batch.scheduler``); call
    ``on_result(JobResult)`` as each one finishes. A job that found the SQLite gradebook locked runs
    again (up to LOCK_RETRIES times)."""
    from . import report
    from .cluster import job_runner
    from .jobs import grade_one, preload

    preload()  # before the local pool forks its workers: they start with nbgrader imported
    log_file = batch.course_dir / "reports" / batch.assignment / "workers.log"
    with job_runner(grade_one, batch.workers, batch.scheduler, log_file=log_file) as runner:
        attempts = {}

        def submit(spec):
            attempts[spec.student] = attempts.get(spec.student, 0) + 1
            runner.submit(spec)

        for spec in specs:
            submit(spec)
        remaining = len(specs)
        for spec, result, error in runner.completed():
            if error is not None:  # the job killed its worker process, twice
                result = JobResult(
                    student=spec.student,
                    status=FAILED,
                    reason=f"the grader process died on this submission ({type(error).__name__})",
                )
            if result.status == RETRY:
                if attempts[spec.student] < LOCK_RETRIES:
                    submit(spec)
                    continue
                result.status, result.reason = FAILED, result.reason + f" ({LOCK_RETRIES} attempts)"
            on_result(result)
            remaining -= 1
            if remaining == (os.cpu_count() or 1) - 1:  # a core is free from now on: use it
                report.preload()


def grade(batch):
    """Grade the batch: collect, autograde + feedback in parallel, export, report. Returns an
    ``Outcome``; the per-job results are in the ledger too."""
    started = time.perf_counter()
    collect_zips(batch)
    students = submitted_students(batch.course_dir, batch.assignment)
    if batch.students:
        unknown = sorted(set(batch.students) - set(students))
        if unknown:
            raise GradeError(f"no submission for: {', '.join(unknown)}")
        students = [s for s in students if s in set(batch.students)]
    specs, skipped = plan(batch, students)
    outcome = Outcome(skipped=skipped)
    path = ledger.ledger_path(batch.course_dir, batch.assignment)
    if specs:
        bar = _progress_bar(len(specs), len(skipped), batch.progress)

        def record(result):
            ledger.append(path, result)
            outcome.results[result.student] = result
            bar.update(1)
            bar.set_postfix_str(f"failed {len(outcome.failed)}", refresh=True)

        try:
            run_jobs(batch, specs, record)
        finally:
            bar.close()
    export(batch)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _progress_bar(total, skipped, enabled):
    from tqdm import tqdm

    note = f" ({skipped} already graded)" if skipped else ""
    tqdm.monitor_interval = 0  # no monitor thread: the local pool forks worker processes later
    return tqdm(
        total=total,
        unit="sub",
        desc=f"grading{note}",
        disable=not enabled,
        file=sys.stderr,
        dynamic_ncols=True,
        postfix="failed 0",
    )


def export(batch):
    """nbgrader's ``grades.csv``, the course's ``grades_by_exercise.csv`` and the class report."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    from .gradebook import write_exercise_csv
    from .report import graded_scores, write_report

    # What `nbgrader export --to grades.csv` runs, without starting another Python process.
    with Gradebook(batch.db_url) as gradebook:
        CsvExportPlugin(to=str(batch.course_dir / "grades.csv")).export(gradebook)
    students = submitted_students(batch.course_dir, batch.assignment)
    results = ledger.latest(ledger.ledger_path(batch.course_dir, batch.assignment))
    graded = [s for s in students if s in results and results[s].status == GRADED]
    write_exercise_csv(
        graded_scores(batch.db_url, batch.assignment, graded), batch.course_dir / "grades_by_exercise.csv"
    )
    return write_report(batch.course_dir, batch.assignment, batch.db_url, students)


# --- command line -------------------------------------------------------------------------------


def make_batch(args):
    """A checked Batch from parsed command-line arguments (raises GradeError on bad input)."""
    course_dir = course_directory(args.course_dir)
    check_assignment(course_dir, args.assignment)
    db_url = gradebook_url(course_dir, args.db)
    if args.scheduler and db_url.startswith("sqlite"):
        raise GradeError(
            "a Dask cluster needs a gradebook every machine can reach: pass --db postgresql://user@host/db"
        )
    if args.workers is not None and args.workers < 1:
        raise GradeError("--workers must be at least 1")
    check_gradebook(db_url, args.assignment)
    job_options = no_options
    if getattr(args, "no_sandbox", False):
        print(sandbox.NO_SANDBOX_WARNING, file=sys.stderr)
    else:
        try:
            sandbox.check_available()
        except sandbox.SandboxUnavailable as error:
            raise GradeError(str(error)) from None
        job_options = functools.partial(sandbox.job_options, course_dir)
    return Batch(
        course_dir=course_dir,
        assignment=args.assignment,
        db_url=db_url,
        workers=args.workers or 0,
        scheduler=args.scheduler or "",
        force=args.force,
        feedback=not args.no_feedback,
        students=tuple(args.student or ()),
        nbgrader_args=tuple(args.nbgrader_arg or ()),
        zip_regexp=args.zip_regexp,
        progress=not args.quiet,
        job_options=job_options,
    )


def parser():
    p = argparse.ArgumentParser(
        prog="python -m course grade", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("assignment", help="assignment id, e.g. cnn_step_by_step")
    p.add_argument("--course-dir", default=str(ROOT), help="the nbgrader course directory (default: this one)")
    p.add_argument("--db", help="gradebook URL (default: CourseDirectory.db_url, else gradebook.db)")
    p.add_argument("-j", "--workers", type=int, help="parallel workers (default: the machine's cores + 1)")
    p.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: local)")
    p.add_argument("--force", action="store_true", help="regrade submissions already graded")
    p.add_argument("--no-feedback", action="store_true", help="autograde only, no feedback pages")
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument(
        "--nbgrader-arg",
        action="append",
        metavar="OPTION",
        help="extra nbgrader option for every job, e.g. --nbgrader-arg=--Execute.timeout=30",
    )
    p.add_argument(
        "--zip-regexp",
        default=DEFAULT_ZIP_REGEXP,
        help="FileNameCollectorPlugin.named_regexp for LMS downloads (default: STUDENT_NOTEBOOK.ipynb)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run student code without bubblewrap (prints a warning; see README, Security)",
    )
    return p


def main(argv=None):
    skip_unused_imports()  # before nbgrader is imported: 3 s less start-up
    args = parser().parse_args(argv)
    try:
        batch = make_batch(args)
        outcome = grade(batch)
    except GradeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: what was graded is kept; run the same command again to finish", file=sys.stderr)
        return 130
    report = (batch.course_dir / "reports" / batch.assignment / "summary.txt").read_text()
    graded = sum(r.status == GRADED for r in outcome.results.values())
    print(
        f"graded {graded}, already graded {len(outcome.skipped)}, could not grade {len(outcome.failed)} "
        f"in {outcome.seconds:.1f} s"
    )
    print()
    print(report, end="")
    print()
    print(f"grades: {batch.course_dir / 'grades.csv'}, {batch.course_dir / 'grades_by_exercise.csv'}")
    print(
        f"report: {batch.course_dir / 'reports' / batch.assignment}/ (summary.txt, exercises.csv, "
        f"failures.csv, histogram.png)"
    )
    print(f"feedback: {batch.course_dir / 'feedback'}/<student>/{batch.assignment}/")
    return 0


def report_main(argv=None):
    """``python -m course report ASSIGNMENT``: rewrite and print the class report."""
    from .report import write_report

    p = argparse.ArgumentParser(prog="python -m course report", description="write the class report")
    p.add_argument("assignment")
    p.add_argument("--course-dir", default=str(ROOT))
    p.add_argument("--db")
    args = p.parse_args(argv)
    try:
        course_dir = course_directory(args.course_dir)
        check_assignment(course_dir, args.assignment)
        db_url = gradebook_url(course_dir, args.db)
        check_gradebook(db_url, args.assignment)
    except GradeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(write_report(course_dir, args.assignment, db_url, submitted_students(course_dir, args.assignment)))
    return 0


def grade_students(course_dir, students):
    """Autograde ``students`` of the course's assignment with the tool (the demo's ``grade`` hook)."""
    from .layout import ASSIGNMENT

    args = [ASSIGNMENT, "--course-dir", str(course_dir), "--force", "-q", "--no-feedback"]
    args += [f"--student={student}" for student in students]
    outcome = grade(make_batch(parser().parse_args(args)))
    if outcome.failed:
        raise GradeError("could not grade: " + "; ".join(f"{s}: {r}" for s, r in outcome.failed))
    return outcome
