"""Exercise 4, pool_forward (40 points): max and average pooling, forward."""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, close, length, same, shape


def pool_forward(A_prev, hparameters, mode="max"):
    f, stride = hparameters["f"], hparameters["stride"]
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(A_prev, dtype=float), (f, f), axis=(1, 2))
    windows = windows[:, ::stride, ::stride]
    A = windows.max(axis=(-2, -1)) if mode == "max" else windows.mean(axis=(-2, -1))
    return A, (A_prev, hparameters)


def _published(mode):
    np.random.seed(1)
    A_prev = np.random.randn(2, 4, 4, 3)
    show = (("mode", "mode", ""), ("A.shape", "A.shape", ""), ("A", "A", ""))
    return Case(
        (A_prev, {"stride": 2, "f": 3}),
        {"mode": mode},
        names=("A_prev", "hparameters"),
        result_names=("A", "cache"),
        show=show,
    )


def _both_modes(inputs):
    return tuple(Case((A, hp), {"mode": mode}) for A, hp in inputs for mode in ("max", "average"))


PUBLISHED = {mode: _published(mode) for mode in ("max", "average")}
_rng = np.random.default_rng(11)
# The lesson's traps: forgetting the stride (vert_start = h) and a running maximum started at 0.
# (Every window of the stride case has a positive maximum, so that each trap shows in its own part.)
STRIDED = _both_modes([(np.abs(_rng.standard_normal((1, 4, 6, 2))) + 0.1, {"f": 2, "stride": 2})])
NEGATIVE = (Case((-np.abs(_rng.standard_normal((1, 4, 4, 2))) - 0.1, {"f": 2, "stride": 2}), {"mode": "max"}),)

_rng = np.random.default_rng(2024)
_inputs = [
    (_rng.standard_normal((m, h, w, c)), {"f": f, "stride": s})
    for m, h, w, c, f, s in [
        (2, 4, 4, 3, 2, 2),
        (1, 5, 7, 2, 3, 1),
        (2, 6, 5, 1, 2, 3),
        (2, 7, 7, 2, 3, 2),
        (3, 3, 4, 2, 3, 1),
        (2, 4, 6, 3, 1, 1),
        (2, 8, 5, 2, 4, 3),
    ]
]
_inputs.append((_rng.integers(-20, 20, size=(2, 4, 4, 2)), {"f": 2, "stride": 2}))  # integer input
HIDDEN = _both_modes(_inputs)
HIDDEN_MAX = HIDDEN[0::2]
HIDDEN_AVERAGE = HIDDEN[1::2]
HIDDEN_NEGATIVE = (
    Case((-np.abs(_rng.standard_normal((2, 5, 4, 2))) - 0.1, {"f": 2, "stride": 2}), {"mode": "max"}),
    Case((-np.abs(_rng.standard_normal((1, 3, 3, 3))) - 0.1, {"f": 3, "stride": 1}), {"mode": "max"}),
)

INDEX = ("i", "h", "w", "c")
CHANNEL = "each channel is pooled on its own: window = A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]."
STRIDE = "the window of output (h, w) starts at row h * stride and column w * stride: vert_start = h * stride."
MAX = "take np.max of one channel's window; a running maximum must start at the window's first value, not at 0."
AVERAGE = "the average divides the window's sum by f * f (np.mean does it for you)."
CACHE = "the cache is (A_prev, hparameters)."


def values(hint):
    return (close("A", pick=(0,), index_names=INDEX, hint=hint),)


EXERCISE = Exercise(
    function="pool_forward",
    number=4,
    reference=pool_forward,
    returns="(A, cache)",
    parts=(
        Part("published example: mode = 'max', f = 3, stride 2", 5, (PUBLISHED["max"],), values(CHANNEL), visible=True),
        Part(
            "published example: mode = 'average', f = 3, stride 2",
            5,
            (PUBLISHED["average"],),
            values(CHANNEL),
            visible=True,
        ),
        Part("stride 2 with several output positions, both modes", 4, STRIDED, values(STRIDE), visible=True),
        Part("max pooling of windows whose values are all negative", 2, NEGATIVE, values(MAX), visible=True),
        Part(
            "output shapes for f = 1 to 4, stride 1 to 3, non-square inputs, one example, one channel",
            4,
            HIDDEN,
            (
                shape(
                    "A", pick=(0,), hint="n_H = (n_H_prev - f) // stride + 1; the number of channels does not change."
                ),
            ),
        ),
        Part("max pooling values (overlapping windows, floors, integer input)", 8, HIDDEN_MAX, values(MAX)),
        Part("average pooling values", 8, HIDDEN_AVERAGE, values(AVERAGE)),
        Part("max pooling of all-negative windows", 2, HIDDEN_NEGATIVE, values(MAX)),
        Part(
            "the cache holds (A_prev, hparameters)",
            2,
            HIDDEN[2:3],
            (
                length("the cache", pick=(1,), hint=CACHE),
                close("cache[0], A_prev", pick=(1, 0), hint=CACHE),
                same("cache[1], hparameters", pick=(1, 1), hint=CACHE),
            ),
        ),
    ),
)
