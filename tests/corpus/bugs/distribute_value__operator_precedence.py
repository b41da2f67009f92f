"""Writes dz / n_H * n_W without parentheses, which multiplies by n_W instead of dividing."""

import numpy as np


def distribute_value(dz, shape):
    (n_H, n_W) = shape
    average = dz / n_H * n_W
    a = np.ones(shape) * average
    return a
