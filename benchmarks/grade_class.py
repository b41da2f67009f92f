"""Benchmark: one class graded by sequential ``nbgrader autograde`` (now, and as it was before warm
kernels), and by ``python -m course grade``, side by side in one run.

    .venv/bin/python benchmarks/grade_class.py [--submissions 40] [--workers N] [--before REV]

In temp folders, builds a class (correct, vectorised, forward-only, buggy and untouched students,
cycled; every student submits the graded assignment, every student but forward-only the bonus) and
measures, one after the other, with the sandbox on:

1. sequential nbgrader now: ``nbgrader autograde ASSIGNMENT --force`` for the graded assignment and
   its bonus (one process, one notebook at a time, warm kernels);
2. the same at git revision ``--before`` (default: the last commit before warm kernels), on the
   same students' same notebooks: the speed-up of plain ``nbgrader autograde``;
3. the tool, ``--no-feedback``, both assignments, then the graded assignment alone: the tool against
   sequential nbgrader, and what a student who also hands in the bonus costs (per student, and per
   graded notebook);
4. the application: a few correct students graded by the tool, one worker, against nbclient running
   the same graded notebooks (hidden tests restored, the same timeout) in a fresh kernel each: the
   grader's overhead per notebook.

Every run must grade everything (the gradebook has every submission); the scores of every run must
be those of sequential nbgrader now. Prints wall times, seconds per student, and the ratios.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from course import demo, exercises, gradebook, release, sandbox, warm_kernels  # noqa: E402
from course.jobs import GRADED  # noqa: E402
from course.ledger import latest, ledger_path  # noqa: E402
from course.nbgrader_cli import nbgrader_env  # noqa: E402
from course.submissions import write_submission  # noqa: E402
from course.workers import default_workers  # noqa: E402

BEFORE = "62d93be"  # the last commit before warm kernels
COMPARED = [a for a in exercises.assignments() if a.name in ("cnn_step_by_step", "cnn_step_by_step_bonus")]
APPLICATION = "cnn_application"


class BenchError(RuntimeError):
    """A run did not grade everything."""


def build_class(course_dir, count):
    """``{assignment: {student: {function: code}}}`` of ``count`` students cycling through the demo
    class's kinds, and their submissions written for every assignment they submit."""
    names = sorted(demo.STUDENTS)
    code = {a.name: {} for a in COMPARED}
    for index in range(count):
        kind = names[index % len(names)]
        student = f"{kind}_{index:03d}"
        for assignment in COMPARED:
            kinds = demo.demo_class(course_dir, assignment)
            if kind in kinds:
                write_submission(
                    course_dir / "submitted" / student / assignment.name,
                    kinds[kind],
                    course_dir / "release" / assignment.name,
                )
                code[assignment.name][student] = kinds[kind]
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
for assignment, students in json.loads(Path(sys.argv[2]).read_text()).items():
    for student, code in students.items():
        write_submission(course_dir / "submitted" / student / assignment, code, course_dir / "release" / assignment)
"""


def before_course(temp, revision, code):
    """A course directory of the tool at ``revision`` (extracted from git), with the same students'
    same notebooks; returns ``(repository folder, course folder)``."""
    repo = Path(temp) / f"before-{revision}"
    repo.mkdir()
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive, check=True)
    classes = Path(temp) / "before-class.json"
    classes.write_text(json.dumps(code))
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


def sequential(course_dir):
    """Wall seconds of ``nbgrader autograde ASSIGNMENT --force`` for each compared assignment."""
    return sum(timed([sys.executable, "-m", "nbgrader", "autograde", a.name, "--force"], course_dir) for a in COMPARED)


def all_scores(course_dir, names):
    """``{assignment: {student: {function: points}}}`` read from the course's gradebook."""
    url = gradebook.resolve_url(course_dir)
    return {name: {s: g.exercises for s, g in gradebook.scores(url, name).items()} for name in names}


def nbclient_run(notebooks, timeout):
    """Wall seconds of nbclient executing each notebook in a fresh kernel of the sandboxed kernelspec,
    in its own folder (the grader's notebooks, hidden tests restored), one after the other."""
    import nbclient
    import nbformat

    started = time.perf_counter()
    for path in notebooks:
        nb = nbformat.read(str(path), as_version=4)
        client = nbclient.NotebookClient(
            nb, timeout=timeout, kernel_name=sandbox.KERNEL_NAME, resources={"metadata": {"path": str(path.parent)}}
        )
        client.allow_errors = True
        client.execute()
    return time.perf_counter() - started


