"""Goes from the pooling layers' gradients straight to the convolutions, skipping relu_backward."""

import numpy as np


def model_backward(dlogits, caches):
    conv1, relu1, pool1, conv2, relu2, pool2, fc = caches
    grads = {}
    dP2, grads["W3"], grads["b3"] = fc_backward(dlogits, fc)
    dA2 = pool_backward_fast(dP2, pool2, mode="max")
    dP1, grads["W2"], grads["b2"] = conv_backward_fast(dA2, conv2)
    dA1 = pool_backward_fast(dP1, pool1, mode="max")
    dX, grads["W1"], grads["b1"] = conv_backward_fast(dA1, conv1)
    return grads
