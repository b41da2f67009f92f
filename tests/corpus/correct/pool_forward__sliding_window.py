"""Takes max or mean over the window axes of sliding_window_view, then strides by slicing."""

import numpy as np


def pool_forward(A_prev, hparameters, mode="max"):
    f = hparameters["f"]
    stride = hparameters["stride"]
    windows = np.lib.stride_tricks.sliding_window_view(A_prev, (f, f), axis=(1, 2))
    windows = windows[:, ::stride, ::stride]  # (m, n_H, n_W, n_C, f, f)
    if mode == "max":
        A = windows.max(axis=(-2, -1))
    elif mode == "average":
        A = windows.mean(axis=(-2, -1))
    else:
        raise ValueError("mode must be 'max' or 'average'")
    return A, (A_prev, hparameters)
