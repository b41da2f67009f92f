"""Contracts the window axes as if the view were (..., f, f, n_C_prev): the channel axis comes first in it."""

import numpy as np


def conv_forward_fast(A_prev, W, b, hparameters):
    stride, pad = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    Z = np.tensordot(windows, W, axes=([3, 4, 5], [0, 1, 2])) + b
    return Z, (A_prev, W, b, hparameters)
