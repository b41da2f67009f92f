"""Fills the whole window with dz itself, forgetting to divide it among the entries."""

import numpy as np


def distribute_value(dz, shape):
    a = np.full(shape, dz, dtype=float)
    return a
