"""The exercises as course/exercises defines them: consistent points and parts, self-contained
references that agree with the instructor's solutions on every case, lending only earlier work."""

import copy

import numpy as np
import pytest
from helpers import ASSIGNMENTS

from course import exercises
from course.grading import checks
from course.layout import source_dir
from course.submissions import solution_code

EXERCISES = [e for a in exercises.assignments() for e in a.exercises]
ORDER = [e.function for e in EXERCISES]


def test_the_course_is_two_assignments_graded_and_bonus():
    found = exercises.assignments()
    assert [(a.name, a.points, a.bonus) for a in found] == [(ASSIGNMENTS[0], 100, False), (ASSIGNMENTS[1], 50, True)]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.function)
def test_parts_add_up_and_some_are_checked_while_students_work(exercise):
    assert exercise.points == sum(p.points for p in exercise.parts) > 0
    assert any(p.visible for p in exercise.parts) and any(not p.visible for p in exercise.parts)
    assert all(p.cases and p.checks for p in exercise.parts)
    assert all(ORDER.index(used) < ORDER.index(exercise.function) for used in exercise.uses)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.function)
def test_the_reference_is_self_contained_as_it_is_lent(exercise):
    scope = {"np": np}
    exec(compile(exercise.reference_source(), "lent", "exec"), scope)
    lent = scope[exercise.function]
    for cid, case in exercise.cases.items():
        got = lent(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        assert checks.encode(got) == checks.encode(exercise.expected[cid]), cid


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_instructors_solutions_pass_every_part(assignment):
    """The notebook's solution cells, run as students' code, pass every check of every exercise."""
    namespace = {"np": np}
    for code in solution_code(source_dir(assignment) / f"{assignment}.ipynb").values():
        exec(code, namespace)
    for exercise in exercises.assignment(assignment).exercises:
        spec = exercises.spec(exercise.function)
        outcomes = {cid: checks.call_student(exercise.function, case, namespace) for cid, case in spec["cases"].items()}
        results = checks.judge(spec, outcomes, exercise.expected)
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
