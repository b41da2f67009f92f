"""Reduces axes 3 and 4 of the view, taking the channel axis for a window axis."""

import numpy as np


def pool_forward_fast(A_prev, hparameters, mode="max"):
    f, stride = hparameters["f"], hparameters["stride"]
    windows = np.lib.stride_tricks.sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    if mode == "max":
        A = windows.max(axis=(3, 4))
    else:
        A = windows.mean(axis=(3, 4))
    return A, (A_prev, hparameters)
