"""Soak: grade the whole bug corpus several times in a row and check that every run grades every
submission with the same scores.

    .venv/bin/python benchmarks/soak.py [--runs 5] [--workers N] [--load N]

In a temp copy of the course, every variant of tests/corpus/ (bugs, correct and noisy ones) becomes a
submission of its assignment, as in tests/test_bug_corpus.py. Then ``python -m course grade --force``
(sandbox on, default workers, feedback) runs ``--runs`` times. After each run the ledger must say
every submission was graded, and every student's scores (read from the gradebook) must equal the
first run's. ``--load N`` keeps N busy processes running meanwhile, to grade on a loaded machine.
Exits 1 if any run failed a submission or changed a score.
"""

import argparse
import multiprocessing
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from corpus.catalog import load_variants  # noqa: E402

from course import exercises, gradebook, release  # noqa: E402
from course.jobs import GRADED  # noqa: E402
from course.ledger import latest, ledger_path  # noqa: E402
from course.nbgrader_cli import nbgrader_env  # noqa: E402
from course.submissions import solution_code, write_submission  # noqa: E402


def build_class(course_dir):
    """Every corpus variant as a submission of its assignment; returns ``{assignment: [students]}``."""
    students = {a.name: [] for a in exercises.assignments()}
    for variant in load_variants("bugs") + load_variants("correct") + load_variants("noisy"):
        name = variant.assignment
        code = solution_code(course_dir / "source" / name / f"{name}.ipynb")
        code[variant.function] = variant.source
        write_submission(course_dir / "submitted" / variant.name / name, code, course_dir / "release" / name)
        students[name].append(variant.name)
    return students


def snapshot(course_dir, students):
    """``(scores, problems)``: every student's exercise scores, and what the ledger says went wrong."""
    url = gradebook.resolve_url(course_dir)
    scores, problems = {}, []
    for name, names in students.items():
        graded = gradebook.scores(url, name)
        results = latest(ledger_path(course_dir, name))
        for student in names:
            result = results.get(student)
            if result is None or result.status != GRADED:
                problems.append(f"{name}/{student}: {result.status + ' ' + result.reason if result else 'no result'}")
            scores[name, student] = graded[student].exercises if student in graded else None
    return scores, problems


def _burn():
    while True:
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=0, help="default: the tool's default (cores + 1)")
    parser.add_argument("--load", type=int, default=0, help="busy processes running meanwhile")
    args = parser.parse_args(argv)
    burners = [multiprocessing.Process(target=_burn, daemon=True) for _ in range(args.load)]
    with tempfile.TemporaryDirectory(prefix="cnn-soak-") as temp:
        course_dir = release.copy_course(Path(temp) / "course")
        release.build(course_dir)
        students = build_class(course_dir)
        total = sum(map(len, students.values()))
        print(
            f"soak: {total} submissions ({', '.join(f'{len(v)} of {k}' for k, v in students.items())}), "
            f"{args.runs} runs, load {args.load}",
            flush=True,
        )
        command = [sys.executable, "-m", "course", "grade", "--course-dir", str(course_dir), "--force", "-q"]
        if args.workers:
            command += ["--workers", str(args.workers)]
        for burner in burners:
            burner.start()
        first, failures = None, 0
        try:
            for run in range(1, args.runs + 1):
                started = time.perf_counter()
                finished = subprocess.run(command, cwd=HERE.parent, env=nbgrader_env(), capture_output=True, text=True)
                wall = time.perf_counter() - started
                scores, problems = snapshot(course_dir, students)
                if finished.returncode != 0:
                    problems.append(f"exit status {finished.returncode}: {finished.stderr.strip()[-300:]}")
                changed = (
                    [] if first is None else sorted(f"{a}/{s}" for (a, s), v in scores.items() if v != first[a, s])
                )
                first = first or scores
                ok = not problems and not changed
                failures += not ok
                print(
                    f"run {run}: {wall:6.1f} s, {total - len(problems)} of {total} graded, "
                    f"{'same scores as run 1' if not changed else f'{len(changed)} scores changed'}"
                    f"{'' if ok else ': ' + '; '.join((problems + changed)[:5])}",
                    flush=True,
                )
        finally:
            for burner in burners:
                burner.terminate()
    print(
        "soak: every run graded every submission with identical scores"
        if not failures
        else f"soak: {failures} of {args.runs} runs went wrong"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
