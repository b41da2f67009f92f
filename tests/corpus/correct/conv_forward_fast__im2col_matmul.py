"""im2col: every window copied into one row of a matrix (one strided slice per offset), then one matrix product."""

import numpy as np


def conv_forward_fast(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, f, n_C_prev, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    n_H = (n_H_prev - f + 2 * pad) // stride + 1
    n_W = (n_W_prev - f + 2 * pad) // stride + 1
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    cols = np.empty((m, n_H, n_W, f, f, n_C_prev), dtype=A_pad.dtype)
    for a in range(f):
        for d in range(f):
            cols[:, :, :, a, d, :] = A_pad[:, a : a + stride * n_H : stride, d : d + stride * n_W : stride, :]
    Z = cols.reshape(m * n_H * n_W, -1) @ W.reshape(-1, n_C)
    Z = Z.reshape(m, n_H, n_W, n_C) + b.reshape(1, 1, 1, n_C)
    return Z, (A_prev, W, b, hparameters)
