"""Exercise 2, conv_forward_fast (12 points): the convolution layer's forward pass, vectorised.

Checked on the cases of cnn_step_by_step's conv_forward (published example, traps, hidden settings), then
timed against ``conv_forward_per_example``, the layer with a loop over the examples, on many tiny examples.
``conv_forward_loop``, the four-loop version, checks the references (tests/test_application.py).
"""

import numpy as np

from course.exercises.cnn_step_by_step import conv_forward as assignment1
from course.grading.exercise import Exercise, Part, Speed, at_least, close, length, same, shape


def conv_forward_fast(A_prev, W, b, hparameters):
    stride, pad = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    A_pad = np.pad(np.asarray(A_prev, dtype=float), ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    # every f x f window as a view (m, n_H, n_W, n_C_prev, f, f), then one contraction with the filters
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    Z = np.tensordot(windows, np.asarray(W, dtype=float), axes=([4, 5, 3], [0, 1, 2]))
    Z = Z + np.reshape(np.asarray(b, dtype=float), (1, 1, 1, -1))
    return Z, (A_prev, W, b, hparameters)


def conv_forward_loop(A_prev, W, b, hparameters):
    """The four-loop version (one output number at a time): it checks the reference (tests/test_application.py)."""
    stride, pad = hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    n_H = (n_H_prev - f + 2 * pad) // stride + 1
    n_W = (n_W_prev - f + 2 * pad) // stride + 1
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    Z = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                window = A_pad[i, h * stride : h * stride + f, w * stride : w * stride + f, :]
                for c in range(n_C):
                    Z[i, h, w, c] = np.sum(window * W[:, :, :, c]) + b[0, 0, 0, c]
    return Z, (A_prev, W, b, hparameters)


def conv_forward_per_example(A_prev, W, b, hparameters):
    """The speed check's yardstick: the layer with a Python loop over the examples and nothing else, one matrix
    product per example (the windows are built once for the whole batch). Whatever a layer does for each example
    in a Python loop, it costs at least this much."""
    stride, pad = hparameters["stride"], hparameters["pad"]
    m = A_prev.shape[0]
    f, _, n_C_prev, n_C = W.shape
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    n_H, n_W = windows.shape[1:3]
    cols = np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3)).reshape(m, n_H * n_W, f * f * n_C_prev)
    W_matrix = W.reshape(f * f * n_C_prev, n_C)
    Z = np.empty((m, n_H * n_W, n_C))
    for i in range(m):
        np.matmul(cols[i], W_matrix, out=Z[i])
    return Z.reshape(m, n_H, n_W, n_C) + b.reshape(1, 1, 1, n_C), (A_prev, W, b, hparameters)


# The speed checks' inputs: many tiny examples, so that a Python loop over the examples cannot hide. On 32 768
# images 2 x 2 x 1, a loop that makes a single NumPy call per example spends about a microsecond on each, 30 to 45 ms
# a call, while vectorised layers take 0.1 to 10 ms (benchmarks/layers.py). The kernel makes the inputs from a seed
# and hands back a digest of the result (course/grading/speed.py): nothing of this size crosses as JSON.
SPEED_EXAMPLES = 32_768
SPEED_SHAPE, SPEED_FILTERS = (SPEED_EXAMPLES, 2, 2, 1), (2, 2, 1, 4)
# Every speed check asks this much over the yardstick, the layer with a loop over the examples (one NumPy call per
# example). On one core, honest vectorisations are 3 (dA as a transposed convolution) to 50 times faster than it,
# loops over the examples 1 time or less (benchmarks/layers.py): 2 leaves a margin of 1.5 or more on each side.
SPEED_UP = 2.0
SPEED_SPEC = {
    "args": [
        {"normal": list(SPEED_SHAPE)},
        {"normal": list(SPEED_FILTERS), "scale": 0.5},
        {"normal": [1, 1, 1, SPEED_FILTERS[3]]},
        {"stride": 1, "pad": 0},
    ],
    "kwargs": {},
}
SPEED_DESCRIPTION = "32 768 images 2 x 2 x 1 with 4 filters 2 x 2, pad 0"


INDEX = assignment1.INDEX
VALUES = (
    "one contraction does it: the windows of the padded input (sliding_window_view, then [:, ::stride, ::stride]) "
    "with W over (row in window, column in window, input channel); then add b."
)
CACHE = "the cache is (A_prev, W, b, hparameters), with the unpadded A_prev, as in conv_forward."
SPEED_HINT = (
    "no Python loop over examples, positions or filters: build all windows at once (a strided view or im2col) "
    "and contract them with W in one call (np.tensordot, np.einsum or a matrix product). A loop over the examples "
    "costs about a microsecond per example, however little it does in each."
)
Z_CHECKS = (shape("Z", pick=(0,), hint=assignment1.SIZE), close("Z", pick=(0,), index_names=INDEX, hint=VALUES))

EXERCISE = Exercise(
    function="conv_forward_fast",
    number=2,
    reference=conv_forward_fast,
    returns="(Z, cache)",
    parts=(
        Part(
            "published example of conv_forward: Z's shape and values",
            2,
            (assignment1.PUBLISHED,),
            Z_CHECKS,
            visible=True,
        ),
        Part(
            "no padding, overlapping windows (f 3, stride 1), stride 2 with a floor",
            1,
            assignment1.TRAPS,
            Z_CHECKS,
            visible=True,
        ),
        Part(
            "the cache holds (A_prev, W, b, hparameters)",
            1,
            (assignment1.PUBLISHED,),
            (
                length("the cache", pick=(1,), hint=CACHE),
                close("cache[0], A_prev", pick=(1, 0), hint=CACHE),
                close("cache[1], W", pick=(1, 1), hint=CACHE),
                same("cache[3], hparameters", pick=(1, 3), hint=CACHE),
            ),
            visible=True,
        ),
        Part(
            "shapes and values on conv_forward's ten hidden settings (pad 0 to 2, stride 1 to 3, f = 1 to 5, float32)",
            4,
            assignment1.HIDDEN,
            Z_CHECKS,
        ),
        Part(
            f"speed: at least {SPEED_UP:g} times faster than a loop over the examples, on {SPEED_DESCRIPTION}",
            4,
            checks=(at_least("the speed-up over the loop over the examples", hint=SPEED_HINT),),
            speed=Speed(
                yardstick=conv_forward_per_example,
                spec=SPEED_SPEC,
                description=SPEED_DESCRIPTION,
                picks=(("Z", (0,)),),
                at_least=SPEED_UP,
            ),
        ),
    ),
)
