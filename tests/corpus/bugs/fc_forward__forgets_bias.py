"""Returns A_flat @ W and never adds the bias b."""

import numpy as np


def fc_forward(A, W, b):
    A_flat = A.reshape(A.shape[0], -1)
    Z = A_flat @ W
    return Z, (A, W, b)
