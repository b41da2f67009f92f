"""dA as a convolution of the dilated, padded dZ with the flipped filters (a transposed convolution)."""

import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f = W.shape[0]
    _, n_H, n_W, n_C = dZ.shape
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    dW = np.tensordot(windows, dZ, axes=([0, 1, 2], [0, 1, 2])).transpose(1, 2, 0, 3)
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    # dZ with stride - 1 zeros between its rows and columns, then f - 1 zeros around it (and up to the padded size)
    H_pad, W_pad = A_pad.shape[1], A_pad.shape[2]
    spread = np.zeros((m, H_pad + f - 1, W_pad + f - 1, n_C))
    spread[:, f - 1 : f - 1 + stride * n_H : stride, f - 1 : f - 1 + stride * n_W : stride, :] = dZ
    flipped = W[::-1, ::-1, :, :]  # (f, f, n_C_prev, n_C)
    dwindows = np.lib.stride_tricks.sliding_window_view(spread, (f, f), axis=(1, 2))  # (m, H_pad, W_pad, n_C, f, f)
    dA_pad = np.einsum("ihwcad,adkc->ihwk", dwindows, flipped, optimize=True)
    return dA_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :], dW, db
