"""Exercise 4, pool_forward_fast (6 points): max and average pooling, vectorised.

Checked on the cases of cnn_step_by_step's pool_forward, then timed against ``pool_forward_per_example``, the layer
with a loop over the examples, on many tiny examples.
"""

import numpy as np

from course.exercises.cnn_step_by_step import pool_forward as assignment1
from course.grading.exercise import Exercise, Part, Speed, at_least, close, length, same, shape

from .conv_forward_fast import SPEED_SHAPE, SPEED_UP


def pool_forward_fast(A_prev, hparameters, mode="max"):
    f, stride = hparameters["f"], hparameters["stride"]
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(A_prev, dtype=float), (f, f), axis=(1, 2))
    windows = windows[:, ::stride, ::stride]  # (m, n_H, n_W, n_C, f, f)
    A = windows.max(axis=(4, 5)) if mode == "max" else windows.mean(axis=(4, 5))
    return A, (A_prev, hparameters)


def pool_forward_loop(A_prev, hparameters, mode="max"):
    """The four-loop version (one output number at a time): it checks the reference (tests/test_application.py)."""
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    n_H, n_W = (n_H_prev - f) // stride + 1, (n_W_prev - f) // stride + 1
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    window = A_prev[i, h * stride : h * stride + f, w * stride : w * stride + f, c]
                    A[i, h, w, c] = np.max(window) if mode == "max" else np.mean(window)
    return A, (A_prev, hparameters)


def pool_forward_per_example(A_prev, hparameters, mode="max"):
    """The speed check's yardstick: the layer with a Python loop over the examples and nothing else, one reduction
    per example (the windows are one view of the whole batch)."""
    f, stride = hparameters["f"], hparameters["stride"]
    windows = np.lib.stride_tricks.sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    A = np.empty(windows.shape[:4])
    for i in range(A_prev.shape[0]):
        A[i] = windows[i].max(axis=(3, 4)) if mode == "max" else windows[i].mean(axis=(3, 4))
    return A, (A_prev, hparameters)


# The speed check's inputs: max pooling f 2, stride 2 of the batch of conv_forward_fast's speed check.
SPEED_SPEC = {"args": [{"normal": list(SPEED_SHAPE)}, {"f": 2, "stride": 2}], "kwargs": {"mode": "max"}}
SPEED_DESCRIPTION = "32 768 images 2 x 2 x 1, max pooling f 2, stride 2"


INDEX = assignment1.INDEX
VALUES = (
    "take the windows of A_prev as a view (sliding_window_view over height and width, then [:, ::stride, ::stride]) "
    "and reduce them with max or mean over the two window axes; each channel is pooled on its own."
)
SPEED_HINT = (
    "no Python loop over examples, positions or channels: reduce all the windows in one call. A loop over the "
    "examples costs about a microsecond per example, however little it does in each."
)
A_CHECKS = (shape("A", pick=(0,), hint=VALUES), close("A", pick=(0,), index_names=INDEX, hint=VALUES))
CACHE = "the cache is (A_prev, hparameters), as in pool_forward."

EXERCISE = Exercise(
    function="pool_forward_fast",
    number=4,
    reference=pool_forward_fast,
    returns="(A, cache)",
    parts=(
        Part(
            "published examples of pool_forward, both modes, and the cache",
            1,
            (assignment1.PUBLISHED["max"], assignment1.PUBLISHED["average"]),
            (
                *A_CHECKS,
                length("the cache", pick=(1,), hint=CACHE),
                close("cache[0], A_prev", pick=(1, 0), hint=CACHE),
                same("cache[1], hparameters", pick=(1, 1), hint=CACHE),
            ),
            visible=True,
        ),
        Part(
            "stride 2 with several output positions, both modes; windows whose values are all negative",
            1,
            assignment1.STRIDED + assignment1.NEGATIVE,
            A_CHECKS,
            visible=True,
        ),
        Part(
            "shapes and values on pool_forward's hidden cases, both modes (f = 1 to 4, stride 1 to 3, integer input)",
            2,
            assignment1.HIDDEN + assignment1.HIDDEN_NEGATIVE,
            A_CHECKS,
        ),
        Part(
            f"speed: at least {SPEED_UP:g} times faster than a loop over the examples, on {SPEED_DESCRIPTION}",
            2,
            checks=(at_least("the speed-up over the loop over the examples", hint=SPEED_HINT),),
            speed=Speed(
                yardstick=pool_forward_per_example,
                spec=SPEED_SPEC,
                description=SPEED_DESCRIPTION,
                picks=(("A", (0,)),),
                at_least=SPEED_UP,
            ),
        ),
    ),
)
