"""Writes the leaky ReLU, np.maximum(Z, 0.01 * Z): negative inputs keep a hundredth of their value."""

import numpy as np


def relu_forward(Z):
    A = np.maximum(Z, 0.01 * Z)
    return A, Z
