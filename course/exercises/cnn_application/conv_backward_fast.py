"""Exercise 3, conv_backward_fast (12 points): the convolution layer's backward pass, vectorised.

Checked on the cases of cnn_step_by_step_bonus's conv_backward, then timed against
``conv_backward_per_example``, the layer with a loop over the examples, on many tiny examples.
"""

import numpy as np

from course.exercises.cnn_step_by_step_bonus import conv_backward as assignment1
from course.grading.exercise import Exercise, Part, Speed, at_least, close, length, shape

from .conv_forward_fast import SPEED_EXAMPLES, SPEED_FILTERS, SPEED_SHAPE, SPEED_UP


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    _, n_H, n_W, n_C = dZ.shape
    dZ, W = np.asarray(dZ, dtype=float), np.asarray(W, dtype=float)
    A_pad = np.pad(np.asarray(A_prev, dtype=float), ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    # dW: each window times its output's gradient, summed over examples and positions (the forward contraction,
    # transposed); db: dZ summed the same way
    dW = np.tensordot(windows, dZ, axes=([0, 1, 2], [0, 1, 2])).transpose(1, 2, 0, 3)
    db = np.sum(dZ, axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    # dA: each output's gradient sent back to its window (m, n_H, n_W, f, f, n_C_prev), then every window added
    # into its place of the padded input, one (row, column) offset inside the window at a time
    dwindows = np.tensordot(dZ, W, axes=([3], [3]))
    dA_pad = np.zeros(A_pad.shape)
    for a in range(f):
        for d in range(f):
            dA_pad[:, a : a + stride * n_H : stride, d : d + stride * n_W : stride, :] += dwindows[:, :, :, a, d, :]
    return dA_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :], dW, db


def conv_backward_loop(dZ, cache):
    """The four-loop version (one output's gradient at a time): it checks the reference (tests/test_application.py)."""
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    m, n_H, n_W, n_C = dZ.shape
    f = W.shape[0]
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    dA_pad, dW, db = np.zeros(A_pad.shape), np.zeros(W.shape), np.zeros((1, 1, 1, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                rows, cols = slice(h * stride, h * stride + f), slice(w * stride, w * stride + f)
                for c in range(n_C):
                    g = dZ[i, h, w, c]
                    dA_pad[i, rows, cols, :] += g * W[:, :, :, c]
                    dW[:, :, :, c] += g * A_pad[i, rows, cols, :]
                    db[0, 0, 0, c] += g
    n_H_prev, n_W_prev = A_prev.shape[1:3]
    return dA_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :], dW, db


def conv_backward_per_example(dZ, cache):
    """The speed check's yardstick: the layer with a Python loop over the examples and nothing else, one matrix
    product per example (each example's windows' gradients); dW, db and adding the windows back are vectorised."""
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    _, n_H, n_W, _ = dZ.shape
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    dW = np.tensordot(windows, dZ, axes=([0, 1, 2], [0, 1, 2])).transpose(1, 2, 0, 3)
    db = np.sum(dZ, axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    dZ_rows, W_matrix_T = dZ.reshape(m, n_H * n_W, n_C), W.reshape(f * f * n_C_prev, n_C).T
    dcols = np.empty((m, n_H * n_W, f * f * n_C_prev))
    for i in range(m):
        np.matmul(dZ_rows[i], W_matrix_T, out=dcols[i])
    dwindows = dcols.reshape(m, n_H, n_W, f, f, n_C_prev)
    dA_pad = np.zeros(A_pad.shape)
    for a in range(f):
        for d in range(f):
            dA_pad[:, a : a + stride * n_H : stride, d : d + stride * n_W : stride, :] += dwindows[:, :, :, a, d, :]
    return dA_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :], dW, db


# The speed check's inputs: the gradient of conv_forward_fast's speed check (same batch and filters).
SPEED_SPEC = {
    "args": [
        {"normal": [SPEED_EXAMPLES, 1, 1, SPEED_FILTERS[3]]},
        {
            "tuple": [
                {"normal": list(SPEED_SHAPE)},
                {"normal": list(SPEED_FILTERS), "scale": 0.5},
                {"normal": [1, 1, 1, SPEED_FILTERS[3]]},
                {"stride": 1, "pad": 0},
            ]
        },
    ],
    "kwargs": {},
}
SPEED_DESCRIPTION = "the gradient of a layer with 4 filters 2 x 2, pad 0, on 32 768 images 2 x 2 x 1"


INDEX = assignment1.INDEX
DA = (
    "dA: each output's gradient times the filters gives the gradient of its window (m, n_H, n_W, f, f, n_C_prev); "
    "add every window into its place of a zero padded array (windows overlap: +=), then remove the padding with "
    "pad:pad + n_H_prev."
)
DW = "dW: the windows of the padded input contracted with dZ over examples and output positions."
DB = "db[..., c] is the sum of dZ[..., c] over examples, rows and columns, shaped (1, 1, 1, n_C)."
SPEED_HINT = (
    "no Python loop over examples, positions or filters: dW and the windows' gradients are one contraction each; "
    "adding the windows back may loop over the f * f offsets inside a window, no more. A loop over the examples "
    "costs about a microsecond per example, however little it does in each."
)
GRADIENTS = (
    close("dA_prev", pick=(0,), index_names=INDEX, hint=DA),
    close("dW", pick=(1,), hint=DW),
    close("db", pick=(2,), hint=DB),
)

EXERCISE = Exercise(
    function="conv_backward_fast",
    number=3,
    reference=conv_backward_fast,
    returns="(dA_prev, dW, db)",
    parts=(
        Part(
            "published example of conv_backward: shapes and values of dA_prev, dW and db",
            2,
            (assignment1.PUBLISHED,),
            (
                length("the result", hint="return the tuple (dA_prev, dW, db)."),
                shape("dA_prev", pick=(0,), hint=assignment1.UNPAD),
                shape("dW", pick=(1,)),
                shape("db", pick=(2,), hint=DB),
                *GRADIENTS,
            ),
            visible=True,
        ),
        Part(
            "pad 0",
            1,
            assignment1.NO_PADDING,
            (shape("dA_prev", pick=(0,), hint=assignment1.UNPAD), *GRADIENTS),
            visible=True,
        ),
        Part(
            "dA_prev on conv_backward's hidden settings (pad 0 to 2, stride 1 to 3, overlapping windows, f = 1)",
            2,
            assignment1.HIDDEN,
            GRADIENTS[:1],
        ),
        Part("dW on the same settings", 2, assignment1.HIDDEN, GRADIENTS[1:2]),
        Part("db on the same settings", 1, assignment1.HIDDEN, (shape("db", pick=(2,), hint=DB), GRADIENTS[2])),
        Part(
            f"speed: at least {SPEED_UP:g} times faster than a loop over the examples, on {SPEED_DESCRIPTION}",
            4,
            checks=(at_least("the speed-up over the loop over the examples", hint=SPEED_HINT),),
            speed=Speed(
                yardstick=conv_backward_per_example,
                spec=SPEED_SPEC,
                description=SPEED_DESCRIPTION,
                picks=(("dA_prev", (0,)), ("dW", (1,)), ("db", (2,))),
                at_least=SPEED_UP,
            ),
        ),
    ),
)
