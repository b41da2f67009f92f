"""The class report: per-exercise mean and pass rate, the grade distribution (PNG histogram) and
the submissions that could not be graded, with their reasons; as text and as CSV files.

Written to ``reports/<assignment>/``: ``summary.txt``, ``exercises.csv``, ``failures.csv``,
``histogram.png``. Scores come from nbgrader's gradebook, the failures from the grading ledger.
"""

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .jobs import GRADED
from .layout import EXERCISES, NOTEBOOK, PARTS, part_points
from .ledger import latest, ledger_path


def graded_scores(db_url, assignment, students):
    """``{student: {function: score}}`` for the ``students`` whose test cells all have a score."""
    notebook_id = NOTEBOOK.rsplit(".", 1)[0]
    scores = {}
    with Gradebook(db_url) as gradebook:
        for student in students:
            try:
                notebook = gradebook.find_submission_notebook(notebook_id, assignment, student)
            except MissingEntry:
                continue
            by_cell = {grade.name: grade.score for grade in notebook.grades}
            row = {e.function: by_cell.get(e.test_cell) for e in EXERCISES}
            if all(value is not None for value in row.values()):
                scores[student] = {k: float(v) for k, v in row.items()}
    return scores


def exercise_stats(scores):
    """One row per exercise: points, mean score, pass rate (share of students with full points)."""
    rows = []
    for exercise in EXERCISES:
        values = [row[exercise.function] for row in scores.values()]
        count = len(values)
        rows.append(
            {
                "exercise": exercise.function,
                "part": exercise.part,
                "points": exercise.points,
                "mean": sum(values) / count if count else 0.0,
                "pass_rate": sum(v >= exercise.points for v in values) / count if count else 0.0,
            }
        )
    return rows


def failures(results):
    """``[(student, reason)]`` of every job that did not end graded, sorted by student."""
    return sorted((r.student, r.reason) for r in results.values() if r.status != GRADED)


def preload():
    """Import matplotlib ahead of ``write_histogram`` (about a second): the grading tool does it
    while its last submissions are graded and a core is free."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401


def write_histogram(scores, path, assignment):
    """A PNG histogram of the graded part's totals (out of 100, in bins of 10)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    top = part_points("forward")
    totals = [sum(row[e.function] for e in EXERCISES if e.part == "forward") for row in scores.values()]
    figure, axes = plt.subplots(figsize=(6, 3.5), dpi=100)
    axes.hist(totals, bins=range(0, top + 11, 10), color="#4878a8", edgecolor="white", align="mid")
    axes.set_xlim(0, top + 10)
    axes.set_xlabel(f"grade (forward part, out of {top})")
    axes.set_ylabel("students")
    axes.set_title(f"{assignment}: {len(totals)} graded submissions")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return Path(path)


def summary_text(stats, scores, failed, assignment, remarks=()):
    """The report as plain text."""
    lines = [f"{assignment}: {len(scores)} graded, {len(failed)} could not be graded", ""]
    lines.append(f"{'exercise':<26}{'part':<10}{'points':>7}{'mean':>8}{'pass rate':>11}")
    for row in stats:
        lines.append(
            f"{row['exercise']:<26}{row['part']:<10}{row['points']:>7}{row['mean']:>8.1f}{row['pass_rate']:>10.0%} "
        )
    for part in PARTS:
        totals = [sum(r[e.function] for e in EXERCISES if e.part == part) for r in scores.values()]
        if totals:
            lines.append(f"{part} total: mean {sum(totals) / len(totals):.1f} / {part_points(part)}")
    if remarks:
        lines += ["", "graded, worth a look:"]
        lines += [f"  {student}: {remark}" for student, remark in remarks]
    if failed:
        lines += ["", "could not be graded:"]
        lines += [f"  {student}: {reason}" for student, reason in failed]
    return "\n".join(lines)


def write_report(course_dir, assignment, db_url, students=None):
    """Write the report files for the students in the ledger (or ``students``); return the text."""
    folder = Path(course_dir) / "reports" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    results = latest(ledger_path(course_dir, assignment))
    if students is not None:
        results = {s: r for s, r in results.items() if s in set(students)}
    graded = sorted(s for s, r in results.items() if r.status == GRADED)
    scores = graded_scores(db_url, assignment, graded)
    stats = exercise_stats(scores)
    failed = failures(results)
    with open(folder / "exercises.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, ["exercise", "part", "points", "mean", "pass_rate"])
        writer.writeheader()
        writer.writerows({**r, "mean": f"{r['mean']:.3f}", "pass_rate": f"{r['pass_rate']:.3f}"} for r in stats)
    with open(folder / "failures.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "reason"])
        writer.writerows(failed)
    write_histogram(scores, folder / "histogram.png", assignment)
    remarks = sorted((s, "; ".join(r.notes)) for s, r in results.items() if r.status == GRADED and r.notes)
    text = summary_text(stats, scores, failed, assignment, remarks)
    (folder / "summary.txt").write_text(text + "\n")
    return text
