"""Exercise 3, conv_forward (40 points): the forward pass of a convolution layer."""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, close, length, same, shape


def conv_forward(A_prev, W, b, hparameters):
    f, stride, pad = W.shape[0], hparameters["stride"], hparameters["pad"]
    A_pad = np.pad(np.asarray(A_prev, dtype=float), ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    Z = np.einsum("mhwkad,adkc->mhwc", windows, np.asarray(W, dtype=float)) + np.reshape(b, (1, 1, 1, -1))
    return Z, (A_prev, W, b, hparameters)


def _published():
    np.random.seed(1)
    A_prev = np.random.randn(10, 4, 4, 3)
    W = np.random.randn(2, 2, 3, 8)
    b = np.random.randn(1, 1, 1, 8)
    show = (("Z.shape", "Z.shape", ""), ("Z's mean", "np.mean(Z)", ".13f"), ("Z[3, 2, 1]", "Z[3, 2, 1]", ""))
    show += (("cache_conv[0][1][2][3]", "cache_conv[0][1][2][3]", ""),)
    names = ("A_prev", "W", "b", "hparameters")
    return Case((A_prev, W, b, {"pad": 2, "stride": 2}), names=names, result_names=("Z", "cache_conv"), show=show)


def _cases(seed, table):
    """Cases from ``(m, n_H_prev, n_W_prev, n_C_prev, f, n_C, pad, stride, dtype)`` rows."""
    rng = np.random.default_rng(seed)
    cases = []
    for m, h, w, k, f, c, pad, stride, dtype in table:
        A, W, b = (rng.standard_normal(s).astype(dtype) for s in [(m, h, w, k), (f, f, k, c), (1, 1, 1, c)])
        tolerance = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {}
        cases.append(Case((A, W, b, {"pad": pad, "stride": stride}), tolerance=tolerance))
    return tuple(cases)


PUBLISHED = _published()
# Small cases for the traps the lesson names: no padding, overlapping windows, a floor in the size.
TRAPS = _cases(7, [(1, 5, 7, 2, 3, 2, 0, 1, float), (2, 6, 7, 2, 3, 3, 0, 2, float)])
HIDDEN = _cases(
    2023,
    [
        (2, 5, 5, 3, 3, 4, 0, 1, float),  # no padding
        (2, 5, 7, 3, 3, 2, 1, 1, float),  # non-square input
        (1, 6, 5, 2, 2, 3, 0, 2, float),  # one example, stride 2
        (2, 7, 7, 1, 3, 2, 1, 3, float),  # one input channel, stride 3
        (2, 6, 7, 2, 3, 2, 0, 2, float),  # windows do not tile the input (floor)
        (2, 4, 5, 2, 1, 3, 0, 1, float),  # f = 1
        (2, 3, 4, 2, 5, 2, 1, 1, float),  # f = padded height: one output row
        (3, 5, 4, 2, 3, 2, 2, 2, float),  # pad 2, stride < f (overlapping windows)
        (2, 8, 6, 3, 4, 2, 1, 3, float),  # stride 3 with f = 4
        (2, 5, 5, 2, 3, 2, 1, 1, np.float32),  # float32 input
    ],
)
INDEX = ("i", "h", "w", "c")
SIZE = "n_H = (n_H_prev - f + 2*pad) // stride + 1 (floor division), and n_W uses n_W_prev."
WINDOW = "the window of output (h, w) starts at row h * stride and column w * stride of the PADDED input."
CACHE = "the cache is (A_prev, W, b, hparameters), with the unpadded A_prev."
CACHE_CHECKS = (
    length("the cache", pick=(1,), hint=CACHE),
    close("cache[0], A_prev", pick=(1, 0), hint=CACHE),
    close("cache[1], W", pick=(1, 1), hint=CACHE),
    same("cache[3], hparameters", pick=(1, 3), hint=CACHE),
)

EXERCISE = Exercise(
    function="conv_forward",
    number=3,
    reference=conv_forward,
    returns="(Z, cache)",
    uses=("zero_pad", "conv_single_step"),
    parts=(
        Part(
            "published example: Z has shape (10, 4, 4, 8)",
            4,
            (PUBLISHED,),
            (shape("Z", pick=(0,), hint=SIZE),),
            visible=True,
        ),
        Part(
            "published example: the values of Z",
            4,
            (PUBLISHED,),
            (close("Z", pick=(0,), index_names=INDEX, hint=f"{WINDOW} Each filter c uses W[..., c] and b[..., c]."),),
            visible=True,
        ),
        Part("published example: the cache", 2, (PUBLISHED,), CACHE_CHECKS, visible=True),
        Part(
            "no padding, overlapping windows (f 3, stride 1), stride 2 with a floor, non-square inputs",
            4,
            TRAPS,
            (close("Z", pick=(0,), index_names=INDEX, hint=WINDOW),),
            visible=True,
        ),
        Part(
            "output shapes for pad 0 to 2, stride 1 to 3, f = 1 to 5, non-square inputs",
            6,
            HIDDEN,
            (shape("Z", pick=(0,), hint=SIZE),),
        ),
        Part(
            "values with overlapping windows, floors, f = 1, one input channel, one example, float32",
            16,
            HIDDEN,
            (close("Z", pick=(0,), index_names=INDEX, hint=WINDOW),),
        ),
        Part("the cache holds (A_prev, W, b, hparameters)", 4, HIDDEN[:3], CACHE_CHECKS),
    ),
)
