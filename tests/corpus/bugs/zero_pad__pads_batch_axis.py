"""Puts the (pad, pad) pairs on the first three axes, padding the batch axis instead of the channels."""

import numpy as np


def zero_pad(X, pad):
    X_pad = np.pad(X, ((pad, pad), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=0)
    return X_pad
