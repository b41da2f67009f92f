"""Correct, but a leftover debugging line takes np.sqrt of negative inputs (NumPy RuntimeWarning)."""

import numpy as np


def conv_single_step(a_slice_prev, W, b):
    magnitude = np.sqrt(a_slice_prev)  # leftover from debugging, unused: warns on negative values
    return np.sum(a_slice_prev * W) + b.item()
