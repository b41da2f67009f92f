"""The README's "Adding an exercise", followed literally in a copy of the course: a throwaway exercise,
relu, defined only by its exercise module and its cells in the notebook, is released with visible
checks and graded by nbgrader outside the kernel, with the rest of the notebook unchanged."""

import json
import subprocess
import sys

import nbformat
import pytest
from helpers import FORWARD, FULL, autograde, course_copy, exercise_scores, solutions, submit
from nbgrader.api import Gradebook

from course import gradebook
from course.nbgrader_cli import nbgrader_env

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

# Place 1: the exercise module, course/exercises/<assignment>/relu.py.
MODULE = '''"""Exercise 5, relu (10 points): the rectified linear unit, element by element."""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, close, shape


def relu(Z):
    return np.maximum(Z, 0.0)


_rng = np.random.default_rng(5)
PUBLISHED = Case((np.array([[-1.0, 2.0], [0.5, -3.0]]),), names=("Z",), result_names=("A",), show=(("A", "A", ""),))
HIDDEN = tuple(Case((_rng.standard_normal(shape),)) for shape in [(3,), (2, 4, 4, 3), (1, 1)])

EXERCISE = Exercise(
    function="relu",
    number=5,
    reference=relu,
    returns="A, an array",
    parts=(
        Part("published example", 4, (PUBLISHED,), (shape("A"), close("A", hint="max(Z, 0), element by element.")),
             visible=True),
        Part("any shape, negative and positive values", 6, HIDDEN, (close("A", hint="keep the shape of Z."),)),
    ),
)
'''

# Place 2: the notebook: the lesson's text, the solution cell, the test cell.
SOLUTION = """def relu(Z):
    \"\"\"max(Z, 0), element by element.\"\"\"
    ### BEGIN SOLUTION
    A = np.maximum(Z, 0)
    ### END SOLUTION
    return A"""
TEST = '# Checks for relu (exercise 5, 10 points).\ncheck("relu")'


def add_relu(course_dir):
    """The two places an instructor edits; returns the files changed."""
    module = course_dir / "course" / "exercises" / FORWARD / "relu.py"
    module.write_text(MODULE)
    notebook = course_dir / "source" / FORWARD / f"{FORWARD}.ipynb"
    nb = nbformat.read(str(notebook), as_version=4)
    text = nbformat.v4.new_markdown_cell("## 5. ReLU\n\nReturn $\\max(Z, 0)$ element by element.")
    solution = nbformat.v4.new_code_cell(
        SOLUTION,
        metadata={
            "nbgrader": {
                "grade": False,
                "grade_id": "relu",
                "locked": False,
                "schema_version": 3,
                "solution": True,
                "task": False,
            }
        },
    )
    test = nbformat.v4.new_code_cell(
        TEST,
        metadata={
            "nbgrader": {
                "grade": True,
                "grade_id": "test_relu",
                "locked": True,
                "points": 10,
                "schema_version": 3,
                "solution": False,
                "task": False,
            }
        },
    )
    nb.cells += [text, solution, test]
    nbformat.write(nb, str(notebook))
    return [module, notebook]


def test_a_new_exercise_needs_its_module_and_its_cells_only(fresh_course, tmp_path):
    course_dir = course_copy(fresh_course, tmp_path / "course")
    changed = add_relu(course_dir)
    assert len(changed) == 2
    # `make release` in that course directory: its own copy of the course package, which now has relu
    subprocess.run(
        [sys.executable, "-m", "course", "release"], cwd=course_dir, env=nbgrader_env(), check=True, capture_output=True
    )
    visible = json.loads((course_dir / "release" / FORWARD / "cnn_checks.json").read_text())["exercises"]
    assert visible["relu"]["points"] == 10 and [p["title"] for p in visible["relu"]["parts"]] == ["published example"]

    correct = solutions(course_dir, FORWARD)
    assert "relu" in correct
    submit(course_dir, "correct", FORWARD, correct)
    submit(
        course_dir, "relu_forgot_the_zero", FORWARD, {**correct, "relu": "def relu(Z):\n    return np.maximum(Z, 1)"}
    )
    autograde(course_dir, FORWARD)
    scores = exercise_scores(course_dir, FORWARD)  # the exercises this process knows: relu is not one
    assert scores["correct"] == scores["relu_forgot_the_zero"] == FULL[FORWARD]
    with Gradebook(gradebook.resolve_url(course_dir)) as book:
        relu = {s: book.find_grade("test_relu", FORWARD, FORWARD, s).score for s in scores}
    assert relu == {"correct": 10.0, "relu_forgot_the_zero": 0.0}
    card = nbformat.read(str(course_dir / "autograded" / "relu_forgot_the_zero" / FORWARD / f"{FORWARD}.ipynb"), 4)
    html = next(c for c in card.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_relu").outputs[0]
    assert "relu (exercise 5): 0 / 10 points" in html["data"]["text/html"] and "max(Z, 0)" in html["data"]["text/html"]
