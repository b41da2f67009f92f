"""The windows of the whole batch built at once, then one matrix product per example in a Python loop over the examples."""

import numpy as np


def conv_forward_fast(A_prev, W, b, hparameters):
    stride, pad = hparameters["stride"], hparameters["pad"]
    m = A_prev.shape[0]
    f, _, n_C_prev, n_C = W.shape
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    n_H, n_W = windows.shape[1:3]
    cols = np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3)).reshape(m, n_H * n_W, f * f * n_C_prev)
    W_matrix = W.reshape(f * f * n_C_prev, n_C)
    Z = np.empty((m, n_H * n_W, n_C), dtype=np.result_type(cols, W_matrix))
    for i in range(m):
        np.matmul(cols[i], W_matrix, out=Z[i])
    Z = Z.reshape(m, n_H, n_W, n_C) + b.reshape(1, 1, 1, n_C)
    return Z, (A_prev, W, b, hparameters)
