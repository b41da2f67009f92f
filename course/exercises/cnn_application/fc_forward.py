"""Exercise 8, fc_forward (4 points): a fully connected layer on a flattened volume."""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, close, length, shape


def fc_forward(A, W, b):
    A_flat = np.reshape(A, (A.shape[0], -1))
    return A_flat @ W + b, (A, W, b)


def _case(rng, shape_A, n, **options):
    A = rng.standard_normal(shape_A)
    k = int(np.prod(shape_A[1:]))
    return Case((A, rng.standard_normal((k, n)), rng.standard_normal((1, n))), **options)


def _published():
    rng = np.random.default_rng(8)
    show = (("Z.shape", "Z.shape", ""), ("Z", "Z", ""))
    return _case(rng, (2, 2, 2, 3), 4, names=("A", "W", "b"), result_names=("Z", "cache"), show=show)


_rng = np.random.default_rng(2033)
PUBLISHED = _published()
HIDDEN = tuple(_case(_rng, s, n) for s, n in [((3, 5), 2), ((1, 2, 2, 16), 10), ((4, 3, 2, 2), 5), ((2, 1, 1, 7), 1)])
FLATTEN = (
    "flatten each example in NumPy's (C) order, A.reshape(m, -1), so that W's rows match the entries (row, column, "
    "channel) of the volume; then Z = A_flat @ W + b."
)
CACHE = "the cache is (A, W, b), with A as it came in (not flattened)."
CHECKS = (shape("Z", pick=(0,), hint=FLATTEN), close("Z", pick=(0,), hint=FLATTEN))
CACHE_CHECKS = (
    length("the cache", pick=(1,), hint=CACHE),
    close("cache[0], A", pick=(1, 0), hint=CACHE),
    close("cache[1], W", pick=(1, 1), hint=CACHE),
)

EXERCISE = Exercise(
    function="fc_forward",
    number=8,
    reference=fc_forward,
    returns="(Z, cache)",
    parts=(
        Part("published example: a (2, 2, 2, 3) volume into 4 units", 1.5, (PUBLISHED,), CHECKS, visible=True),
        Part("published example: the cache (A, W, b)", 0.5, (PUBLISHED,), CACHE_CHECKS, visible=True),
        Part("2-D and 4-D inputs, one example, one unit", 1.5, HIDDEN, CHECKS),
        Part("the cache", 0.5, HIDDEN[1:2], CACHE_CHECKS),
    ),
)
