"""SGD with momentum 0.9 instead of Adam, the other choice the lesson names."""

import numpy as np


def train(X_train, y_train, params, epochs, batch_size, learning_rate, seed):
    params = {name: value.copy() for name, value in params.items()}
    velocity = {name: np.zeros_like(value) for name, value in params.items()}
    rng = np.random.default_rng(seed)
    m = X_train.shape[0]
    losses, accuracies = [], []
    for epoch in range(epochs):
        order = rng.permutation(m)
        loss_sum, correct = 0.0, 0
        for start in range(0, m, batch_size):
            batch = order[start : start + batch_size]
            logits, caches = model_forward(X_train[batch], params)
            loss, dlogits = softmax_cross_entropy(logits, y_train[batch])
            grads = model_backward(dlogits, caches)
            loss_sum += loss * len(batch)
            correct += int(np.sum(np.argmax(logits, axis=1) == y_train[batch]))
            for name in params:
                velocity[name] = 0.9 * velocity[name] - learning_rate * grads[name]
                params[name] = params[name] + velocity[name]
        losses.append(loss_sum / m)
        accuracies.append(correct / m)
    return params, (losses, accuracies)
