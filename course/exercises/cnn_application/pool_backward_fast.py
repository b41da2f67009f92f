"""Exercise 5, pool_backward_fast (6 points): the pooling layer's backward pass, vectorised.

Checked on the cases of cnn_step_by_step_bonus's pool_backward, then timed against
``pool_backward_per_example``, the layer with a loop over the examples, on many tiny examples.
"""

import numpy as np

from course.exercises.cnn_step_by_step_bonus import pool_backward as assignment1
from course.grading.exercise import Exercise, Part, Speed, at_least, close, shape

from .conv_forward_fast import SPEED_SHAPE, SPEED_UP


def pool_backward_fast(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    A_prev, dA = np.asarray(A_prev, dtype=float), np.asarray(dA, dtype=float)
    m, n_H, n_W, n_C = dA.shape
    if mode == "max":
        windows = np.lib.stride_tricks.sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
        mask = windows == windows.max(axis=(4, 5), keepdims=True)  # (m, n_H, n_W, n_C, f, f)
        dwindows = mask * dA[..., np.newaxis, np.newaxis]
    else:
        dwindows = np.broadcast_to(dA[..., np.newaxis, np.newaxis] / (f * f), (m, n_H, n_W, n_C, f, f))
    # every window's gradient added into its place, one (row, column) offset inside the window at a time
    dA_prev = np.zeros(A_prev.shape)
    for a in range(f):
        for d in range(f):
            dA_prev[:, a : a + stride * n_H : stride, d : d + stride * n_W : stride, :] += dwindows[..., a, d]
    return dA_prev


def pool_backward_loop(dA, cache, mode="max"):
    """The four-loop version (one output's gradient at a time): it checks the reference (tests/test_application.py)."""
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                rows, cols = slice(h * stride, h * stride + f), slice(w * stride, w * stride + f)
                for c in range(n_C):
                    if mode == "max":
                        window = A_prev[i, rows, cols, c]
                        dA_prev[i, rows, cols, c] += (window == np.max(window)) * dA[i, h, w, c]
                    else:
                        dA_prev[i, rows, cols, c] += dA[i, h, w, c] / (f * f)
    return dA_prev


def pool_backward_per_example(dA, cache, mode="max"):
    """The speed check's yardstick: the layer with a Python loop over the examples and nothing else, one NumPy call
    per example (each example's windows' gradients, from a mask of the whole batch's maxima); adding the windows
    back is vectorised."""
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    windows = np.lib.stride_tricks.sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    if mode == "max":
        share = windows == windows.max(axis=(4, 5), keepdims=True)
    else:
        share = np.full(windows.shape, 1 / (f * f))
    gradients = dA[..., np.newaxis, np.newaxis]
    dwindows = np.empty(windows.shape)
    for i in range(m):
        np.multiply(share[i], gradients[i], out=dwindows[i])
    dA_prev = np.zeros(A_prev.shape)
    for a in range(f):
        for d in range(f):
            dA_prev[:, a : a + stride * n_H : stride, d : d + stride * n_W : stride, :] += dwindows[..., a, d]
    return dA_prev


# The speed check's inputs: the gradient of pool_forward_fast's speed check (max pooling f 2, stride 2 of 32 768
# images 2 x 2 x 1). Normal values: no two tie in a window, where a mask of every maximum and a single arg-max
# would both be right but differ.
SPEED_SPEC = {
    "args": [
        {"normal": [SPEED_SHAPE[0], 1, 1, SPEED_SHAPE[3]]},
        {"tuple": [{"normal": list(SPEED_SHAPE)}, {"f": 2, "stride": 2}]},
    ],
    "kwargs": {"mode": "max"},
}
SPEED_DESCRIPTION = "the gradient of max pooling (f 2, stride 2) of 32 768 images 2 x 2 x 1"


INDEX = assignment1.INDEX
VALUES = (
    "max: a mask of each window's maximum (compare the windows with their max, keepdims=True) times dA[..., None, "
    "None]; average: dA / (f * f) for every cell of the window. Then add every window into its place with += "
    "(windows overlap when stride < f), reading dA at the output position."
)
SPEED_HINT = (
    "no Python loop over examples, positions or channels: build the windows' gradients in one go; adding them back "
    "may loop over the f * f offsets inside a window, no more. A loop over the examples costs about a microsecond "
    "per example, however little it does in each."
)
CHECKS = (shape("dA_prev", hint="dA_prev has the shape of A_prev."), close("dA_prev", index_names=INDEX, hint=VALUES))

EXERCISE = Exercise(
    function="pool_backward_fast",
    number=5,
    reference=pool_backward_fast,
    returns="dA_prev, an array",
    parts=(
        Part(
            "published examples of pool_backward, both modes (f 2, stride 1)",
            1,
            (assignment1.PUBLISHED["max"], assignment1.PUBLISHED["average"]),
            CHECKS,
            visible=True,
        ),
        Part(
            "stride 2, and overlapping windows (f 3, stride 1), both modes",
            1,
            assignment1.STRIDED + assignment1.OVERLAPPING,
            CHECKS,
            visible=True,
        ),
        Part(
            "pool_backward's hidden cases, both modes (strides 1 to 3, overlapping windows, f = 1, one channel)",
            2,
            assignment1.HIDDEN + assignment1.HIDDEN_OVERLAP,
            CHECKS,
        ),
        Part(
            f"speed: at least {SPEED_UP:g} times faster than a loop over the examples, on {SPEED_DESCRIPTION}",
            2,
            checks=(at_least("the speed-up over the loop over the examples", hint=SPEED_HINT),),
            speed=Speed(
                yardstick=pool_backward_per_example,
                spec=SPEED_SPEC,
                description=SPEED_DESCRIPTION,
                picks=(("dA_prev", ()),),
                at_least=SPEED_UP,
            ),
        ),
    ),
)
