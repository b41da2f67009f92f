"""Exercise 2, conv_forward_fast (12 points): the convolution layer's forward pass, vectorised.

Checked on the cases of cnn_step_by_step's conv_forward (published example, traps, hidden settings), then
timed against ``conv_forward_loop``, the four-loop version, on a batch of the size a real layer sees.
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
    """The four-loop version (one output number at a time): the speed check's yardstick."""
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


# The speed checks' inputs. The grader sends them to the kernel as JSON, at roughly 0.3 microseconds per byte of
# input, with a noise of a quarter of that, which its measure of the probe's own cost cannot remove: the inputs are
# kept to 60 to 280 KB per call (float32, or 8-bit values for max pooling) for loops of 0.25 to 0.6 s per call,
# so that the noise stays near 10 ms per call, a few percent of a loop.
SPEED_SHAPE, SPEED_FILTERS = (4, 32, 32, 2), (3, 3, 2, 32)
# Every speed check asks this much. Vectorised layers are 50 to 300 times faster than the loops on these inputs
# (benchmarks/layers.py), a layer that loops over examples and positions but not channels about 7 times, the
# loops themselves once. 5 keeps honest vectorisations 5 to 10 times above the bar on a loaded machine.
SPEED_UP = 5.0


def speed_inputs(rng):
    """A first layer: a (4, 32, 32, 2) batch, 32 filters 3 x 3, pad 1 ("same"), stride 1; 131 072 outputs."""
    A = rng.standard_normal(SPEED_SHAPE)
    W = rng.standard_normal(SPEED_FILTERS) * 0.3
    b = rng.standard_normal((1, 1, 1, SPEED_FILTERS[3]))
    return (A, W, b, {"stride": 1, "pad": 1}), {}


INDEX = assignment1.INDEX
VALUES = (
    "one contraction does it: the windows of the padded input (sliding_window_view, then [:, ::stride, ::stride]) "
    "with W over (row in window, column in window, input channel); then add b."
)
CACHE = "the cache is (A_prev, W, b, hparameters), with the unpadded A_prev, as in conv_forward."
SPEED_HINT = (
    "no Python loop over examples, positions or filters: build all windows at once (a strided view or im2col) "
    "and contract them with W in one call (np.tensordot, np.einsum or a matrix product)."
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
            "speed: at least 5 times faster than the four-loop version on a (4, 32, 32, 2) batch, 32 filters",
            4,
            checks=(at_least("the speed-up over the loop version", hint=SPEED_HINT),),
            speed=Speed(
                loop=conv_forward_loop,
                inputs=speed_inputs,
                description="a (4, 32, 32, 2) batch with 32 filters 3 x 3, pad 1",
                calls=3,
                at_least=SPEED_UP,
                checks=(close("Z", pick=(0,), index_names=INDEX, hint=VALUES),),
            ),
        ),
    ),
)
