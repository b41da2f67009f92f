"""Returns np.argmax(x), the flat index of the maximum, instead of a boolean mask."""

import numpy as np


def create_mask_from_window(x):
    mask = np.argmax(x)
    return mask
