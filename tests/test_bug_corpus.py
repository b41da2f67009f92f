"""The grader, judged by the bug corpus through real nbgrader autograding.

Every variant of tests/corpus/ is a submission of its function's assignment in the session's
graded class (tests/graded_class.py): the release notebook with that one function replaced and the
instructor's solutions for the rest, graded by the grading tool (outside the kernel, sandboxed, as
nbgrader_config.py sets up; that ``nbgrader autograde`` by hand and the formgrader give the same
scores is tests/test_grading_paths.py's job).
Every bug must lose points in its own exercise and nowhere else; every correct alternative must get
full marks, even when it prints, writes to stderr or warns. A runaway function (an infinite loop)
must cost only its own exercise. ``CNN_CORPUS_TABLE=<file>`` gets the table variant -> points (conftest.py
prints it at the end of the session).
"""

import os

import pytest
from graded_class import BUGS, CORRECT, NOISY, RUNAWAY
from helpers import ASSIGNMENTS, FULL

from course import exercises

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]


@pytest.fixture(scope="module")
def corpus_scores(graded_class):
    """``{assignment: {variant: {function: points}}}`` of the corpus in the session's graded class."""
    names = set(graded_class.groups["bugs"] + graded_class.groups["correct"])
    scores = {a: {s: row for s, row in graded_class.scores[a].items() if s in names} for a in ASSIGNMENTS}
    table = os.environ.get("CNN_CORPUS_TABLE")
    if table:
        with open(table, "w") as handle:
            handle.write(corpus_table(scores) + "\n")
    return scores


def corpus_table(scores):
    """Per assignment, one row per variant (its points per exercise, numbered as in the lesson, and its
    total); ``*`` marks the exercises where a variant lost points."""
    blocks = []
    for assignment in exercises.assignments():
        numbers = [f"{e.number}" for e in assignment.exercises]
        legend = ", ".join(f"{e.number} {e.function}" for e in assignment.exercises)
        rows = [["variant", *numbers, "total"], ["(max)", *(f"{e.points:g}" for e in assignment.exercises)]]
        rows[1].append(f"{assignment.points:g}")
        for variant, row in sorted(scores[assignment.name].items()):
            cells = [f"{row[e.function]:g}" + ("*" if row[e.function] < e.points else "") for e in assignment.exercises]
            rows.append([variant, *cells, f"{sum(row.values()):g}"])
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows
        ]
        blocks.append("\n".join([f"{assignment.name}: {legend}", *lines]))
    return "\n\n".join(blocks)


def _lost(row, assignment):
    return {function for function, score in row.items() if score < FULL[assignment][function]}


@pytest.mark.parametrize("variant", BUGS, ids=str)
def test_bug_loses_points_in_its_own_exercise_only(corpus_scores, variant):
    row = corpus_scores[variant.assignment][variant.name]
    assert _lost(row, variant.assignment) == {variant.function}, f"{variant.description}: {row}"


@pytest.mark.parametrize("variant", CORRECT + NOISY, ids=str)
def test_correct_alternative_gets_full_marks(corpus_scores, variant):
    assert corpus_scores[variant.assignment][variant.name] == FULL[variant.assignment], variant.description


def test_runaway_function_costs_only_its_own_exercise(corpus_scores):
    row = corpus_scores[ASSIGNMENTS[0]][RUNAWAY]
    assert row == {**FULL[ASSIGNMENTS[0]], "conv_forward": 0.0}


def test_corpus_is_large_enough():
    assert len(BUGS) >= 30 and len(CORRECT) >= 5
    assert {v.function for v in BUGS} == {f for full in FULL.values() for f in full}
