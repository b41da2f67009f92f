"""Scales a ones array by dz and divides by the window size np.prod(shape)."""

import numpy as np


def distribute_value(dz, shape):
    return np.ones(shape) * dz / np.prod(shape)
