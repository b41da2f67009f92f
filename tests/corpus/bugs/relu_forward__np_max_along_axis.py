"""Uses np.max(Z, 0), the largest value along axis 0, instead of the element-wise np.maximum(Z, 0)."""

import numpy as np


def relu_forward(Z):
    A = np.max(Z, 0)
    return A, Z
