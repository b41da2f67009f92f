"""Exponentiates the logits as they are: exp overflows to inf for logits above 709."""

import numpy as np


def softmax_cross_entropy(logits, labels):
    m = logits.shape[0]
    e = np.exp(logits)
    probs = e / e.sum(axis=1, keepdims=True)
    loss = float(-np.mean(np.log(probs[np.arange(m), labels])))
    dlogits = probs.copy()
    dlogits[np.arange(m), labels] -= 1
    return loss, dlogits / m
