"""The grader, judged by the bug corpus through real nbgrader autograding.

Every variant of tests/corpus/ becomes a submission of its function's assignment: the release
notebook with that one function replaced and the instructor's solutions for the rest. Each
assignment's class is autograded by ``nbgrader autograde`` run by hand in the course directory
(graded outside the kernel and sandboxed, as nbgrader_config.py sets up). Every bug must lose
points in its own exercise and nowhere else; every correct alternative must get full marks, even
when it prints, writes to stderr or warns. A runaway function (an infinite loop) must cost only
its own exercise. The table variant -> points per exercise is printed at the end of the session.
"""

import os

import pytest
from corpus.catalog import load_variants
from helpers import ASSIGNMENTS, FULL, autograde, course_copy, exercise_scores, solutions, submit

from course import demo

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
    scores = {}
    for assignment in ASSIGNMENTS:
        autograde(course_dir, assignment, f"--Execute.timeout={TIMEOUT}")
        scores[assignment] = exercise_scores(course_dir, assignment)
    table = os.environ.get("CNN_CORPUS_TABLE")
    if table:
        from course.gradebook import resolve_url
        from course.gradebook import scores as read

        url = resolve_url(course_dir)
        with open(table, "w") as handle:
            handle.write(demo.format_table({a: read(url, a) for a in ASSIGNMENTS}) + "\n")
    return scores


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
