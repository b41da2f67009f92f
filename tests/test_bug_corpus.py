"""The grader, judged by the bug corpus through real nbgrader autograding.

Every variant of tests/corpus/ becomes a submission of its function's assignment: the release
notebook with that one function replaced and the instructor's solutions for the rest. Each
assignment's class is graded by the grading tool (course.batch: nbgrader's API in two worker
processes, outside the kernel and sandboxed, as nbgrader_config.py sets up; that ``nbgrader
autograde`` by hand and the formgrader give the same scores is tests/test_grading_paths.py's job).
Every bug must lose points in its own exercise and nowhere else; every correct alternative must get
full marks, even when it prints, writes to stderr or warns. A runaway function (an infinite loop)
must cost only its own exercise. ``CNN_CORPUS_TABLE=<file>`` gets the table variant -> points (conftest.py
prints it at the end of the session).
"""

import os

import pytest
from corpus.catalog import load_variants
from helpers import ASSIGNMENTS, FULL, course_copy, exercise_scores, solutions, submit

from course import batch, exercises, gradebook

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

BUGS = load_variants("bugs")
CORRECT = load_variants("correct")
NOISY = load_variants("noisy")  # correct answers that print, write to stderr or warn
RUNAWAY = '''
import numpy as np

def conv_forward(A_prev, W, b, hparameters):
    """Never returns: its calls must time out and cost conv_forward only."""
    while True:
        pass
'''
TIMEOUT = 10  # per cell and per exercise; the real one is in nbgrader_config.py


@pytest.fixture(scope="module")
def corpus_scores(fresh_course, tmp_path_factory):
    course_dir = course_copy(fresh_course, tmp_path_factory.mktemp("corpus") / "course")
    submissions = {v.name: (v.assignment, v.function, v.source) for v in BUGS + CORRECT + NOISY}
    submissions["runaway__conv_forward_infinite_loop"] = (ASSIGNMENTS[0], "conv_forward", RUNAWAY)
    for student, (assignment, function, source) in submissions.items():
        submit(course_dir, student, assignment, {**solutions(course_dir, assignment), function: source})
    url, scores = gradebook.resolve_url(course_dir), {}
    for assignment in ASSIGNMENTS:
        run = batch.Batch(
            course_dir=course_dir,
            assignment=assignment,
            db_url=url,
            workers=2,
            force=True,
            feedback=False,
            nbgrader_args=(f"--Execute.timeout={TIMEOUT}",),
            progress=False,
        )
        assert batch.run(run).failed == []
        scores[assignment] = exercise_scores(course_dir, assignment)
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
    row = corpus_scores[ASSIGNMENTS[0]]["runaway__conv_forward_infinite_loop"]
    assert row == {**FULL[ASSIGNMENTS[0]], "conv_forward": 0.0}


def test_corpus_is_large_enough():
    assert len(BUGS) >= 30 and len(CORRECT) >= 5
    assert {v.function for v in BUGS} == {f for full in FULL.values() for f in full}
