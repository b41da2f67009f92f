"""Pads every non-batch axis, so the channel axis gets pad zeros on each side too."""

import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (pad, pad)), mode="constant", constant_values=0)
    return X_pad
