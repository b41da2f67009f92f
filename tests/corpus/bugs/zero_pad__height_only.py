"""Pads the height axis but leaves the width tuple at (0, 0)."""

import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, ((0, 0), (pad, pad), (0, 0), (0, 0)), mode="constant", constant_values=0)
    return X_pad
