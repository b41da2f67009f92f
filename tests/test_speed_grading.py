"""The speed parts, graded by real nbgrader in one sandboxed batch: a moment's stall does not cost a
fast layer its points, and a slow layer cannot buy them by preparing results while the grader
measures its own costs, nor by turning fast and wrong once it has been timed; a layer that loops
over the examples, however little it does in each, loses them.

The target is pool_forward_fast (its speed part: 2 of 6 points); every other exercise keeps the
instructor's solution. Each attack is graded beside its honest twin, the plain loop version.
"""

import json

import pytest
from corpus.catalog import load_variants
from helpers import FULL, course_copy, exercise_scores, solutions, submit

from course import batch, exercises, gradebook
from course.grading.speed import SPEED_ROUNDS

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

APPLICATION = "cnn_application"
FUNCTION = "pool_forward_fast"
LOOPS = next(v for v in load_variants("bugs") if v.name == f"{FUNCTION}__four_loops").source
PER_EXAMPLE = next(v for v in load_variants("bugs") if v.name == f"{FUNCTION}__loop_over_examples").source

STALLS_ONCE = '''
import time

import numpy as np

_calls = []


def pool_forward_fast(A_prev, hparameters, mode="max"):
    """Vectorised; its first timed call is held up for 2 s, as a busy machine might hold it."""
    if A_prev.shape[0] > 10_000:  # the timed calls' batch
        _calls.append(1)
        if len(_calls) == 1:
            time.sleep(2)
    f, stride = hparameters["f"], hparameters["stride"]
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(A_prev, dtype=float), (f, f), axis=(1, 2))
    windows = windows[:, ::stride, ::stride]
    A = windows.max(axis=(4, 5)) if mode == "max" else windows.mean(axis=(4, 5))
    return A, (A_prev, hparameters)
'''

# Reads every request the grader sends the kernel; while the grader times its own cost (a function
# returning zeros shaped like the answer, called on inputs like the timed ones), it makes those inputs
# from their seeds and computes the loop version's answers, to hand them back at once when its own
# calls are timed.
SPIES = (
    LOOPS.replace("def pool_forward_fast(", "def _loop_version(")
    + '''

import json as _json

import cnn_checks as _checks

_real_loads, _prepared = _json.loads, {}


def _spy(text, *args, **kwargs):
    value = _real_loads(text, *args, **kwargs)
    if isinstance(value, dict) and value.get("function") == "cnn_probe_cost":
        for case in value.get("cases", []):
            call_args, call_kwargs = _checks.generate(case["generate"]["spec"], case["generate"]["seed"])
            _prepared[call_args[0].tobytes()] = _loop_version(*call_args, **call_kwargs)
    return value


_json.loads = _spy


def pool_forward_fast(A_prev, hparameters, mode="max"):
    """The loop version, unless the answer was prepared while the grader measured its own cost."""
    prepared = _prepared.pop(np.asarray(A_prev).tobytes(), None)
    return prepared if prepared is not None else _loop_version(A_prev, hparameters, mode)
'''
)

# Slow and right on the first round of timed calls, then instant and wrong.
TURNS_WRONG = (
    LOOPS.replace("def pool_forward_fast(", "def _loop_version(")
    + '''

_timed = []


def pool_forward_fast(A_prev, hparameters, mode="max"):
    """The loop version for its first three calls on the timed shape; zeros of the right shape after."""
    if A_prev.shape[0] > 10_000:  # the timed calls' batch
        _timed.append(1)
        if len(_timed) > 3:
            return np.zeros((A_prev.shape[0], 1, 1, A_prev.shape[3])), (A_prev, hparameters)
    return _loop_version(A_prev, hparameters, mode)
'''
)

SUBMISSIONS = {
    "stalls_once": STALLS_ONCE,
    "loops": LOOPS,
    "spies": SPIES,
    "turns_wrong": TURNS_WRONG,
    "per_example": PER_EXAMPLE,
}


@pytest.fixture(scope="module")
def graded(fresh_course, tmp_path_factory):
    course_dir = course_copy(fresh_course, tmp_path_factory.mktemp("speed") / "course")
    correct = solutions(course_dir, APPLICATION)
    submit(course_dir, "honest", APPLICATION, correct)
    for student, code in SUBMISSIONS.items():
        submit(course_dir, student, APPLICATION, {**correct, FUNCTION: code})
    run = batch.Batch(
        course_dir=course_dir,
        assignment=APPLICATION,
        db_url=gradebook.resolve_url(course_dir),
        workers=2,
        feedback=False,
        progress=False,
    )
    assert batch.run(run).failed == []
    return course_dir, exercise_scores(course_dir, APPLICATION)


def _card_text(course_dir, student):
    """The text of pool_forward_fast's scorecard in ``student``'s autograded notebook."""
    path = course_dir / "autograded" / student / APPLICATION / f"{APPLICATION}.ipynb"
    nb = json.loads(path.read_text())
    (cell,) = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == f"test_{FUNCTION}"]
    return "".join(cell["outputs"][0]["data"]["text/html"])


def test_a_fast_layer_keeps_its_speed_points_through_a_stall(graded):
    course_dir, scores = graded
    assert scores["honest"] == FULL[APPLICATION]
    assert scores["stalls_once"] == FULL[APPLICATION]
    assert "the quickest of 2 rounds" in _card_text(course_dir, "stalls_once")


def test_the_loop_version_loses_the_speed_part_only_after_every_round(graded):
    course_dir, scores = graded
    speed_points = sum(p.points for p in exercises.find(FUNCTION)[1].parts if p.speed)
    assert speed_points == 2
    assert scores["loops"] == {**FULL[APPLICATION], FUNCTION: FULL[APPLICATION][FUNCTION] - speed_points}
    assert f"the quickest of {SPEED_ROUNDS} rounds" in _card_text(course_dir, "loops")


def test_a_loop_over_the_examples_loses_the_speed_part_only(graded):
    """The windows of the whole batch as one view, then one reduction per example: the tightest such loop."""
    course_dir, scores = graded
    assert scores["per_example"] == scores["loops"]
    assert "a loop over the examples (one NumPy call per example)" in _card_text(course_dir, "per_example")


@pytest.mark.parametrize("attack", ["spies", "turns_wrong"])
def test_a_slow_layer_cannot_buy_its_speed_points(graded, attack):
    course_dir, scores = graded
    assert scores[attack] == scores["loops"], SUBMISSIONS[attack]
    if attack == "turns_wrong":
        assert "the result is wrong, so its speed does not count" in _card_text(course_dir, attack)


def test_the_graded_notebook_keeps_the_submissions_cells(graded):
    """The probe cost is measured in place of the notebook's first cell, which is put back."""
    course_dir, _ = graded

    def cells(folder):
        nb = json.loads((course_dir / folder / "honest" / APPLICATION / f"{APPLICATION}.ipynb").read_text())
        return [
            (c["cell_type"], "".join(c["source"]))
            for c in nb["cells"]
            if not c["metadata"].get("nbgrader", {}).get("grade")  # test cells come from the gradebook
        ]

    assert cells("autograded") == cells("submitted")
    assert (
        "cnn_probe_cost"
        not in (course_dir / "autograded" / "honest" / APPLICATION / f"{APPLICATION}.ipynb").read_text()
    )
