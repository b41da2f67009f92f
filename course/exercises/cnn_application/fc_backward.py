"""Exercise 9, fc_backward (5 points): the gradients of a fully connected layer."""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, close, length, shape

from .fc_forward import fc_forward


def fc_backward(dZ, cache):
    A, W, b = cache
    A_flat = np.reshape(A, (A.shape[0], -1))
    dA = np.reshape(dZ @ W.T, A.shape)
    dW = A_flat.T @ dZ
    db = np.sum(dZ, axis=0, keepdims=True)
    return dA, dW, db


def _case(rng, shape_A, n, **options):
    A = rng.standard_normal(shape_A)
    k = int(np.prod(shape_A[1:]))
    _, cache = fc_forward(A, rng.standard_normal((k, n)), rng.standard_normal((1, n)))
    return Case((rng.standard_normal((shape_A[0], n)), cache), **options)


def _published():
    rng = np.random.default_rng(9)
    show = (("dA.shape", "dA.shape", ""), ("dW.shape", "dW.shape", ""), ("db", "db", ""))
    return _case(rng, (3, 2, 2, 2), 4, names=("dZ", "cache"), result_names=("dA", "dW", "db"), show=show)


_rng = np.random.default_rng(2034)
PUBLISHED = _published()
HIDDEN = tuple(_case(_rng, s, n) for s, n in [((4, 5), 3), ((1, 2, 2, 16), 10), ((5, 3, 2, 2), 2), ((2, 1, 1, 6), 1)])
DA = "dA = dZ @ W.T, reshaped to A's shape (the volume that came in, not the flattened one)."
DW = "dW = A_flat.T @ dZ, of W's shape (k, n): a sum over the examples, not a mean (dZ already holds the 1/m)."
DB = "db = the sum of dZ over the examples, shape (1, n): np.sum(dZ, axis=0, keepdims=True)."

EXERCISE = Exercise(
    function="fc_backward",
    number=9,
    reference=fc_backward,
    returns="(dA, dW, db)",
    parts=(
        Part(
            "published example: shapes and values of dA, dW and db",
            2,
            (PUBLISHED,),
            (
                length("the result", hint="return the tuple (dA, dW, db)."),
                shape("dA", pick=(0,), hint=DA),
                shape("dW", pick=(1,), hint=DW),
                shape("db", pick=(2,), hint=DB),
                close("dA", pick=(0,), hint=DA),
                close("dW", pick=(1,), hint=DW),
                close("db", pick=(2,), hint=DB),
            ),
            visible=True,
        ),
        Part(
            "dA for 2-D and 4-D inputs, one example, one unit",
            1,
            HIDDEN,
            (shape("dA", pick=(0,), hint=DA), close("dA", pick=(0,), hint=DA)),
        ),
        Part("dW on the same inputs", 1, HIDDEN, (shape("dW", pick=(1,), hint=DW), close("dW", pick=(1,), hint=DW))),
        Part("db on the same inputs", 1, HIDDEN, (shape("db", pick=(2,), hint=DB), close("db", pick=(2,), hint=DB))),
    ),
)
