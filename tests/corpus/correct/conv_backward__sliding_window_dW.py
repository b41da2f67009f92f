"""Gets dW in one np.einsum over sliding_window_view windows and scatters dA_prev with a loop over filter offsets."""

import numpy as np


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f = W.shape[0]
    stride, pad = hparameters["stride"], hparameters["pad"]
    _, n_H, n_W, n_C = dZ.shape
    A_pad = zero_pad(A_prev, pad)
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))
    windows = windows[:, ::stride, ::stride][:, :n_H, :n_W]  # (m, n_H, n_W, n_C_prev, f, f)
    dW = np.einsum("mhwcij,mhwd->ijcd", windows, dZ)
    db = np.sum(dZ, axis=(0, 1, 2), keepdims=True)
    dA_pad = np.zeros((m, n_H_prev + 2 * pad, n_W_prev + 2 * pad, n_C_prev))
    for di in range(f):
        for dj in range(f):
            # every output position (h, w) touches input row h*stride + di, column w*stride + dj
            contrib = np.einsum("mhwd,cd->mhwc", dZ, W[di, dj])
            dA_pad[:, di : di + stride * (n_H - 1) + 1 : stride, dj : dj + stride * (n_W - 1) + 1 : stride, :] += (
                contrib
            )
    dA_prev = dA_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :]
    return dA_prev, dW, db
