"""Calls pool_forward_fast without mode="max" after passing "average" once and copying the line."""

import numpy as np


def model_forward(X, params):
    conv, pool = {"stride": 1, "pad": 1}, {"f": 2, "stride": 2}
    Z1, conv1 = conv_forward_fast(X, params["W1"], params["b1"], conv)
    A1, relu1 = relu_forward(Z1)
    P1, pool1 = pool_forward_fast(A1, pool, mode="average")
    Z2, conv2 = conv_forward_fast(P1, params["W2"], params["b2"], conv)
    A2, relu2 = relu_forward(Z2)
    P2, pool2 = pool_forward_fast(A2, pool, mode="average")
    logits, fc = fc_forward(P2, params["W3"], params["b3"])
    return logits, (conv1, relu1, pool1, conv2, relu2, pool2, fc)
