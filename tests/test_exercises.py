"""The exercises as course/exercises defines them: consistent points and parts, self-contained
references that agree with the instructor's solutions on every case, lending only earlier work."""

import importlib
import inspect
import os
import shutil

import h5py
import numpy as np
import pytest
from helpers import ASSIGNMENTS, judge_in_process

from course import exercises
from course.layout import source_dir
from course.submissions import solution_code

EXERCISES = [e for a in exercises.assignments() for e in a.exercises]
ORDER = [e.function for e in EXERCISES]


def test_the_course_is_two_graded_assignments_and_a_bonus():
    found = exercises.assignments()
    assert [(a.name, a.points, a.bonus) for a in found] == [
        (ASSIGNMENTS[0], 100, False),
        (ASSIGNMENTS[1], 50, True),
        (ASSIGNMENTS[2], 100, False),
    ]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.function)
def test_parts_add_up_and_some_are_checked_while_students_work(exercise):
    assert exercise.points == sum(p.points for p in exercise.parts) > 0
    assert any(p.visible for p in exercise.parts) and any(not p.visible for p in exercise.parts)
    # a speed part has no cases of its own: the grader makes its inputs and times the calls
    assert all((p.cases or p.speed) and (p.checks or p.speed) for p in exercise.parts)
    assert all(not p.visible for p in exercise.parts if p.speed), "speed is measured by the grader only"
    assert all(p.measure in exercise.measures for p in exercise.parts if p.measure)
    assert all(ORDER.index(used) < ORDER.index(exercise.function) for used in exercise.uses)


def _lend(scope, function):
    """Exec an exercise's reference into ``scope`` as the grader lends it to the kernel."""
    _, exercise = exercises.find(function)
    exec(compile(exercise.reference_source(), f"lent {function}", "exec"), scope)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.function)
def test_the_reference_is_self_contained_as_it_is_lent(exercise, tmp_path):
    """Lent to a kernel that holds only ``np`` and the references of the exercises it uses, called in a copy of
    the assignment's folder (a case may read a data file or write one), the reference passes every part."""
    scope = {"np": np}
    for used in exercise.uses:
        _lend(scope, used)
    _lend(scope, exercise.function)
    module = importlib.import_module(inspect.getmodule(exercise.reference).__name__)
    for case in exercise.cases.values():  # what a case calls next (load_params) is the student's own function
        if case.then:
            scope[case.then[0]] = getattr(module, case.then[0])
    results, outcomes = judge_in_process(exercise.function, scope, shutil.copytree(exercise.folder, tmp_path / "a"))
    assert [r["message"] for r in results if not r["passed"]] == []
    assert all(not o["notes"] for o in outcomes.values())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_instructors_solutions_pass_every_part(assignment, tmp_path):
    """The notebook's solution cells, run as students' code, pass every check of every exercise."""
    namespace = {"np": np, "h5py": h5py, "os": os}  # what the notebooks' imports cells import
    for code in solution_code(source_dir(assignment) / f"{assignment}.ipynb").values():
        exec(code, namespace)
    folder = shutil.copytree(source_dir(assignment), tmp_path / assignment)
    for exercise in exercises.assignment(assignment).exercises:
        results, outcomes = judge_in_process(exercise.function, namespace, folder)
        assert [r["message"] for r in results if not r["passed"]] == [], exercise.function
        assert all(not o["notes"] for o in outcomes.values()), exercise.function


def test_the_references_give_the_published_numbers():
    _, conv_forward = exercises.find("conv_forward")
    Z, cache = conv_forward.expected["c0"]
    assert np.isclose(Z.mean(), 0.0489952035289) and np.allclose(
        cache[0][1][2][3], [-0.20075807, 0.18656139, 0.41005165]
    )
    _, conv_backward = exercises.find("conv_backward")
    dA, dW, db = conv_backward.expected["c0"]
    assert np.allclose([dA.mean(), dW.mean(), db.mean()], [1.45243777754, 1.72699145831, 7.83923256462])
    _, step = exercises.find("conv_single_step")
    assert np.isclose(step.expected["c0"], -6.99908945068)
