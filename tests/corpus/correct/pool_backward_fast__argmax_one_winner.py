"""Max mode sends each gradient to one position, the window's argmax (the same as a mask when no values tie)."""

import numpy as np


def pool_backward_fast(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    if mode == "max":
        windows = np.lib.stride_tricks.sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
        flat = windows.reshape(m, n_H, n_W, n_C, f * f)
        winner = flat.argmax(axis=-1)
        one_hot = np.arange(f * f) == winner[..., None]
        dwin = (one_hot * dA[..., None]).reshape(m, n_H, n_W, n_C, f, f)
    else:
        dwin = np.ones((m, n_H, n_W, n_C, f, f)) * (dA[..., None, None] / (f * f))
    dA_prev = np.zeros(A_prev.shape)
    for a in range(f):
        for d in range(f):
            dA_prev[:, a : a + stride * n_H : stride, d : d + stride * n_W : stride, :] += dwin[..., a, d]
    return dA_prev
