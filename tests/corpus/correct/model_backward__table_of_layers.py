"""Walks a table of (backward function, cache, names) from the last layer to the first."""

import numpy as np


def model_backward(dlogits, caches):
    conv1, relu1, pool1, conv2, relu2, pool2, fc = caches
    steps = [
        (fc_backward, fc, ("W3", "b3")),
        (lambda d, c: pool_backward_fast(d, c, "max"), pool2, ()),
        (relu_backward, relu2, ()),
        (conv_backward_fast, conv2, ("W2", "b2")),
        (lambda d, c: pool_backward_fast(d, c, "max"), pool1, ()),
        (relu_backward, relu1, ()),
        (conv_backward_fast, conv1, ("W1", "b1")),
    ]
    grads, d = {}, dlogits
    for backward, cache, names in steps:
        out = backward(d, cache)
        if names:
            d, grads[names[0]], grads[names[1]] = out
        else:
            d = out
    return grads
