"""The forgery corpus (tests/forgeries.py) graded by real nbgrader, sandboxed, in the session's graded
class (tests/graded_class.py), with an honest student and a student whose answers are all wrong:
each forgery earns exactly what the same code without its attack earns, and the honest student
keeps full marks."""

import os

import pytest
from forgeries import FORGERIES
from helpers import FORWARD, FULL, ZERO

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]


@pytest.fixture(scope="module")
def forgery_scores(graded_class):
    """``{student: {function: points}}`` of the graded assignment in the session's graded class."""
    scores = graded_class.scores[FORWARD]
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
