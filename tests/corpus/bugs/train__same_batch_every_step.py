"""Slices order[:batch_size] at every step: trains on the first batch of each epoch again and again."""

import numpy as np


def train(X_train, y_train, params, epochs, batch_size, learning_rate, seed):
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    params = {name: value.copy() for name, value in params.items()}
    m_avg = {name: np.zeros_like(value) for name, value in params.items()}
    v_avg = {name: np.zeros_like(value) for name, value in params.items()}
    rng = np.random.default_rng(seed)
    m, t = X_train.shape[0], 0
    losses, accuracies = [], []
    for epoch in range(epochs):
        order = rng.permutation(m)
        loss_sum, correct, seen = 0.0, 0, 0
        for start in range(0, m, batch_size):
            batch = order[:batch_size]
            logits, caches = model_forward(X_train[batch], params)
            loss, dlogits = softmax_cross_entropy(logits, y_train[batch])
            grads = model_backward(dlogits, caches)
            loss_sum += loss * len(batch)
            correct += int(np.sum(np.argmax(logits, axis=1) == y_train[batch]))
            seen += len(batch)
            t += 1
            for name in params:
                m_avg[name] = beta1 * m_avg[name] + (1 - beta1) * grads[name]
                v_avg[name] = beta2 * v_avg[name] + (1 - beta2) * grads[name] ** 2
                m_hat = m_avg[name] / (1 - beta1**t)
                v_hat = v_avg[name] / (1 - beta2**t)
                params[name] = params[name] - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon)
        losses.append(loss_sum / seen)
        accuracies.append(correct / seen)
    return params, (losses, accuracies)
