"""Exercise 5, conv_backward (20 points): the gradients of a convolution layer."""

import numpy as np

from course.exercises.cnn_step_by_step import conv_forward as forward
from course.grading.exercise import Case, Exercise, Part, close, length, shape


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    f, stride, pad = W.shape[0], hparameters["stride"], hparameters["pad"]
    n_H_prev, n_W_prev = A_prev.shape[1], A_prev.shape[2]
    A_pad = np.pad(np.asarray(A_prev, dtype=float), ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    dA_pad = np.zeros(A_pad.shape)
    dW = np.zeros(W.shape)
    for h in range(dZ.shape[1]):
        for w in range(dZ.shape[2]):
            rows, cols = slice(h * stride, h * stride + f), slice(w * stride, w * stride + f)
            dA_pad[:, rows, cols, :] += np.einsum("adkc,mc->madk", W, dZ[:, h, w, :])
            dW += np.einsum("madk,mc->adkc", A_pad[:, rows, cols, :], dZ[:, h, w, :])
    db = np.sum(dZ, axis=(0, 1, 2)).reshape(1, 1, 1, -1)
    return dA_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :], dW, db


def _case(A, W, b, hparameters, rng=None, **options):
    """conv_backward's arguments for conv_forward(A, W, b, hparameters): dZ (the forward output, or a
    random gradient of its shape when ``rng`` is given) and the cache."""
    Z, cache = forward.conv_forward(A, W, b, hparameters)
    return Case((Z if rng is None else rng.standard_normal(Z.shape), cache), **options)


def _published():
    A, W, b, hparameters = forward.PUBLISHED.args
    show = (("dA_mean", "np.mean(dA)", ".11f"), ("dW_mean", "np.mean(dW)", ".11f"), ("db_mean", "np.mean(db)", ".11f"))
    return _case(A, W, b, hparameters, names=("Z", "cache_conv"), result_names=("dA", "dW", "db"), show=show)


def _cases(seed, table):
    """Cases from ``(m, n_H_prev, n_W_prev, n_C_prev, f, n_C, pad, stride)`` rows."""
    rng = np.random.default_rng(seed)
    cases = []
    for m, h, w, k, f, c, pad, stride in table:
        A, W, b = (rng.standard_normal(s) for s in [(m, h, w, k), (f, f, k, c), (1, 1, 1, c)])
        cases.append(_case(A, W, b, {"pad": pad, "stride": stride}, rng))
    return tuple(cases)


PUBLISHED = _published()
# The lesson's trap: un-padding with [pad:-pad] gives an empty array when pad is 0.
NO_PADDING = _cases(8, [(2, 5, 4, 2, 3, 2, 0, 1)])
HIDDEN = _cases(
    2025,
    [
        (2, 5, 5, 2, 3, 3, 0, 1),
        (2, 5, 7, 3, 3, 2, 1, 2),
        (1, 7, 6, 1, 2, 2, 0, 3),
        (2, 6, 6, 2, 3, 2, 2, 1),
        (2, 4, 5, 2, 1, 2, 0, 1),
        (2, 6, 7, 2, 3, 2, 1, 3),
        (1, 3, 3, 2, 5, 2, 1, 1),
    ],
)
INDEX = ("i", "h", "w", "c")
UNPAD = "remove the padding with explicit bounds, pad:pad + n_H_prev: [pad:-pad] is empty when pad is 0."
DA = "add W[:, :, :, c] * dZ[i, h, w, c] into the window of the padded gradient with +=, then " + UNPAD
DW = "add the window of the padded input times dZ[i, h, w, c] into dW[:, :, :, c] with +=; it starts at h * stride."
DB = "db[..., c] is the sum of dZ[..., c] over examples, rows and columns."

EXERCISE = Exercise(
    function="conv_backward",
    number=5,
    reference=conv_backward,
    returns="(dA_prev, dW, db)",
    uses=("zero_pad",),
    parts=(
        Part(
            "published example: shapes of dA_prev, dW and db",
            2,
            (PUBLISHED,),
            (
                length("the result", hint="return the tuple (dA_prev, dW, db)."),
                shape("dA_prev", pick=(0,), hint=UNPAD),
                shape("dW", pick=(1,)),
                shape("db", pick=(2,)),
            ),
            visible=True,
        ),
        Part(
            "published example: values of dA_prev, dW and db",
            4,
            (PUBLISHED,),
            (
                close("dA_prev", pick=(0,), index_names=INDEX, hint=DA),
                close("dW", pick=(1,), hint=DW),
                close("db", pick=(2,), hint=DB),
            ),
            visible=True,
        ),
        Part(
            "pad 0",
            2,
            NO_PADDING,
            (shape("dA_prev", pick=(0,), hint=UNPAD), close("dA_prev", pick=(0,), hint=DA)),
            visible=True,
        ),
        Part(
            "dA_prev for pad 0 to 2, stride 1 to 3, overlapping windows, f = 1, one channel",
            5,
            HIDDEN,
            (close("dA_prev", pick=(0,), index_names=INDEX, hint=DA),),
        ),
        Part("dW for the same settings", 5, HIDDEN, (close("dW", pick=(1,), hint=DW),)),
        Part("db for the same settings", 2, HIDDEN, (close("db", pick=(2,), hint=DB),)),
    ),
)
