"""Exercise 6, relu_forward (2 points): the ReLU activation, element by element, and its cache."""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, close, length, shape


def relu_forward(Z):
    return np.maximum(Z, 0), Z


def _published():
    rng = np.random.default_rng(6)
    Z = np.round(rng.standard_normal((2, 5)), 2)
    Z[0, 1] = 0.0
    return Case((Z,), names=("Z",), result_names=("A", "cache"), show=(("Z", "Z", ""), ("A", "A", "")))


def _hidden():
    rng = np.random.default_rng(2031)
    cases = [Case((rng.standard_normal(s),)) for s in [(3, 4, 4, 2), (1, 7), (2, 2, 3, 5)]]
    Z = rng.standard_normal((4, 6))
    Z[1] = 0.0  # exact zeros
    cases.append(Case((Z,)))
    cases.append(Case((-np.abs(rng.standard_normal((2, 3, 3, 1))) - 0.5,)))  # all negative
    cases.append(Case((rng.standard_normal((2, 4, 4, 3)).astype(np.float32),)))
    return tuple(cases)


PUBLISHED, HIDDEN = _published(), _hidden()
HINT = "A = max(Z, 0) element by element: np.maximum(Z, 0) (np.max(Z, 0) is the largest value along axis 0)."
CACHE = "the cache is Z itself (relu_backward needs to know where Z > 0)."

EXERCISE = Exercise(
    function="relu_forward",
    number=6,
    reference=relu_forward,
    returns="(A, cache)",
    parts=(
        Part(
            "published example: A, and the cache Z",
            1,
            (PUBLISHED,),
            (
                length("the result", hint="return the pair (A, cache)."),
                shape("A", pick=(0,), hint=HINT),
                close("A", pick=(0,), hint=HINT),
                close("the cache", pick=(1,), hint=CACHE),
            ),
            visible=True,
        ),
        Part(
            "2-D and 4-D arrays, exact zeros, all-negative and float32 inputs",
            1,
            HIDDEN,
            (
                shape("A", pick=(0,), hint=HINT),
                close("A", pick=(0,), hint=HINT),
                shape("the cache", pick=(1,), hint=CACHE),
            ),
        ),
    ),
)
