"""Divides dz by n_H only, forgetting the width."""

import numpy as np


def distribute_value(dz, shape):
    (n_H, n_W) = shape
    average = dz / n_H
    a = np.ones(shape) * average
    return a
