"""The grading tool's command lines: ``python -m course grade`` and ``python -m course report``.

``grade`` grades every submission of one or more assignments (course.batch), then exports
nbgrader's ``grades.csv`` and the course's ``grades_by_exercise.csv`` (course.gradebook) and writes
the class report (course.report). Bad input is a one-line error and exit status 2.
"""

import argparse
import sys
from pathlib import Path

from . import exercises, sandbox
from .batch import DEFAULT_ZIP_REGEXP, Batch, BatchError, run, submitted_students
from .gradebook import GradebookError, check_assignment, resolve_url
from .jobs import GRADED, skip_unused_imports
from .layout import ROOT


class UsageError(RuntimeError):
    """Bad input: the message is one line for the instructor."""


def course_directory(path):
    path = Path(path).resolve()
    if not (path / "nbgrader_config.py").is_file():
        raise UsageError(f"not an nbgrader course directory: {path} (no nbgrader_config.py)")
    return path


def course_assignment(course_dir, name):
    """Check that ``name`` is one of the course's assignments, with a source folder."""
    try:
        exercises.assignment(name)
    except KeyError as error:
        raise UsageError(str(error).strip("'\"")) from None
    if not (course_dir / "source" / name).is_dir():
        raise UsageError(f"no source/{name} in {course_dir}")
    return name


def grade_parser():
    p = argparse.ArgumentParser(
        prog="python -m course grade",
        description="Grade every submission of the assignments (default: each one with submissions): "
        "collect LMS zips, autograde and generate feedback in parallel, export grades, write the report.",
    )
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="e.g. cnn_step_by_step")
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
        help="extra nbgrader option for every job, e.g. --nbgrader-arg=--Execute.timeout=60",
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
        help="run student code without bubblewrap (CNN_SANDBOX=off; prints a warning; see README, Security)",
    )
    return p


def make_batches(args):
    """Checked Batches (one per assignment) from parsed ``grade`` arguments."""
    course_dir = course_directory(args.course_dir)
    names = args.assignments or [a.name for a in exercises.assignments() if submitted_students(course_dir, a.name)]
    if not names:
        raise UsageError(f"no submissions in {course_dir / 'submitted'}: nothing to grade")
    names = [course_assignment(course_dir, name) for name in names]
    db_url = resolve_url(course_dir, args.db)
    if args.scheduler and db_url.startswith("sqlite"):
        raise UsageError(
            "a Dask cluster needs a gradebook every machine can reach: pass --db postgresql://user@host/db"
        )
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    for name in names:
        check_assignment(db_url, name)
    env = ()
    if args.no_sandbox:
        print(f"WARNING: {sandbox.NO_SANDBOX_WARNING}", file=sys.stderr)
        env = (("CNN_SANDBOX", "off"),)
    else:
        try:
            sandbox.require()
        except SystemExit as stop:
            raise UsageError(str(stop).removeprefix("error: ")) from None
    return [
        Batch(
            course_dir=course_dir,
            assignment=name,
            db_url=db_url,
            workers=args.workers or 0,
            scheduler=args.scheduler or "",
            force=args.force,
            feedback=not args.no_feedback,
            students=tuple(args.student or ()),
            nbgrader_args=tuple(args.nbgrader_arg or ()),
            env=env,
            zip_regexp=args.zip_regexp,
            progress=not args.quiet,
        )
        for name in names
    ]


def grade_main(argv=None):
    """``python -m course grade``: returns the exit status."""
    from . import gradebook, report

    skip_unused_imports()  # before nbgrader is imported: 3 s less start-up
    args = grade_parser().parse_args(argv)
    try:
        batches = make_batches(args)
        outcomes = {batch.assignment: run(batch) for batch in batches}
        course_dir, db_url = batches[0].course_dir, batches[0].db_url
        gradebook.export(course_dir, db_url)
        text = report.write(course_dir, db_url, list(outcomes))
    except (UsageError, BatchError, GradebookError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: what was graded is kept; run the same command again to finish", file=sys.stderr)
        return 130
    for name, outcome in outcomes.items():
        graded = sum(r.status == GRADED for r in outcome.results.values())
        print(
            f"{name}: graded {graded}, already graded {len(outcome.skipped)}, "
            f"could not grade {len(outcome.failed)} in {outcome.seconds:.1f} s"
        )
    print()
    print(text)
    print()
    print(f"grades: {course_dir / 'grades.csv'} (nbgrader's export), {course_dir / 'grades_by_exercise.csv'}")
    print(f"report: {course_dir / 'reports'}/ (histogram.png; per assignment: summary.txt, students.csv, ...)")
    print(f"feedback: {course_dir / 'feedback'}/<student>/<assignment>/")
    return 0


def report_main(argv=None):
    """``python -m course report``: rewrite and print the class report from the gradebook."""
    from . import report

    p = argparse.ArgumentParser(prog="python -m course report", description="write the class report")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: every assignment")
    p.add_argument("--course-dir", default=str(ROOT))
    p.add_argument("--db")
    args = p.parse_args(argv)
    try:
        course_dir = course_directory(args.course_dir)
        names = [course_assignment(course_dir, name) for name in args.assignments] or None
        db_url = resolve_url(course_dir, args.db)
        text = report.write(course_dir, db_url, names)
    except (UsageError, GradebookError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(text)
    return 0
