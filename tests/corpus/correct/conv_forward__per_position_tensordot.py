"""Loops over output positions only and handles the whole batch and every filter with one np.tensordot."""

import numpy as np


def conv_forward(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    n_H = (n_H_prev - f + 2 * pad) // stride + 1
    n_W = (n_W_prev - f + 2 * pad) // stride + 1
    A_pad = zero_pad(A_prev, pad)
    Z = np.empty((m, n_H, n_W, n_C))
    for h in range(n_H):
        for w in range(n_W):
            block = A_pad[:, h * stride : h * stride + f, w * stride : w * stride + f, :]
            Z[:, h, w, :] = np.tensordot(block, W, axes=3) + b.reshape(n_C)
    return Z, (A_prev, W, b, hparameters)
