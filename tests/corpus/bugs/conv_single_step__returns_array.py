"""Adds b of shape (1, 1, 1) directly, so the result is an array of shape (1, 1, 1), not a scalar."""

import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    Z = Z + b
    return Z
