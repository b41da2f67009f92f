"""Sets loss_sum = 0 once before the epochs, so the history's losses add up over the epochs."""

import numpy as np


def train(X_train, y_train, params, epochs, batch_size, learning_rate, seed):
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    params = {name: value.copy() for name, value in params.items()}
    m_avg = {name: np.zeros_like(value) for name, value in params.items()}
    v_avg = {name: np.zeros_like(value) for name, value in params.items()}
    rng = np.random.default_rng(seed)
    m, t = X_train.shape[0], 0
    losses, accuracies = [], []
    loss_sum = 0.0
    for epoch in range(epochs):
        order = rng.permutation(m)
        correct = 0
        for start in range(0, m, batch_size):
            batch = order[start : start + batch_size]
            logits, caches = model_forward(X_train[batch], params)
            loss, dlogits = softmax_cross_entropy(logits, y_train[batch])
            grads = model_backward(dlogits, caches)
            loss_sum += loss * len(batch)
            correct += int(np.sum(np.argmax(logits, axis=1) == y_train[batch]))
            t += 1
            for name in params:
                m_avg[name] = beta1 * m_avg[name] + (1 - beta1) * grads[name]
                v_avg[name] = beta2 * v_avg[name] + (1 - beta2) * grads[name] ** 2
                m_hat = m_avg[name] / (1 - beta1**t)
                v_hat = v_avg[name] / (1 - beta2**t)
                params[name] = params[name] - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon)
        losses.append(loss_sum / m)
        accuracies.append(correct / m)
    return params, (losses, accuracies)
