"""Uses floor division dz // (n_H * n_W), which truncates the share."""

import numpy as np


def distribute_value(dz, shape):
    (n_H, n_W) = shape
    average = dz // (n_H * n_W)
    a = np.ones(shape) * average
    return a