def application_overhead(temp, students):
    """``(tool seconds per notebook, nbclient seconds per notebook)`` for ``students`` correct
    application notebooks, one worker, sandboxed, side by side."""
    course_dir = release.copy_course(Path(temp) / "application")
    release.build(course_dir, [APPLICATION])
    assignment = exercises.assignment(APPLICATION)
    code = demo.demo_class(course_dir, assignment)["correct"]
    for index in range(students):
        write_submission(
            course_dir / "submitted" / f"correct_{index:02d}" / APPLICATION, code, course_dir / "release" / APPLICATION
        )
    tool = tool_run(course_dir, 1, "--no-feedback", names=[APPLICATION])
    graded = sorted((course_dir / "autograded").glob(f"*/{APPLICATION}/{APPLICATION}.ipynb"))
    sandbox.install_kernelspec(course_dir)
    warm_kernels.register()
    os.environ["CNN_WARM_KERNELS"] = "off"
    try:
        bare = nbclient_run(graded, 120)
    finally:
        del os.environ["CNN_WARM_KERNELS"]
    return tool / students, bare / students


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40, help="students (default 40)")
    parser.add_argument("--workers", type=int, default=default_workers(), help="default: the tool's default")
    parser.add_argument("--before", default=BEFORE, help=f"git revision to compare with ({BEFORE})")
    parser.add_argument("--application", type=int, default=4, help="application notebooks (default 4)")
    args = parser.parse_args(argv)
    n, workers = args.submissions, args.workers
    names = [a.name for a in COMPARED]
    with tempfile.TemporaryDirectory(prefix="cnn-bench-") as temp:
        os.environ.setdefault("MPLBACKEND", "Agg")
        course_dir = release.copy_course(Path(temp) / "now")
        release.build(course_dir)
        code = build_class(course_dir, n)
        repo, before_dir = before_course(temp, args.before, code)
        notebooks = sum(len(students) for students in code.values())
        print(f"{n} students ({notebooks} notebooks), {os.cpu_count()} cores, {workers} workers, sandbox on; {load()}")

        def row(label, wall, per=n, unit="student"):
            print(f"  {label:<62}{wall:7.1f} s {wall / per:6.2f} s/{unit}   {load()}", flush=True)
            return wall

        now = row("sequential nbgrader autograde now (both assignments)", sequential(course_dir))
        reference = all_scores(course_dir, names)
        before = row(f"sequential nbgrader autograde at {args.before}", sequential(before_dir))
        if all_scores(before_dir, names) != reference:
            raise BenchError(f"the scores at {args.before} differ from the scores now")
        tool = row("tool, autograde only, both assignments", tool_run(course_dir, workers, "--no-feedback"))
        if all_scores(course_dir, names) != reference:
            raise BenchError("the tool's scores differ from sequential nbgrader's")
        graded_only = row(
            "tool, autograde only, the graded assignment alone",
            tool_run(course_dir, workers, "--no-feedback", names=[names[0]]),
        )
        tool_notebook, bare_notebook = application_overhead(temp, args.application)
        row("application: tool, one worker", tool_notebook, 1, "notebook")
        row("application: nbclient, same notebooks, fresh kernel each", bare_notebook, 1, "notebook")
        with_bonus = len(code[names[1]])
        per_student, per_notebook = tool / graded_only, (tool / notebooks) / (graded_only / n)
        print()
        print(f"the tool vs sequential nbgrader autograde now:      {now / tool:5.2f}x faster")
        print(f"plain nbgrader autograde now vs at {args.before}:      {before / now:5.2f}x faster")
        print(f"the tool, both assignments vs the graded one alone: {per_student:5.2f}x per student")
        print(f"  per graded notebook:                              {per_notebook:5.2f}x")
        print(f"  ({with_bonus} of {n} students hand in the bonus)")
        overhead = tool_notebook - bare_notebook
        print(f"application, the tool's overhead over nbclient:     {overhead:+5.2f} s per notebook")


if __name__ == "__main__":
    main()
