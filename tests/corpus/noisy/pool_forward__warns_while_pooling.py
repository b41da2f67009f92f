"""Correct, but issues a UserWarning of its own and divides with np.true_divide on a 0-d array."""

import warnings

import numpy as np


def pool_forward(A_prev, hparameters, mode="max"):
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    n_H = (n_H_prev - f) // stride + 1
    n_W = (n_W_prev - f) // stride + 1
    warnings.warn(f"pooling {m} examples in mode {mode}", UserWarning)
    A = np.zeros((m, n_H, n_W, n_C))
    for h in range(n_H):
        for w in range(n_W):
            window = A_prev[:, h * stride : h * stride + f, w * stride : w * stride + f, :]
            if mode == "max":
                A[:, h, w, :] = window.max(axis=(1, 2))
            else:
                A[:, h, w, :] = np.true_divide(window.sum(axis=(1, 2)), np.array(f * f))
    return A, (A_prev, hparameters)
