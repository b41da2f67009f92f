"""The windows of the whole batch built at once, then two matrix products per example in a Python loop over the examples."""

import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    _, n_H, n_W, _ = dZ.shape
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    cols = np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3)).reshape(m, n_H * n_W, f * f * n_C_prev)
    dZ_rows = dZ.reshape(m, n_H * n_W, n_C)
    W_matrix_T = W.reshape(f * f * n_C_prev, n_C).T
    dW = np.zeros((f * f * n_C_prev, n_C))
    dcols = np.empty((m, n_H * n_W, f * f * n_C_prev))
    for i in range(m):
        dW += cols[i].T @ dZ_rows[i]
        np.matmul(dZ_rows[i], W_matrix_T, out=dcols[i])
    dwindows = dcols.reshape(m, n_H, n_W, f, f, n_C_prev)
    dA_pad = np.zeros(A_pad.shape)
    for a in range(f):
        for d in range(f):
            dA_pad[:, a : a + stride * n_H : stride, d : d + stride * n_W : stride, :] += dwindows[:, :, :, a, d, :]
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    return dA_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :], dW.reshape(W.shape), db
