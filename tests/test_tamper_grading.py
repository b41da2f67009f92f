"""Attacks on the grading logic inside the kernel (tests/tamper.py): wrong answers plus code that
tries to make the checks pass anyway, or notebook edits that try to dodge them. Each attacker is
graded in one sandboxed batch with an honest student who made the same mistakes; no attack may
score more than that honest student."""

import shutil

import nbformat
import pytest
import tamper
from test_sandbox import FULL, grade_sandboxed, with_attack

from course.demo import BUGS, _corpus_code
from course.layout import ASSIGNMENT, EXERCISES, NOTEBOOK
from course.submissions import solution_code, write_submission

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

CODE_ATTACKS = {
    "numpy_stubs": tamper.NUMPY_STUBS,
    "builtins_stubs": tamper.BUILTINS_STUBS,
    "patched_checks": tamper.PATCH_CHECKS,
    "fake_checks_module": tamper.FAKE_CHECKS_MODULE,
    "display_forgery": tamper.DISPLAY,
    "redefined_scorecard": tamper.REDEFINE_SCORECARD,
}


def edit_notebook(path, edit):
    nb = nbformat.read(str(path), as_version=4)
    edit(nb)
    nbformat.write(nb, str(path))


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def edit_test_cells(nb):
    """Replace two test cells by their full marks and delete a third."""
    for exercise in ("zero_pad", "conv_forward"):
        _cell(nb, f"test_{exercise}").source = str(next(e.points for e in EXERCISES if e.function == exercise))
    nb.cells.remove(_cell(nb, "test_pool_forward"))


def duplicate_grade_ids(nb):
    """Put copies of the test cells, reduced to their full marks, before the real ones."""
    for index, exercise in enumerate(EXERCISES):
        fake = nbformat.v4.new_code_cell(str(exercise.points))
        fake.metadata = dict(_cell(nb, exercise.test_cell).metadata)
        if nb.nbformat_minor < 5:
            del fake["id"]  # cell ids arrived with nbformat 4.5
        nb.cells.insert(index, fake)


@pytest.fixture(scope="module")
def tamper_batch(fresh_course, tmp_path_factory):
    course_dir = tmp_path_factory.mktemp("tamper") / "course"
    shutil.copytree(fresh_course, course_dir, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback"))
    solutions = solution_code(course_dir / "source" / ASSIGNMENT / NOTEBOOK)
    buggy = {**solutions, **_corpus_code("bugs", BUGS)}
    students = {"buggy": buggy, "honest": solutions, "edited_tests": buggy, "duplicate_ids": buggy}
    students.update({name: with_attack(buggy, attack) for name, attack in CODE_ATTACKS.items()})
    for student, code in students.items():
        write_submission(course_dir / "submitted" / student / ASSIGNMENT, code, course_dir / "release" / ASSIGNMENT)
    edit_notebook(course_dir / "submitted" / "edited_tests" / ASSIGNMENT / NOTEBOOK, edit_test_cells)
    edit_notebook(course_dir / "submitted" / "duplicate_ids" / ASSIGNMENT / NOTEBOOK, duplicate_grade_ids)
    scores, _ = grade_sandboxed(course_dir, {}, one_by_one=("duplicate_ids",))
    return scores


@pytest.mark.parametrize("attacker", [*CODE_ATTACKS, "edited_tests", "duplicate_ids"])
def test_attack_earns_nothing(tamper_batch, attacker):
    buggy = tamper_batch["buggy"]
    assert buggy != FULL and tamper_batch["honest"] == FULL
    gained = {f: s - buggy[f] for f, s in tamper_batch[attacker].items() if s > buggy[f]}
    assert gained == {}, f"{attacker} earned points it did not earn honestly: {gained}"
