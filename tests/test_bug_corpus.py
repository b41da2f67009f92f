"""The hidden tests, judged by the bug corpus through real nbgrader autograding.

Every variant of tests/corpus/ becomes a submission: the release notebook with that one function
replaced and the instructor's solutions for the rest. The whole class is autograded by nbgrader.
Every bug must lose points in its own exercise and nowhere else; every correct alternative must
get full marks, even when it prints, writes to stderr or warns. A runaway function (an infinite
loop) must cost only its own exercise.
The table variant -> points per exercise is printed at the end of the test session.
"""

import os

import pytest
from corpus.catalog import load_variants

from course import release
from course.gradebook import default_db_url, exercise_scores, format_table
from course.layout import ASSIGNMENT, EXERCISES
from course.nbgrader_cli import run_nbgrader
from course.submissions import solution_code, write_submission

pytestmark = pytest.mark.slow

BUGS = load_variants("bugs")
CORRECT = load_variants("correct")
NOISY = load_variants("noisy")  # correct answers that print, write to stderr or warn
FULL = {e.function: float(e.points) for e in EXERCISES}
RUNAWAY = '''
import numpy as np

def conv_forward(A_prev, W, b, hparameters):
    """Never returns: the test cell must time out and cost conv_forward only."""
    while True:
        pass
'''
# A short per-cell timeout keeps the runaway case quick; the real one is in nbgrader_config.py.
TIMEOUT = 15


@pytest.fixture(scope="module")
def corpus_scores(tmp_path_factory):
    course_dir = release.copy_course(tmp_path_factory.mktemp("corpus"))
    release_dir = release.build(course_dir)
    solutions = solution_code(course_dir / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    submissions = {v.name: (v.function, v.source) for v in BUGS + CORRECT + NOISY}
    submissions["runaway__conv_forward_infinite_loop"] = ("conv_forward", RUNAWAY)
    for student, (function, source) in submissions.items():
        write_submission(course_dir / "submitted" / student / ASSIGNMENT, {**solutions, function: source}, release_dir)
    run_nbgrader(course_dir, "autograde", ASSIGNMENT, f"--Execute.timeout={TIMEOUT}")
    scores = exercise_scores(default_db_url(course_dir))
    table = os.environ.get("CNN_CORPUS_TABLE")
    if table:
        with open(table, "w") as handle:
            handle.write(format_table(scores) + "\n")
    return scores


def _lost(row):
    return {function for function, score in row.items() if score < FULL[function]}


@pytest.mark.parametrize("variant", BUGS, ids=str)
def test_bug_loses_points_in_its_own_exercise_only(corpus_scores, variant):
    row = corpus_scores[variant.name]
    assert _lost(row) == {variant.function}, f"{variant.description}: {row}"


@pytest.mark.parametrize("variant", CORRECT + NOISY, ids=str)
def test_correct_alternative_gets_full_marks(corpus_scores, variant):
    assert corpus_scores[variant.name] == FULL, variant.description


def test_runaway_function_costs_only_its_own_exercise(corpus_scores):
    row = corpus_scores["runaway__conv_forward_infinite_loop"]
    assert row == {**FULL, "conv_forward": 0.0}


def test_corpus_is_large_enough():
    assert len(BUGS) >= 30 and len(CORRECT) >= 5
    assert {v.function for v in BUGS} == set(FULL)
