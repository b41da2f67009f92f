"""Exercise 8, pool_backward (20 points): the gradient of a pooling layer."""

import numpy as np

from course.exercises.cnn_step_by_step import pool_forward as forward
from course.grading.exercise import Case, Exercise, Part, close, shape


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    A_prev = np.asarray(A_prev, dtype=float)
    dA_prev = np.zeros(A_prev.shape)
    for h in range(dA.shape[1]):
        for w in range(dA.shape[2]):
            rows, cols = slice(h * stride, h * stride + f), slice(w * stride, w * stride + f)
            if mode == "max":
                window = A_prev[:, rows, cols, :]
                mask = window == window.max(axis=(1, 2), keepdims=True)
                dA_prev[:, rows, cols, :] += mask * dA[:, h : h + 1, w : w + 1, :]
            else:
                dA_prev[:, rows, cols, :] += dA[:, h : h + 1, w : w + 1, :] / (f * f)
    return dA_prev


def _published(mode):
    np.random.seed(1)
    A_prev = np.random.randn(5, 5, 3, 2)
    hparameters = {"stride": 1, "f": 2}
    dA = np.random.randn(5, 4, 2, 2)
    show = (("mean of dA", "np.mean(dA)", ".12f"), ("mode", "mode", ""), ("dA_prev[1, 1]", "dA_prev[1, 1]", ""))
    return Case(
        (dA, (A_prev, hparameters)), {"mode": mode}, names=("dA", "cache"), result_names=("dA_prev",), show=show
    )


def _cases(seed, table, modes=("max", "average")):
    """Cases from ``(m, n_H_prev, n_W_prev, n_C, f, stride)`` rows: dA is a random gradient of the
    pooling output's shape."""
    rng = np.random.default_rng(seed)
    cases = []
    for m, h, w, c, f, s in table:
        A_prev, hparameters = rng.standard_normal((m, h, w, c)), {"f": f, "stride": s}
        dA = rng.standard_normal(forward.pool_forward(A_prev, hparameters)[0].shape)
        cases += [Case((dA, (A_prev, hparameters)), {"mode": mode}) for mode in modes]
    return tuple(cases)


PUBLISHED = {mode: _published(mode) for mode in ("max", "average")}
# The lesson's traps: reading dA at the window's corner (right only for stride 1), and = instead of +=.
STRIDED = _cases(9, [(1, 4, 6, 2, 2, 2)])
OVERLAPPING = _cases(10, [(1, 5, 5, 2, 3, 1)])
HIDDEN = _cases(2027, [(2, 4, 4, 2, 2, 2), (2, 7, 5, 2, 3, 2), (1, 6, 7, 1, 2, 3)])
HIDDEN_OVERLAP = _cases(2028, [(2, 5, 6, 3, 3, 1), (2, 4, 3, 2, 1, 1), (1, 7, 7, 2, 3, 2)])
INDEX = ("i", "h", "w", "c")
READ = "read the upstream gradient at the output position, dA[i, h, w, c], not dA[i, vert_start, horiz_start, c]."
ADD = "windows overlap when stride < f: add into dA_prev with +=, do not assign."


def values(hint=""):
    return (shape("dA_prev", hint="dA_prev has the shape of A_prev."), close("dA_prev", index_names=INDEX, hint=hint))


EXERCISE = Exercise(
    function="pool_backward",
    number=8,
    reference=pool_backward,
    returns="dA_prev, an array",
    uses=("create_mask_from_window", "distribute_value"),
    parts=(
        Part("published example: mode = 'max', f = 2, stride 1", 3, (PUBLISHED["max"],), values(), visible=True),
        Part(
            "published example: mode = 'average', f = 2, stride 1", 3, (PUBLISHED["average"],), values(), visible=True
        ),
        Part("stride 2, both modes", 2, STRIDED, values(READ), visible=True),
        Part("overlapping windows (f 3, stride 1), both modes", 2, OVERLAPPING, values(ADD), visible=True),
        Part("max pooling with strides 2 and 3, non-square inputs, one channel", 4, HIDDEN[0::2], values(READ)),
        Part("average pooling with strides 2 and 3, non-square inputs, one channel", 3, HIDDEN[1::2], values(READ)),
        Part("overlapping windows and f = 1, both modes", 3, HIDDEN_OVERLAP, values(ADD)),
    ),
)
