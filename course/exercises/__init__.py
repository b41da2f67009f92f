"""The course's exercises, one module each: ``course/exercises/<assignment>/<function>.py``.

Each module defines ``EXERCISE`` (a ``course.grading.exercise.Exercise``): the one place where an
exercise's points, parts, cases, reference solution and hints are written. Each assignment's
package says in its ``__init__`` whether the assignment is a bonus. Everything else (the notebook's
visible checks, the grader, the demo, the corpus tests, the report) reads the exercises from here.
"""

import functools
import importlib
import pkgutil
from dataclasses import dataclass

# The course's assignments, in the order students meet them.
ASSIGNMENTS = ("cnn_step_by_step", "cnn_step_by_step_bonus", "cnn_application")


@dataclass(frozen=True)
class Assignment:
    """An nbgrader assignment: one notebook (``<name>.ipynb``) and its exercises, in lesson order.
    A bonus assignment is optional: its points never lower a grade, and an exercise left
    untouched is reported as not attempted rather than as failed."""

    name: str
    title: str
    bonus: bool
    exercises: tuple

    @property
    def notebook(self):
        return f"{self.name}.ipynb"

    @property
    def points(self):
        return sum(e.points for e in self.exercises)


@functools.cache
def assignments():
    """Every assignment of the course, with its exercises."""
    found = []
    for name in ASSIGNMENTS:
        package = importlib.import_module(f"{__name__}.{name}")
        modules = [
            importlib.import_module(f"{package.__name__}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__)
            if not info.name.startswith("_")
        ]
        exercises = tuple(sorted((m.EXERCISE for m in modules), key=lambda e: e.number))
        found.append(Assignment(name, package.TITLE, package.BONUS, exercises))
    functions = [e.function for a in found for e in a.exercises]
    duplicated = sorted({f for f in functions if functions.count(f) > 1})
    if duplicated:
        raise ValueError(f"exercise functions must be unique across the course: {duplicated}")
    return tuple(found)


def assignment(name):
    """The assignment called ``name``; KeyError names the known ones."""
    for found in assignments():
        if found.name == name:
            return found
    raise KeyError(f"unknown assignment {name!r} (known: {', '.join(a.name for a in assignments())})")


def find(function):
    """``(assignment, exercise)`` of the exercise whose function is ``function``."""
    for found in assignments():
        for exercise in found.exercises:
            if exercise.function == function:
                return found, exercise
    raise KeyError(f"no exercise is called {function!r}")


def labels(assignment_name):
    """How messages in ``assignment_name``'s notebook name every exercise of the course."""
    return {
        e.function: f"exercise {e.number}" + ("" if a.name == assignment_name else f" of {a.name}")
        for a in assignments()
        for e in a.exercises
    }


def spec(function, visible_only=False):
    """The spec of an exercise as ``course.grading.checks`` reads it."""
    owner, exercise = find(function)
    return exercise.spec(labels(owner.name), optional=owner.bonus, visible_only=visible_only)


def visible_checks(assignment_name):
    """The content of an assignment's ``cnn_checks.json``: the visible parts of its exercises, and
    of the exercises of other assignments its exercises call (to tell a student which one to fix)."""
    owner = assignment(assignment_name)
    names = [e.function for e in owner.exercises]
    for exercise in owner.exercises:
        names += [u for u in exercise.uses if u not in names]
    exercises = {}
    for function in names:
        home, exercise = find(function)
        exercises[function] = exercise.visible_json(labels(assignment_name), optional=home.bonus)
    return {"assignment": assignment_name, "exercises": exercises}
