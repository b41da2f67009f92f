"""Exercise 10, softmax_cross_entropy (8 points): the loss of a batch and its gradient with respect to the logits."""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, close, length, number, scalar, shape


def softmax_cross_entropy(logits, labels):
    logits = np.asarray(logits, dtype=float)
    m = logits.shape[0]
    rows = np.arange(m)
    shifted = logits - np.max(logits, axis=1, keepdims=True)  # the largest logit of each row becomes 0
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = float(-np.mean(log_probs[rows, labels]))
    dlogits = np.exp(log_probs)
    dlogits[rows, labels] -= 1.0
    return loss, dlogits / m


def _published():
    rng = np.random.default_rng(10)
    logits = np.round(rng.standard_normal((3, 4)) * 2, 2)
    labels = np.array([0, 3, 1])
    show = (("loss", "loss", ".10f"), ("dlogits", "dlogits", ""))
    return Case((logits, labels), names=("logits", "labels"), result_names=("loss", "dlogits"), show=show)


def _large(rng, offsets, n):
    """Logits near ``offsets`` (one per row): beyond 709, np.exp overflows; the differences within a row stay small,
    so that no probability underflows either (a correct, stable computation raises no warning)."""
    logits = np.asarray(offsets, dtype=float)[:, np.newaxis] + rng.standard_normal((len(offsets), n)) * 3
    return Case((logits, rng.integers(0, n, len(offsets))))


_rng = np.random.default_rng(2035)
PUBLISHED = _published()
LARGE = (_large(_rng, [800.0, 750.0], 3),)
HIDDEN = tuple(
    Case((_rng.standard_normal((m, n)) * 3, _rng.integers(0, n, m))) for m, n in [(1, 10), (5, 10), (8, 2), (6, 7)]
)
# Rows far apart: subtracting one maximum for the whole batch, not each row's own, sends the other rows to exp(-1600).
HIDDEN_LARGE = (_large(_rng, [900.0, 1000.0, 950.0, 800.0], 10), _large(_rng, [800.0, -800.0, 0.0], 5))
LOSS = "the loss is the mean over the batch of -log(softmax(logits)[i, labels[i]])."
STABLE = (
    "subtract each row's own largest logit (max over axis 1, keepdims=True) before np.exp, and compute log(softmax) "
    "as shifted - log(sum(exp(shifted))) (log-sum-exp)."
)
GRADIENT = "dlogits = (softmax(logits) - one_hot(labels)) / m, with m the batch size."
NUMBER = "return the loss as a single number (a float), not an array."
CHECKS = (
    length("the result", hint="return the pair (loss, dlogits)."),
    number("the loss", pick=(0,), hint=LOSS),
    shape("dlogits", pick=(1,), hint=GRADIENT),
    close("dlogits", pick=(1,), hint=GRADIENT),
)

EXERCISE = Exercise(
    function="softmax_cross_entropy",
    number=10,
    reference=softmax_cross_entropy,
    returns="(loss, dlogits)",
    parts=(
        Part("published example: the loss", 1, (PUBLISHED,), (number("the loss", pick=(0,), hint=LOSS),), visible=True),
        Part("published example: dlogits", 1, (PUBLISHED,), CHECKS[2:], visible=True),
        Part("logits around 800: no overflow", 1, LARGE, CHECKS, visible=True, hint=STABLE),
        Part(
            "published example: the loss is a single number",
            0.5,
            (PUBLISHED,),
            (scalar("the loss", pick=(0,), hint=NUMBER),),
            visible=True,
        ),
        Part("the loss for one example, 2 to 10 classes", 1.5, HIDDEN, CHECKS[:2]),
        Part("dlogits on the same cases", 1.5, HIDDEN, CHECKS[2:]),
        Part(
            "very large logits, and rows of very different sizes (800, -800, 0)", 1.5, HIDDEN_LARGE, CHECKS, hint=STABLE
        ),
    ),
)
