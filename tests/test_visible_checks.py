"""The checks a student runs while working (``check()`` in cnn_checks.py), in this process: each trap
the lessons name turns its visible card red with the trap's hint; an exercise whose helper is wrong
is not blamed for it; an untouched optional exercise is not attempted, not failed."""

import contextlib
import functools
import json
import shutil

import numpy as np
import pytest
from corpus.catalog import load_variants, make_namespace

from course import exercises, release
from course.grading import checks
from course.layout import source_dir
from course.submissions import solution_code

# The traps the lessons warn about, and the corpus bug that falls into each.
TRAPS = {
    "pool_forward__stride_ignored": "vert_start = h * stride",
    "pool_forward__running_max_from_zero": "must start at the window's first value",
    "conv_forward__stride_ignored": "starts at row h * stride",
    "conv_backward__unpad_negative_index": "[pad:-pad] is empty when pad is 0",
    "pool_backward__dA_read_at_window_start": "dA[i, h, w, c], not dA[i, vert_start, horiz_start, c]",
    "pool_backward__assigned_not_accumulated": "add into dA_prev with +=",
    "distribute_value__integer_division": "not //",
    "create_mask_from_window__strictly_greater": "True exactly where x equals np.max(x)",
}
VARIANTS = {v.name: v for v in load_variants("bugs")}


@functools.cache
def shipped_expected(function):
    """``{case id: expected value}`` of an exercise's visible cases as its assignment's cnn_checks.json
    ships them (floats rounded), decoded as the notebook decodes them."""
    owner = exercises.find(function)[0].name
    shipped = json.loads(release.visible_checks_files(owner)[release.DATA_FILE])["exercises"][function]
    return checks.spec_from_json(shipped)["expected"]


def visible_card(function, namespace):
    """The card ``check(function)`` shows, from the visible spec as it ships in cnn_checks.json."""
    spec = exercises.spec(function, visible_only=True)
    expected = shipped_expected(function)
    outcomes = {cid: checks.call_student(function, case, namespace) for cid, case in spec["cases"].items()}
    return checks.Card(
        spec, checks.judge(spec, outcomes, expected), graded=False, untried=checks.not_attempted(outcomes)
    )


@pytest.mark.parametrize("name", sorted(TRAPS))
def test_each_trap_the_lesson_names_turns_its_visible_card_red(name):
    variant = VARIANTS[name]
    card = visible_card(variant.function, make_namespace(variant))
    assert card.status == "failed"
    assert TRAPS[name] in "\n".join(r["message"] for r in card.results if not r["passed"])


def test_every_correct_answer_keeps_every_visible_card_green(tmp_path):
    namespace = make_namespace()
    for assignment in exercises.assignments():
        # the checks run in the notebook's folder: a case may read the data or write a file
        with contextlib.chdir(shutil.copytree(source_dir(assignment.name), tmp_path / assignment.name)):
            for exercise in assignment.exercises:
                assert visible_card(exercise.function, namespace).status == "passed", exercise.function


def test_a_helper_bug_is_not_blamed_on_the_exercise_that_calls_it(monkeypatch):
    """conv_forward is right but calls a zero_pad that is wrong: its card says to fix zero_pad first."""
    namespace = {"np": np}
    for code in solution_code(source_dir("cnn_step_by_step") / "cnn_step_by_step.ipynb").values():
        exec(code, namespace)  # the instructor's conv_forward calls zero_pad
    exec(VARIANTS["zero_pad__one_side_only"].source, namespace)
    monkeypatch.setattr(checks, "_user_namespace", lambda: namespace)
    monkeypatch.setattr(checks, "load_specs", lambda folder=None: _specs())
    shown = []
    monkeypatch.setattr(checks, "_display", shown.append)
    failures = []
    monkeypatch.setattr(checks, "_report_failure", failures.append)
    checks.check("conv_forward")
    (card,) = shown
    assert card.status == "blocked" and failures == []
    assert "it calls your zero_pad (exercise 1), whose own checks fail" in card.headline()
    checks.check("zero_pad")
    assert shown[-1].status == "failed" and failures == [shown[-1]]


def test_an_untouched_optional_exercise_is_not_attempted_and_not_a_failure(monkeypatch):
    namespace = {"np": np}
    exec("def pool_backward(dA, cache, mode='max'):\n    raise NotImplementedError()", namespace)
    monkeypatch.setattr(checks, "_user_namespace", lambda: namespace)
    monkeypatch.setattr(checks, "load_specs", lambda folder=None: _specs())
    shown, failures = [], []
    monkeypatch.setattr(checks, "_display", shown.append)
    monkeypatch.setattr(checks, "_report_failure", failures.append)
    checks.check("pool_backward")
    assert shown[0].status == "untried" and "not attempted yet" in shown[0].headline() and failures == []
    exec("def pool_forward(A_prev, hparameters, mode='max'):\n    raise NotImplementedError()", namespace)
    checks.check("pool_forward")  # a graded exercise left untouched: Validate reports it
    assert shown[1].status == "untried" and failures == [shown[1]]


def _specs():
    """``{function: visible spec}`` with expected values, as load_specs reads them from the JSON."""
    found = {}
    for assignment in exercises.assignments():
        for exercise in assignment.exercises:
            spec = exercises.spec(exercise.function, visible_only=True)
            found[exercise.function] = {**spec, "expected": shipped_expected(exercise.function)}
    return found


def test_the_rounded_expected_values_change_no_verdict(tmp_path):
    """cnn_checks.json ships expected floats rounded to 12 significant digits: every part of every visible
    card passes or fails exactly as it does against the reference's own values, for the instructor's
    solutions and for every bug and correct variant of the corpus."""
    variants = [None, *load_variants("bugs"), *load_variants("correct")]
    for assignment in exercises.assignments():
        shutil.copytree(source_dir(assignment.name), tmp_path / assignment.name)
    for variant in variants:
        namespace = make_namespace(variant)
        functions = (
            [variant.function] if variant else [e.function for a in exercises.assignments() for e in a.exercises]
        )
        for function in functions:
            owner, exercise = exercises.find(function)
            spec = exercises.spec(function, visible_only=True)
            with contextlib.chdir(tmp_path / owner.name):
                outcomes = {cid: checks.call_student(function, case, namespace) for cid, case in spec["cases"].items()}
            verdicts = [
                [r["passed"] for r in checks.judge(spec, outcomes, expected)]
                for expected in (shipped_expected(function), exercise.expected)
            ]
            assert verdicts[0] == verdicts[1], (variant and variant.name, function)
