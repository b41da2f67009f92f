"""Exercise 2, conv_single_step (10 points): one filter applied to one window, a single number."""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, number, scalar


def conv_single_step(a_slice_prev, W, b):
    return float(np.sum(np.asarray(a_slice_prev, dtype=float) * np.asarray(W, dtype=float))) + float(np.ravel(b)[0])


def _published():
    np.random.seed(1)
    a_slice_prev = np.random.randn(4, 4, 3)
    W = np.random.randn(4, 4, 3)
    b = np.random.randn(1, 1, 1)
    return Case((a_slice_prev, W, b), names=("a_slice_prev", "W", "b"), result_names=("Z",), show=(("Z", "Z", ".11f"),))


def _hidden():
    rng = np.random.default_rng(2022)
    cases = []
    for window in [(3, 3, 1), (1, 1, 5), (2, 2, 3), (5, 5, 2)]:
        a, W, b = rng.standard_normal(window), rng.standard_normal(window), rng.standard_normal((1, 1, 1)) - 2
        cases.append(Case((a, W, b)))
    a, W = (rng.standard_normal((3, 3, 2)).astype(np.float32) for _ in range(2))
    cases.append(Case((a, W, np.full((1, 1, 1), 0.5, dtype=np.float32)), tolerance={"rtol": 1e-4, "atol": 1e-6}))
    return tuple(cases)


PUBLISHED, HIDDEN = _published(), _hidden()
HINT = "multiply element-wise, sum everything, then add the bias once."
NUMBER = "b has shape (1, 1, 1), so sum + b is an array: add b.item(), the number inside it."

EXERCISE = Exercise(
    function="conv_single_step",
    number=2,
    reference=conv_single_step,
    returns="Z, a single number",
    parts=(
        Part("published example: the value of Z", 3, (PUBLISHED,), (number("Z", hint=HINT),), visible=True),
        Part("Z is a single number, not an array", 2, (PUBLISHED,), (scalar("Z", hint=NUMBER),), visible=True),
        Part(
            "values for f = 1 to 5, one or more channels, a negative bias, float32 inputs",
            5,
            HIDDEN,
            (number("Z", hint=HINT),),
        ),
    ),
)
