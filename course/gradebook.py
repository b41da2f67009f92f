"""Per-exercise scores, read back from nbgrader's gradebook (through nbgrader's own API)."""

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .layout import ASSIGNMENT, EXERCISES, PARTS, ROOT, part_points


def default_db_url(course_dir=ROOT):
    return f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}"


def exercise_scores(db_url, assignment=ASSIGNMENT):
    """``{student: {function: score}}`` for every submission of ``assignment`` in the gradebook.

    A submission whose notebook is missing from the gradebook gets no row.
    """
    scores = {}
    with Gradebook(db_url) as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            student = submission.student.id
            try:
                notebook = gradebook.find_submission_notebook(ASSIGNMENT, assignment, student)
            except MissingEntry:
                continue
            by_cell = {grade.name: float(grade.score) for grade in notebook.grades}
            scores[student] = {e.function: by_cell.get(e.test_cell, 0.0) for e in EXERCISES}
    return scores


def with_part_totals(row):
    """A copy of a ``{function: score}`` row with ``forward`` and ``backward`` totals added."""
    totals = {part: sum(row[e.function] for e in EXERCISES if e.part == part) for part in PARTS}
    return {**row, **totals}


def write_exercise_csv(scores, path):
    """Write one row per student: the score of each exercise, then the forward and backward totals."""
    columns = [e.function for e in EXERCISES] + list(PARTS)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", *columns])
        for student in sorted(scores):
            row = with_part_totals(scores[student])
            writer.writerow([student, *(f"{row[c]:g}" for c in columns)])
    return Path(path)


def format_table(scores):
    """A plain-text table, students x exercises, with the forward total (graded, out of 100) and the
    optional backward total (out of 50) in columns of their own."""
    short = {"create_mask_from_window": "mask", "distribute_value": "distrib", "conv_single_step": "conv_step"}
    headers = ["student"] + [short.get(e.function, e.function) for e in EXERCISES]
    headers += [f"FORWARD/{part_points('forward')}", f"optional/{part_points('backward')}"]
    rows = [["(max)"] + [f"{e.points}" for e in EXERCISES] + [str(part_points(p)) for p in PARTS]]
    for student in sorted(scores):
        row = with_part_totals(scores[student])
        rows.append([student] + [f"{row[e.function]:g}" for e in EXERCISES] + [f"{row[p]:g}" for p in PARTS])
    widths = [max(len(r[i]) for r in [headers] + rows) for i in range(len(headers))]
    lines = ["  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(headers, widths)))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)
