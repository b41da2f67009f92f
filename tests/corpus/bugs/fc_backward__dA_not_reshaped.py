"""Returns dA flattened, (m, k), instead of the shape of the volume that came in."""

import numpy as np


def fc_backward(dZ, cache):
    A, W, b = cache
    A_flat = A.reshape(A.shape[0], -1)
    return dZ @ W.T, A_flat.T @ dZ, np.sum(dZ, axis=0, keepdims=True)
