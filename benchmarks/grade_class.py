"""Benchmark: a class graded by plain sequential ``nbgrader autograde`` and by ``python -m course grade``.

    .venv/bin/python benchmarks/grade_class.py [--submissions 40] [--workers N]

In a temp copy of the course, builds a class (correct, vectorised, forward-only, buggy and untouched
submissions, cycled) and measures, on the same corpus:

- nbclient only: every notebook executed by nbclient in N warm worker processes (no nbgrader), the
  floor for any grader: kernel start-up plus the notebook's own run time;
- sequential nbgrader: ``nbgrader autograde ASSIGNMENT`` (one process, one notebook at a time),
  then ``nbgrader generate_feedback ASSIGNMENT``;
- the tool: ``python -m course grade ASSIGNMENT --force`` with N workers (autograde + feedback +
  export + report), and ``--no-feedback`` to compare with autograde alone.

Prints the times, the ratios and the seconds per submission.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from course import demo, release  # noqa: E402
from course.layout import ASSIGNMENT, NOTEBOOK  # noqa: E402
from course.nbgrader_cli import nbgrader_env, run_nbgrader  # noqa: E402
from course.submissions import write_submission  # noqa: E402


def build_class(course_dir, count):
    """Write ``count`` submissions cycling through the demo class's kinds; return their ids."""
    kinds = demo.demo_class(course_dir)
    names = sorted(kinds)
    students = []
    for index in range(count):
        kind = names[index % len(names)]
        student = f"{kind}_{index:03d}"
        write_submission(course_dir / "submitted" / student / ASSIGNMENT, kinds[kind],
                         course_dir / "release" / ASSIGNMENT)
        students.append(student)
    return students


def _execute(args):
    """Execute one notebook with nbclient (in the assignment's folder); return the seconds."""
    notebook, folder = args
    import nbclient
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    started = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=60, allow_errors=True,
                            resources={"metadata": {"path": folder}}).execute()
    return time.perf_counter() - started


def _warm(_):
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401
    return os.getpid()


def nbclient_only(course_dir, students, workers):
    """Wall time to execute every submission with nbclient in ``workers`` warm processes."""
    folder = str(course_dir / "source" / ASSIGNMENT)
    jobs = [(str(course_dir / "submitted" / s / ASSIGNMENT / NOTEBOOK), folder) for s in students]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_warm, range(workers * 2)))
        started = time.perf_counter()
        per_notebook = list(pool.map(_execute, jobs))
        wall = time.perf_counter() - started
    return wall, sum(per_notebook) / len(per_notebook)


def timed(command, course_dir):
    started = time.perf_counter()
    subprocess.run(command, cwd=course_dir, env=nbgrader_env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    n, workers = args.submissions, args.workers

    with tempfile.TemporaryDirectory(prefix="cnn-bench-") as temp:
        os.environ.setdefault("MPLBACKEND", "Agg")
        sequential_dir = release.copy_course(Path(temp) / "sequential")
        release.build(sequential_dir)
        students = build_class(sequential_dir, n)
        tool_dir = Path(temp) / "tool"
        shutil.copytree(sequential_dir, tool_dir)
        print(f"{n} submissions, {workers} workers, {os.cpu_count()} cores", flush=True)

        exec_wall, exec_each = nbclient_only(sequential_dir, students, workers)
        print(f"nbclient only ({workers} warm processes): {exec_wall:7.1f} s  "
              f"{exec_wall / n:5.2f} s/submission  ({exec_each:.2f} s per notebook run alone-ish)", flush=True)

        nbgrader = [sys.executable, "-m", "nbgrader"]
        seq_autograde = timed(nbgrader + ["autograde", ASSIGNMENT, "--force"], sequential_dir)
        print(f"sequential nbgrader autograde:          {seq_autograde:7.1f} s  {seq_autograde / n:5.2f} s/submission",
              flush=True)
        seq_feedback = timed(nbgrader + ["generate_feedback", ASSIGNMENT, "--force"], sequential_dir)
        print(f"sequential nbgrader generate_feedback:  {seq_feedback:7.1f} s  {seq_feedback / n:5.2f} s/submission",
              flush=True)

        tool = [sys.executable, "-m", "course", "grade", ASSIGNMENT, "--course-dir", str(tool_dir),
                "--force", "-q", "--workers", str(workers)]
        tool_autograde = timed(tool + ["--no-feedback"], HERE.parent)
        print(f"tool, autograde only (+export, report): {tool_autograde:7.1f} s  {tool_autograde / n:5.2f} s/submission",
              flush=True)
        tool_full = timed(tool, HERE.parent)
        print(f"tool, autograde + feedback (+export):   {tool_full:7.1f} s  {tool_full / n:5.2f} s/submission",
              flush=True)

        print()
        print(f"speed-up, autograde:            {seq_autograde / tool_autograde:.2f}x  (target >= 1.8x)")
        print(f"speed-up, autograde + feedback: {(seq_autograde + seq_feedback) / tool_full:.2f}x")
        print(f"tool cost per submission / nbclient-only: {tool_autograde / exec_wall:.2f}x  (target <= 1.3x)")
        timings = ledger_timings(tool_dir)
        if timings:
            print("inside the tool's jobs (mean per submission, workers running in parallel): "
                  + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))


def ledger_timings(course_dir):
    from course.ledger import latest, ledger_path

    results = latest(ledger_path(course_dir, ASSIGNMENT)).values()
    phases = {}
    for result in results:
        for phase, seconds in result.seconds.items():
            phases.setdefault(phase, []).append(seconds)
    return {phase: sum(v) / len(v) for phase, v in phases.items()}


if __name__ == "__main__":
    main()
