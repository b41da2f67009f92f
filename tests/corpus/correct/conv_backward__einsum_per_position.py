"""Loops over output positions only; each step updates the whole batch and every filter with np.einsum."""

import numpy as np


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f = W.shape[0]
    stride, pad = hparameters["stride"], hparameters["pad"]
    _, n_H, n_W, n_C = dZ.shape
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    dA_pad = np.zeros(A_pad.shape)
    dW = np.zeros(W.shape)
    for h in range(n_H):
        vs = h * stride
        for w in range(n_W):
            hs = w * stride
            g = dZ[:, h, w, :]  # (m, n_C)
            dA_pad[:, vs : vs + f, hs : hs + f, :] += np.einsum("ijcd,md->mijc", W, g)
            dW += np.einsum("mijc,md->ijcd", A_pad[:, vs : vs + f, hs : hs + f, :], g)
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    dA_prev = dA_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :]
    return dA_prev, dW, db
