"""Benchmark: one class graded by sequential ``nbgrader autograde``, by ``python -m course grade``, and
by the grading tool as it was before grading moved out of the student's kernel, side by side.

    .venv/bin/python benchmarks/grade_class.py [--submissions 40] [--workers N] [--before REV]

In temp folders, builds a class (correct, vectorised, forward-only, buggy and untouched students,
cycled; every student submits the graded assignment, every student but forward-only the bonus) and
measures, one after the other, with the sandbox on (the graded assignment and its bonus: what the
notebook before the redesign held; the application is new work, timed by ``make bench-layers``):

1. sequential nbgrader: ``nbgrader autograde ASSIGNMENT --force`` for each assignment (one process,
   one notebook at a time, as nbgrader_config.py sets it up: sandboxed, graded outside the kernel);
2. the tool, ``--no-feedback`` (autograde only), then with feedback, each with export and report;
3. the tool at git revision ``--before`` (default: the last commit before the redesign, when the
   optional backward pass was part of the graded notebook and every check ran inside the student's
   kernel), on the same students' same code in that revision's single notebook, same workers.

Each tool run must grade everything: the ledger says graded for every submission. Prints wall times,
seconds per student, and the ratios: the tool against sequential nbgrader, and now against before,
per student (two notebooks now, one before) and for the graded notebook alone.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from course import demo, exercises, release  # noqa: E402
from course.jobs import GRADED  # noqa: E402
from course.ledger import latest, ledger_path  # noqa: E402
from course.nbgrader_cli import nbgrader_env  # noqa: E402
from course.submissions import write_submission  # noqa: E402
from course.workers import default_workers  # noqa: E402

BEFORE = "d25bf2a"  # the last commit whose tool graded inside the student's kernel
# The assignments that hold what the notebook before the redesign held (the application is new work).
COMPARED = [a for a in exercises.assignments() if a.name in ("cnn_step_by_step", "cnn_step_by_step_bonus")]


class BenchError(RuntimeError):
    """A run did not grade everything."""


def build_class(course_dir, count):
    """``{student: {function: code}}`` of ``count`` students cycling through the demo class's kinds,
    and their submissions written for every assignment they submit."""
    names = sorted(demo.STUDENTS)
    code = {}
    for index in range(count):
        kind = names[index % len(names)]
        student = f"{kind}_{index:03d}"
        code[student] = {}
        for assignment in COMPARED:
            kinds = demo.demo_class(course_dir, assignment)
            if kind in kinds:
                write_submission(
                    course_dir / "submitted" / student / assignment.name,
                    kinds[kind],
                    course_dir / "release" / assignment.name,
                )
                code[student].update(kinds[kind])
    return code


def load():
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def timed(command, cwd):
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=nbgrader_env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def check_graded(course_dir, assignment, started):
    """Raise BenchError unless every submission of ``assignment`` was graded by the run that began at
    ``started``; return how many."""
    students = sorted(p.parent.name for p in (course_dir / "submitted").glob(f"*/{assignment}"))
    results = latest(ledger_path(course_dir, assignment))
    bad = [s for s in students if s not in results or results[s].status != GRADED or results[s].started < started]
    if bad:
        raise BenchError(f"{assignment}: not graded by this run: {', '.join(bad[:5])}")
    return len(students)


def grade_command(names, course_dir, workers, options):
    """``python -m course grade NAMES --force`` for ``course_dir`` (no names: every assignment)."""
    where = ["--course-dir", str(course_dir), "--force", "-q", "--workers", str(workers)]
    return [sys.executable, "-m", "course", "grade", *names, *where, *options]


def tool_run(course_dir, workers, *options, names=()):
    """Wall seconds of ``python -m course grade --force`` (``names``, default: every assignment with
    submissions)."""
    started = time.time()
    wall = timed(grade_command(names, course_dir, workers, options), ROOT)
    for assignment in exercises.assignments():
        if (assignment.name in names or not names) and any((course_dir / "submitted").glob(f"*/{assignment.name}")):
            check_graded(course_dir, assignment.name, started)
    return wall


# --- the tool before the redesign ---------------------------------------------------------------

BEFORE_SETUP = """
import sys
from pathlib import Path
sys.path.insert(0, ".")
from course import release
from course.submissions import write_submission
import json
course_dir = release.copy_course(Path(sys.argv[1]))
release.build(course_dir)
release_dir = course_dir / "release" / "cnn_step_by_step"
for student, code in json.loads(Path(sys.argv[2]).read_text()).items():
    write_submission(course_dir / "submitted" / student / "cnn_step_by_step", code, release_dir)
