"""The forgery corpus (tests/forgeries.py) graded by real nbgrader in one sandboxed batch, with an
honest student and a student whose answers are all wrong: each forgery earns exactly what the same
code without its attack earns, and the honest student keeps full marks."""

import os

import pytest
from forgeries import FORGERIES
from helpers import FORWARD, FULL, ZERO, course_copy, exercise_scores, solutions, submit

from course import batch, gradebook

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

ALL_WRONG = {f: f"def {f}(*args, **kwargs):\n    return None\n" for f in FULL[FORWARD]}


@pytest.fixture(scope="module")
def forgery_scores(fresh_course, tmp_path_factory):
    course_dir = course_copy(fresh_course, tmp_path_factory.mktemp("forgery") / "course")
    correct = solutions(course_dir, FORWARD)
    submit(course_dir, "honest", FORWARD, correct)
    submit(course_dir, "all_wrong", FORWARD, ALL_WRONG)
    for forgery in FORGERIES:
        submit(course_dir, forgery.name, FORWARD, {**correct, forgery.function: forgery.forged})
        submit(course_dir, f"{forgery.name}__twin", FORWARD, {**correct, forgery.function: forgery.honest})
    url = gradebook.resolve_url(course_dir)
    outcome = batch.run(
        batch.Batch(
            course_dir=course_dir,
            assignment=FORWARD,
            db_url=url,
            progress=False,
            feedback=False,
            nbgrader_args=("--Execute.timeout=20",),
        )
    )
    assert outcome.failed == []
    scores = exercise_scores(course_dir, FORWARD)
    table = os.environ.get("CNN_CORPUS_TABLE")
    if table:  # shown at the end of the session, after the bug corpus's table
        with open(table, "a") as handle:
            handle.write("\nforgeries: points earned in the attacked exercise (its honest twin earns the same)\n")
            for f in FORGERIES:
                handle.write(f"  {f.name:<30} {f.function:<18} {scores[f.name][f.function]:g}\n")
    return scores


def test_the_honest_student_keeps_full_marks_and_all_wrong_gets_nothing(forgery_scores):
    assert forgery_scores["honest"] == FULL[FORWARD]
    assert forgery_scores["all_wrong"] == ZERO[FORWARD]


@pytest.mark.parametrize("forgery", FORGERIES, ids=lambda f: f.name)
def test_a_forgery_earns_what_its_honest_code_earns(forgery_scores, forgery):
    forged, twin = forgery_scores[forgery.name], forgery_scores[f"{forgery.name}__twin"]
    assert forged == twin, forgery.description
    assert forged[forgery.function] == forgery.points
    others = {f: s for f, s in forged.items() if f != forgery.function}
    assert others == {f: s for f, s in FULL[FORWARD].items() if f != forgery.function}


def test_the_corpus_covers_the_attacks():
    assert len(FORGERIES) >= 12
