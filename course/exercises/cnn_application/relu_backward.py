"""Exercise 7, relu_backward (3 points): the gradient through ReLU."""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, close, shape


def relu_backward(dA, cache):
    return dA * (cache > 0)


def _published():
    rng = np.random.default_rng(7)
    Z = np.round(rng.standard_normal((2, 5)), 2)
    Z[1, 2] = 0.0
    dA = np.round(rng.standard_normal((2, 5)), 2)
    return Case(
        (dA, Z), names=("dA", "Z"), result_names=("dZ",), show=(("Z", "Z", ""), ("dZ", "dZ + 0.0", ""))
    )  # + 0.0: -0.0 prints as 0.


def _hidden():
    rng = np.random.default_rng(2032)
    cases = []
    for s in [(3, 4, 4, 2), (1, 7), (2, 2, 3, 5), (4, 6)]:
        Z, dA = rng.standard_normal(s), rng.standard_normal(s)
        Z.reshape(-1)[::3] = 0.0  # ReLU's kink: the gradient there is 0
        cases.append(Case((dA, Z)))
    Z = -np.abs(rng.standard_normal((2, 3, 3, 1)))  # all negative: no gradient gets through
    cases.append(Case((rng.standard_normal(Z.shape), Z)))
    Z = np.abs(rng.standard_normal((2, 3)))  # all positive: dA gets through unchanged, negative entries too
    cases.append(Case((-np.abs(rng.standard_normal(Z.shape)), Z)))
    return tuple(cases)


PUBLISHED, HIDDEN = _published(), _hidden()
HINT = (
    "dZ = dA where Z > 0 and 0 elsewhere, including where Z is exactly 0: dA * (Z > 0). The mask comes from the "
    "cache Z, not from dA."
)

EXERCISE = Exercise(
    function="relu_backward",
    number=7,
    reference=relu_backward,
    returns="dZ, an array",
    parts=(
        Part("published example", 1, (PUBLISHED,), (shape("dZ", hint=HINT), close("dZ", hint=HINT)), visible=True),
        Part(
            "2-D and 4-D gradients, Z exactly 0 at some entries, all-negative Z, negative gradients",
            2,
            HIDDEN,
            (shape("dZ", hint=HINT), close("dZ", hint=HINT)),
        ),
    ),
)
