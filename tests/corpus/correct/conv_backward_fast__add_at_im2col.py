"""im2col products for dW and the windows' gradients, scattered back with np.add.at and index arrays."""

import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    _, n_H, n_W, _ = dZ.shape
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    rows = (stride * np.arange(n_H))[:, None] + np.arange(f)[None, :]  # (n_H, f): padded row of (h, a)
    cols = (stride * np.arange(n_W))[:, None] + np.arange(f)[None, :]  # (n_W, f)
    r = rows[:, None, :, None]  # (n_H, 1, f, 1)
    c = cols[None, :, None, :]  # (1, n_W, 1, f)
    patches = A_pad[:, r, c, :]  # (m, n_H, n_W, f, f, n_C_prev)
    cols_matrix = patches.reshape(m * n_H * n_W, f * f * n_C_prev)
    dZ_matrix = dZ.reshape(m * n_H * n_W, n_C)
    dW = (cols_matrix.T @ dZ_matrix).reshape(W.shape)
    db = dZ_matrix.sum(axis=0).reshape(1, 1, 1, n_C)
    dpatches = (dZ_matrix @ W.reshape(-1, n_C).T).reshape(m, n_H, n_W, f, f, n_C_prev)
    dA_pad = np.zeros(A_pad.shape)
    np.add.at(dA_pad, (slice(None), r, c, slice(None)), dpatches)
    return dA_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :], dW, db
