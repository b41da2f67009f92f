"""Benchmark: one class graded by plain sequential ``nbgrader`` and by ``python -m course grade``.

    .venv/bin/python benchmarks/grade_class.py [--submissions 40] [--workers N] [--sandbox both|off|on]

In a temp copy of the course, builds a class (correct, vectorised, forward-only, buggy and untouched
submissions, cycled) and measures, one after the other on the same corpus:

1. sequential nbgrader: ``nbgrader autograde ASSIGNMENT --force`` (one process, one notebook at a
   time), then ``nbgrader generate_feedback ASSIGNMENT --force``;
2. the nbclient baseline, the floor for any grader that runs the same code the same way: the
   notebooks autograde executed (step 1's ``autograded/`` copies: the student's cells with the
   instructor's test cells, hidden tests included; outputs cleared), each executed by nbclient
   with a fresh kernel, in their graded folders, by as many warm processes as the tool has workers;
3. the tool, ``--no-feedback`` (autograde only; like for like with 1's autograde), then with
   feedback (like for like with 1's autograde + generate_feedback), each with export and report,
   unsandboxed (``--no-sandbox``, like plain nbgrader) and sandboxed (the tool's default).

After every tool run it checks the work was done: every submission graded in the ledger, every
autograded notebook rewritten, and every student's gradebook scores equal to step 1's.
Prints wall times, seconds per submission, the ratios and where the tool's time goes.
"""

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from course import demo, release  # noqa: E402
from course.workers import default_workers  # noqa: E402
from course.layout import ASSIGNMENT, NOTEBOOK  # noqa: E402
from course.nbgrader_cli import nbgrader_env  # noqa: E402
from course.submissions import write_submission  # noqa: E402

SCORES = """SELECT submitted_assignment.student_id, base_cell.name,
                   COALESCE(grade.manual_score, grade.auto_score)
            FROM grade JOIN base_cell ON grade.cell_id = base_cell.id
            JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id
            JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id"""


class BenchError(RuntimeError):
    """A graded run did not do all the work."""


def build_class(course_dir, count):
    """Write ``count`` submissions cycling through the demo class's kinds; return their ids."""
    kinds = demo.demo_class(course_dir)
    names = sorted(kinds)
    students = []
    for index in range(count):
        kind = names[index % len(names)]
        student = f"{kind}_{index:03d}"
        write_submission(
            course_dir / "submitted" / student / ASSIGNMENT, kinds[kind], course_dir / "release" / ASSIGNMENT
        )
        students.append(student)
    return students


def load():
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def timed(command, cwd):
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=nbgrader_env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


# --- the nbclient baseline ------------------------------------------------------------------------


def _execute(folder):
    """Execute ``folder``'s notebook (outputs cleared) with nbclient and a fresh kernel; seconds."""
    import nbclient
    import nbformat

    nb = nbformat.read(os.path.join(folder, NOTEBOOK), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    started = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=30, allow_errors=True, resources={"metadata": {"path": folder}}).execute()
    return time.perf_counter() - started


def nbclient_baseline(course_dir, students, workers):
    """``(wall, mean seconds per notebook)`` to execute the graded notebooks with nbclient in
    ``workers`` processes (forked after importing nbclient, as the tool's workers are)."""
    import nbclient  # noqa: F401  (imported before the fork: warm workers)
    import nbformat  # noqa: F401

    from course.workers import LocalPool

    folders = [str(course_dir / "autograded" / s / ASSIGNMENT) for s in students]
    started = time.perf_counter()
    with LocalPool(_execute, workers, log_file=os.devnull) as pool:  # kernels: quiet
        for folder in folders:
            pool.submit(folder)
        seconds = [value for _, value, error in pool.completed() if error is None]
    wall = time.perf_counter() - started
    if len(seconds) != len(folders):
        raise BenchError("nbclient baseline: a worker died")
    return wall, sum(seconds) / len(seconds)


# --- checking and explaining a tool run -----------------------------------------------------------


def scores(course_dir):
    with sqlite3.connect(course_dir / "gradebook.db") as db:
        return sorted(db.execute(SCORES).fetchall())


def check_run(course_dir, students, started, expected):
    """Raise BenchError unless every student is graded, rewritten and scored as ``expected``."""
    from course.ledger import latest, ledger_path

    results = latest(ledger_path(course_dir, ASSIGNMENT))
    bad = [s for s in students if s not in results or results[s].status != "graded" or results[s].started < started]
    if bad:
        raise BenchError(
            "not graded by this run: "
            + "; ".join(
                f"{s}: {results[s].status} {results[s].reason}" if s in results else f"{s}: not in the ledger"
                for s in bad
            )
        )
    stale = [s for s in students if (course_dir / "autograded" / s / ASSIGNMENT / NOTEBOOK).stat().st_mtime < started]
    if stale:
        raise BenchError(f"autograded notebooks not rewritten: {', '.join(stale)}")
    if scores(course_dir) != expected:
        raise BenchError("the tool's gradebook scores differ from sequential nbgrader's")
    return [results[s] for s in students]


def mean_autograde(results):
    return sum(r.seconds.get("autograde", 0.0) for r in results) / len(results)


