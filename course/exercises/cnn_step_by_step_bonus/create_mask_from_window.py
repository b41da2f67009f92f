"""Exercise 6, create_mask_from_window (5 points): where a window takes its maximum."""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, equal


def create_mask_from_window(x):
    return x >= np.max(x)


def _published():
    np.random.seed(1)
    x = np.random.randn(2, 3)
    return Case((x,), names=("x",), result_names=("mask",), show=(("x", "x", ""), ("mask", "mask", "")))


_rng = np.random.default_rng(2026)
PUBLISHED = _published()
NEGATIVE = (Case((-np.abs(_rng.standard_normal((3, 3))) - 1,)),)  # the trap: comparing with 0
HIDDEN = tuple(
    Case((x,))
    for x in [
        _rng.standard_normal((2, 2)),
        _rng.standard_normal((3, 3)),
        _rng.standard_normal((4, 2)),
        _rng.permutation(9).reshape(3, 3) - 20,
        np.array([[0.5]]),
    ]
)
HINT = "True exactly where x equals np.max(x): compare with the maximum, not with 0 or the minimum."


def _mask(what="mask"):
    return (equal(what, hint=HINT),)


EXERCISE = Exercise(
    function="create_mask_from_window",
    number=6,
    reference=create_mask_from_window,
    returns="mask, a boolean array",
    parts=(
        Part("published example: x of shape (2, 3)", 2, (PUBLISHED,), _mask(), visible=True),
        Part("a window whose values are all negative", 1, NEGATIVE, _mask(), visible=True),
        Part("square, non-square, one-cell and integer windows", 2, HIDDEN, _mask()),
    ),
)
