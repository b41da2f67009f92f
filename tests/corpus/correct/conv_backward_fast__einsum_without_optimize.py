"""dW and the windows' gradients as two einsums without optimize=True, added back one offset at a time."""

import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f = W.shape[0]
    _, n_H, n_W, n_C = dZ.shape
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    dW = np.einsum("ihwkad,ihwc->adkc", windows, dZ)
    db = np.sum(dZ, axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    dwindows = np.einsum("ihwc,adkc->ihwadk", dZ, W)
    dA_pad = np.zeros(A_pad.shape)
    for a in range(f):
        for d in range(f):
            dA_pad[:, a : a + stride * n_H : stride, d : d + stride * n_W : stride, :] += dwindows[:, :, :, a, d, :]
    return dA_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :], dW, db
