"""The class report, read from nbgrader's gradebook: every graded student, however they were graded
(the grading tool, ``nbgrader autograde``, formgrader's Autograde button).

For each assignment, in ``reports/<assignment>/``: ``summary.txt`` (the text below), ``students.csv``
(one number per student: the score nbgrader exports), ``exercises.csv`` (mean and share of full
marks per exercise) and ``failures.csv`` (submissions the grading tool could not grade, with the
reason, from its ledger). For the course, ``reports/histogram.png``: one panel per assignment, with
integer counts, bins that end at the maximum and the mean.
"""

import csv
import math
import statistics
from pathlib import Path

from . import exercises, gradebook, ledger
from .jobs import GRADED, graded_notes


def exercise_stats(assignment, graded):
    """One row per exercise: points, mean score, share of students with full points."""
    rows = []
    for exercise in assignment.exercises:
        values = [s.exercises[exercise.function] for s in graded.values()]
        count = len(values)
        rows.append(
            {
                "exercise": exercise.function,
                "points": exercise.points,
                "mean": sum(values) / count if count else 0.0,
                "full_marks": sum(v >= exercise.points for v in values) / count if count else 0.0,
            }
        )
    return rows


def failures(course_dir, assignment, graded):
    """``[(student, reason)]`` of submissions whose latest grading-tool job failed and that have no
    grade in the gradebook."""
    results = ledger.latest(ledger.ledger_path(course_dir, assignment))
    return sorted((s, r.reason) for s, r in results.items() if r.status != GRADED and s not in graded)


def remarks(course_dir, assignment, graded):
    """``[(student, remark)]``: what the grader noted in graded notebooks (timeouts, a dead kernel)."""
    found = []
    for student in sorted(graded):
        folder = Path(course_dir) / "autograded" / student / assignment
        notes = [n for nb in sorted(folder.glob("*.ipynb")) for n in graded_notes(nb)]
        if notes:
            found.append((student, "; ".join(notes)))
    return found


def summary_text(assignment, graded, stats, failed, noted):
    kind = "bonus, optional" if assignment.bonus else "graded"
    totals = sorted(s.total for s in graded.values())
    lines = [
        f"{assignment.name} ({kind}, {assignment.points:g} points): {len(graded)} graded, "
        f"{len(failed)} could not be graded"
    ]
    if totals:
        median = statistics.median(totals)
        lines.append(
            f"score: mean {sum(totals) / len(totals):.1f}, median {median:g}, "
            f"lowest {totals[0]:g}, highest {totals[-1]:g} (out of {assignment.points:g})"
        )
    lines += ["", f"{'exercise':<26}{'points':>7}{'mean':>8}{'full marks':>12}"]
    for row in stats:
        lines.append(f"{row['exercise']:<26}{row['points']:>7g}{row['mean']:>8.1f}{row['full_marks']:>11.0%} ")
    if noted:
        lines += ["", "graded, worth a look:"] + [f"  {student}: {remark}" for student, remark in noted]
    if failed:
        lines += ["", "could not be graded:"] + [f"  {student}: {reason}" for student, reason in failed]
    return "\n".join(lines)


def write_assignment(course_dir, db_url, assignment):
    """Write one assignment's report files; return ``(summary text, graded scores)``."""
    folder = Path(course_dir) / "reports" / assignment.name
    folder.mkdir(parents=True, exist_ok=True)
    graded = gradebook.scores(db_url, assignment.name)
    stats = exercise_stats(assignment, graded)
    failed = failures(course_dir, assignment.name, graded)
    with open(folder / "students.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "score", "max_score"])
        writer.writerows([s, f"{g.total:g}", f"{g.max_score:g}"] for s, g in sorted(graded.items()))
    with open(folder / "exercises.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, ["exercise", "points", "mean", "full_marks"])
        writer.writeheader()
        writer.writerows({**r, "mean": f"{r['mean']:.3f}", "full_marks": f"{r['full_marks']:.3f}"} for r in stats)
    with open(folder / "failures.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "reason"])
        writer.writerows(failed)
    text = summary_text(assignment, graded, stats, failed, remarks(course_dir, assignment.name, graded))
    (folder / "summary.txt").write_text(text + "\n")
    return text, graded


def preload():
    """Import matplotlib ahead of ``write_histogram`` (about a second): the grading tool does it
    while its last submissions are graded and a core is free."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401


def bins(points, count=10):
    """Bin edges from 0 to ``points`` in ``count`` equal steps; the last bin includes the maximum."""
    return [points * i / count for i in range(count + 1)]


def write_histogram(panels, path):
    """A PNG with one histogram per ``(assignment, totals)`` panel: students per score bin (integer
    counts written on the bars), bins ending at the maximum, and the mean as a dashed line."""
    preload()
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    figure, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.6), dpi=100, squeeze=False)
    for ax, (assignment, totals) in zip(axes[0], panels):
        edges = bins(assignment.points)
        counts, _, bars = ax.hist(
            totals, bins=edges, color="#b58900" if assignment.bonus else "#4878a8", edgecolor="white"
        )
        for rect, count in zip(bars, counts):
            if count:
                ax.annotate(
                    f"{int(count)}", (rect.get_x() + rect.get_width() / 2, count), ha="center", va="bottom", fontsize=9
                )
        if totals:
            mean = sum(totals) / len(totals)
            ax.axvline(mean, color="#333333", linestyle="--", linewidth=1.2)
            ax.annotate(
                f"mean {mean:.1f}",
                (mean, ax.get_ylim()[1] * 0.92),
                ha="right",
                fontsize=9,
                xytext=(-4, 0),
                textcoords="offset points",
            )
        ax.set_xlim(0, assignment.points)
        ax.set_xticks(edges)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(0, max(1, math.ceil(max(counts, default=0) * 1.15)))
        kind = "bonus" if assignment.bonus else "grade"
        ax.set_xlabel(f"{kind}, out of {assignment.points:g}")
        ax.set_ylabel("students")
        ax.set_title(f"{assignment.name}: {len(totals)} graded", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)
    return Path(path)


def write(course_dir, db_url, names=None):
    """Write the report of the assignments ``names`` (default: every course assignment) and the
    course histogram; return the text of the summaries."""
    texts, panels = [], []
    for assignment in exercises.assignments():
        if names is None or assignment.name in names:
            text, graded = write_assignment(course_dir, db_url, assignment)
            texts.append(text)
        else:
            graded = gradebook.scores(db_url, assignment.name)
        panels.append((assignment, [g.total for g in graded.values()]))
    write_histogram(panels, Path(course_dir) / "reports" / "histogram.png")
    return "\n\n".join(texts)