def breakdown(results, started, ended):
    """Where a tool run's time went, from its ledger: start-up, the jobs, the end (export, report)."""
    first = min(r.started for r in results)
    last = max(r.finished for r in results)
    phases = {}
    for result in results:
        for phase, seconds in result.seconds.items():
            phases[phase] = phases.get(phase, 0.0) + seconds / len(results)
    jobs = ", ".join(f"{k} {v:.2f} s" for k, v in phases.items() if v >= 0.005)
    return (
        f"start-up {first - started:.1f} s, jobs {last - first:.1f} s (mean per job: {jobs}), "
        f"export + report {ended - last:.1f} s"
    )


def tool_run(tool_dir, students, workers, expected, *options):
    command = [
        sys.executable,
        "-m",
        "course",
        "grade",
        ASSIGNMENT,
        "--course-dir",
        str(tool_dir),
        "--force",
        "-q",
        "--workers",
        str(workers),
        *options,
    ]
    started = time.time()
    wall = timed(command, HERE.parent)
    try:
        results = check_run(tool_dir, students, started, expected)
    except BenchError:
        log = tool_dir / "reports" / ASSIGNMENT / "workers.log"
        print("\n".join(line for line in log.read_text().splitlines() if "without encryption" not in line)[-6000:])
        raise
    return wall, breakdown(results, started, started + wall), mean_autograde(results)


# --- main ---------------------------------------------------------------------------------------


def sandbox_modes(choice):
    if choice == "off" or (choice == "both" and shutil.which("bwrap") is None):
        return [False]
    return {"on": [True], "both": [False, True]}[choice]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="the tool's workers and the baseline's processes (default: the tool's default)",
    )
    parser.add_argument(
        "--sandbox",
        choices=("both", "off", "on"),
        default="both",
        help="tool runs without and/or with the bubblewrap sandbox (default: both, if bwrap is here)",
    )
    args = parser.parse_args(argv)
    n, workers = args.submissions, args.workers

    with tempfile.TemporaryDirectory(prefix="cnn-bench-") as temp:
        os.environ.setdefault("MPLBACKEND", "Agg")
        sequential_dir = release.copy_course(Path(temp) / "sequential")
        release.build(sequential_dir)
        students = build_class(sequential_dir, n)
        tool_dir = Path(temp) / "tool"
        shutil.copytree(sequential_dir, tool_dir)
        print(f"{n} submissions, {os.cpu_count()} cores, tool: {workers} workers; {load()}", flush=True)
        rows = []

        def row(label, wall, note=""):
            rows.append((label, wall))
            print(f"  {label:<44}{wall:7.1f} s {wall / n:6.2f} s/sub   {note}{load()}", flush=True)

        nbgrader = [sys.executable, "-m", "nbgrader"]
        seq_autograde = timed(nbgrader + ["autograde", ASSIGNMENT, "--force"], sequential_dir)
        row("sequential nbgrader autograde", seq_autograde)
        seq_feedback = timed(nbgrader + ["generate_feedback", ASSIGNMENT, "--force"], sequential_dir)
        row("sequential nbgrader generate_feedback", seq_feedback)
        expected = scores(sequential_dir)

        base_wall, base_each = nbclient_baseline(sequential_dir, students, workers)
        row(f"nbclient baseline ({workers} processes)", base_wall, f"({base_each:.2f} s per notebook) ")

        runs = {}
        for sandboxed in sandbox_modes(args.sandbox):
            flag = [] if sandboxed else ["--no-sandbox"]
            name = "sandboxed" if sandboxed else "no sandbox"
            for feedback in (False, True):
                options = flag + ([] if feedback else ["--no-feedback"])
                wall, where, each = tool_run(tool_dir, students, workers, expected, *options)
                runs[sandboxed, feedback] = wall, where, each
                row(f"tool, {'autograde + feedback' if feedback else 'autograde only'}, {name}", wall)

        print()
        print(
            f"nbclient baseline: the {n} notebooks as autograde executes them (instructor test cells, hidden "
            f"tests included), each with a fresh kernel (nbclient defaults, timeout 30 s), {workers} processes."
        )
        for sandboxed in sandbox_modes(args.sandbox):
            name = "sandboxed" if sandboxed else "no sandbox"
            autograde, where, each = runs[sandboxed, False]
            full, where_full, _ = runs[sandboxed, True]
            print(f"tool ({name}):")
            print(
                f"  autograde only vs sequential nbgrader autograde:      {seq_autograde / autograde:5.2f}x faster"
                + ("  (target >= 1.8x)" if not sandboxed else "")
            )
            print(
                f"  autograde + feedback vs sequential autograde + generate_feedback: "
                f"{(seq_autograde + seq_feedback) / full:5.2f}x faster"
            )
            print(
                f"  autograde only, s/submission vs the nbclient baseline: {autograde / base_wall:5.2f}x"
                + ("  (target <= 1.3x)" if not sandboxed else "")
            )
            print(f"  where the time goes, autograde only: {where}")
            print(f"  where the time goes, with feedback:  {where_full}")
            print(
                f"  per submission, {workers} at a time: nbgrader autograde {each:.2f} s against nbclient's "
                f"{base_each:.2f} s for the same notebook: {each - base_each:+.2f} s of nbgrader's own work (two "
                f"notebook reads and writes, validation after every step, ~9 gradebook connections)"
                + (" and the sandbox" if sandboxed else "")
            )


if __name__ == "__main__":
    main()
