"""The windows of the whole batch taken as one view, then one reduction per example in a Python loop over the examples."""

import numpy as np


def pool_forward_fast(A_prev, hparameters, mode="max"):
    f, stride = hparameters["f"], hparameters["stride"]
    windows = np.lib.stride_tricks.sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    A = np.empty(windows.shape[:4])
    for i in range(A_prev.shape[0]):
        A[i] = windows[i].max(axis=(3, 4)) if mode == "max" else windows[i].mean(axis=(3, 4))
    return A, (A_prev, hparameters)
