"""What the grading sandbox costs: per-submission autograde time with and without bubblewrap.

Builds a temp course, writes N correct submissions (the same batch for both modes) and times one
``nbgrader autograde`` run over the whole batch, plain and sandboxed, alternating the order over
``--rounds``. Prints seconds per submission for each mode and the ratio.

    .venv/bin/python benchmarks/sandbox_cost.py [--students 10] [--rounds 2]
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course import exercises, gradebook, release, sandbox  # noqa: E402
from course.nbgrader_cli import run_nbgrader  # noqa: E402
from course.submissions import solution_code, write_submission  # noqa: E402

ASSIGNMENT = exercises.assignments()[0]


def time_batch(course_dir, sandboxed):
    """Seconds for one ``nbgrader autograde --force`` over every submission (the course's
    configuration, with ``CNN_SANDBOX=off`` when not sandboxed); checks full marks."""
    env = {} if sandboxed else {"CNN_SANDBOX": "off"}
    start = time.perf_counter()
    run_nbgrader(course_dir, "autograde", ASSIGNMENT.name, "--force", env=env)
    seconds = time.perf_counter() - start
    found = gradebook.scores(gradebook.resolve_url(course_dir), ASSIGNMENT.name)
    assert all(s.total == ASSIGNMENT.points for s in found.values()), found
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    sandbox.require()
    work = Path(tempfile.mkdtemp(prefix="sandbox-cost-"))
    try:
        course_dir = release.copy_course(work / "course")
        release.build(course_dir)
        name = ASSIGNMENT.name
        code = solution_code(course_dir / "source" / name / ASSIGNMENT.notebook)
        for i in range(args.students):
            write_submission(course_dir / "submitted" / f"s{i:02d}" / name, code, course_dir / "release" / name)
        times = {False: [], True: []}
        for round_ in range(args.rounds):
            for sandboxed in (False, True) if round_ % 2 == 0 else (True, False):
                times[sandboxed].append(time_batch(course_dir, sandboxed) / args.students)
        plain, boxed = statistics.median(times[False]), statistics.median(times[True])
        print(
            f"{args.students} correct submissions, {args.rounds} rounds, one nbgrader process, median per submission:"
        )
        print(f"  plain      {plain:.2f} s   (rounds: {', '.join(f'{t:.2f}' for t in times[False])})")
        print(f"  sandboxed  {boxed:.2f} s   (rounds: {', '.join(f'{t:.2f}' for t in times[True])})")
        print(f"  ratio      {boxed / plain:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
