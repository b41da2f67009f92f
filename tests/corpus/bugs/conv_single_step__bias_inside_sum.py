"""Adds b before summing, so the bias is counted once per filter element."""

import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = a_slice_prev * W + b
    Z = np.sum(s)
    return Z
