"""Marks every entry at or above the mean (x >= np.mean(x)) rather than the maximum."""

import numpy as np


def create_mask_from_window(x):
    mask = x >= np.mean(x)
    return mask
