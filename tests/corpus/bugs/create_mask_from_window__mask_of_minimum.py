"""Marks the position of the minimum (x == np.min(x)) instead of the maximum."""

import numpy as np


def create_mask_from_window(x):
    mask = x == np.min(x)
    return mask
