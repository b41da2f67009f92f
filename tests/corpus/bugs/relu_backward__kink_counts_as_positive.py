"""Lets the gradient through where Z >= 0: at Z = 0 the convention is 0."""

import numpy as np


def relu_backward(dA, cache):
    Z = cache
    return dA * (Z >= 0)
