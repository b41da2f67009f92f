"""Loops over examples and positions, builds the max mask inline for all channels at once, and spreads averages by hand."""

import numpy as np


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h in range(n_H):
            vs = h * stride
            for w in range(n_W):
                hs = w * stride
                g = dA[i, h, w, :]  # (n_C,)
                if mode == "max":
                    window = A_prev[i, vs : vs + f, hs : hs + f, :]  # (f, f, n_C)
                    mask = window == window.max(axis=(0, 1), keepdims=True)
                    dA_prev[i, vs : vs + f, hs : hs + f, :] += mask * g
                elif mode == "average":
                    dA_prev[i, vs : vs + f, hs : hs + f, :] += g / (f * f)
                else:
                    raise ValueError(mode)
    return dA_prev
