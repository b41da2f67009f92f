"""Keys the gradients dW1, db1, ... instead of the keys of params."""

import numpy as np


def model_backward(dlogits, caches):
    conv1, relu1, pool1, conv2, relu2, pool2, fc = caches
    grads = {}
    dP2, grads["dW3"], grads["db3"] = fc_backward(dlogits, fc)
    dZ2 = relu_backward(pool_backward_fast(dP2, pool2, mode="max"), relu2)
    dP1, grads["dW2"], grads["db2"] = conv_backward_fast(dZ2, conv2)
    dZ1 = relu_backward(pool_backward_fast(dP1, pool1, mode="max"), relu1)
    dX, grads["dW1"], grads["db1"] = conv_backward_fast(dZ1, conv1)
    return grads