"""


def before_course(temp, revision, code):
    """A course directory of the tool at ``revision`` (extracted from git), with the same students'
    same functions in its single notebook; returns ``(repository folder, course folder)``."""
    repo = Path(temp) / f"before-{revision}"
    repo.mkdir()
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive, check=True)
    classes = Path(temp) / "before-class.json"
    classes.write_text(__import__("json").dumps(code))
    course_dir = Path(temp) / "before-course"
    subprocess.run(
        [sys.executable, "-c", BEFORE_SETUP, str(course_dir), str(classes)],
        cwd=repo,
        env=nbgrader_env(),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return repo, course_dir


def before_run(repo, course_dir, workers, *options):
    """Wall seconds of the tool at the earlier revision (checked out in ``repo``) grading its notebook."""
    started = time.time()
    wall = timed(grade_command(["cnn_step_by_step"], course_dir, workers, options), repo)
    check_graded(course_dir, "cnn_step_by_step", started)
    return wall


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40, help="students (default 40)")
    parser.add_argument("--workers", type=int, default=default_workers(), help="default: the tool's default")
    parser.add_argument("--before", default=BEFORE, help=f"git revision of the tool to compare with ({BEFORE})")
    args = parser.parse_args(argv)
    n, workers = args.submissions, args.workers
    with tempfile.TemporaryDirectory(prefix="cnn-bench-") as temp:
        os.environ.setdefault("MPLBACKEND", "Agg")
        course_dir = release.copy_course(Path(temp) / "now")
        release.build(course_dir)
        code = build_class(course_dir, n)
        repo, before_dir = before_course(temp, args.before, code)
        print(f"{n} students, {os.cpu_count()} cores, {workers} workers, sandbox on; {load()}", flush=True)

        def row(label, wall):
            print(f"  {label:<58}{wall:7.1f} s {wall / n:6.2f} s/student   {load()}", flush=True)
            return wall

        sequential = sum(
            timed([sys.executable, "-m", "nbgrader", "autograde", a.name, "--force"], course_dir) for a in COMPARED
        )
        row("sequential nbgrader autograde (both assignments)", sequential)
        now = row("tool now, autograde only, both assignments", tool_run(course_dir, workers, "--no-feedback"))
        now_graded = row(
            "tool now, autograde only, the graded assignment",
            tool_run(course_dir, workers, "--no-feedback", names=[exercises.assignments()[0].name]),
        )
        before = row(
            f"tool at {args.before}, autograde only (one notebook)",
            before_run(repo, before_dir, workers, "--no-feedback"),
        )
        now_full = row("tool now, autograde + feedback, both assignments", tool_run(course_dir, workers))
        before_full = row(f"tool at {args.before}, autograde + feedback", before_run(repo, before_dir, workers))
        print()
        print(f"tool now vs sequential nbgrader autograde:              {sequential / now:5.2f}x faster")
        print(f"tool now vs before, per student (2 notebooks vs 1), autograde only: {now / before:5.2f}x the time")
        print(f"tool now vs before, per student, autograde + feedback:             {now_full / before_full:5.2f}x")
        print(f"tool now vs before, the graded notebook alone vs the old notebook: {now_graded / before:5.2f}x")


if __name__ == "__main__":
    main()
