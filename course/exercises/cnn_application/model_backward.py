"""Exercise 12, model_backward (10 points): the gradients of every parameter of the model, layer by layer backward.

Built from the student's layers (exercises 3, 5, 7 and 9), which correct versions replace while it is graded. The
cases' inputs are small multiples of powers of 1/2 (see model_forward.dyadic_params) with no tie between positive
values in a pooling window, so that every correct implementation gives exactly the reference's gradients: they are
compared exactly, and per layer when graded.
"""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, equal, same

from .conv_backward_fast import conv_backward_fast
from .fc_backward import fc_backward
from .model_forward import dyadic_params, images, model_forward
from .pool_backward_fast import pool_backward_fast
from .relu_backward import relu_backward


def model_backward(dlogits, caches):
    conv1, relu1, pool1, conv2, relu2, pool2, fc = caches
    grads = {}
    dP2, grads["W3"], grads["b3"] = fc_backward(dlogits, fc)
    dZ2 = relu_backward(pool_backward_fast(dP2, pool2, mode="max"), relu2)
    dP1, grads["W2"], grads["b2"] = conv_backward_fast(dZ2, conv2)
    dZ1 = relu_backward(pool_backward_fast(dP1, pool1, mode="max"), relu1)
    _, grads["W1"], grads["b1"] = conv_backward_fast(dZ1, conv1)
    return {name: grads[name] for name in ("W1", "b1", "W2", "b2", "W3", "b3")}


def positive_ties(caches):
    """How many max-pooling windows of ``caches`` have their (positive) maximum more than once: a mask of every tie
    and a single arg-max then give different gradients (windows whose maximum is 0 do not matter: ReLU stops them)."""
    count = 0
    for pool in (caches[2], caches[5]):
        A, hp = pool
        windows = np.lib.stride_tricks.sliding_window_view(A, (hp["f"], hp["f"]), axis=(1, 2))[
            :, :: hp["stride"], :: hp["stride"]
        ]
        top = windows.max(axis=(4, 5), keepdims=True)
        count += int(np.sum((np.sum(windows == top, axis=(4, 5)) > 1) & (top[..., 0, 0] > 0)))
    return count


def _case(X, seed, **options):
    """dlogits (multiples of 1/32) and the caches of model_forward(X, dyadic_params(seed)), for the first seed from
    ``seed`` on (in steps of 1000) whose pooling windows have no tie."""
    _, caches = model_forward(X, dyadic_params(seed))
    while positive_ties(caches):
        seed += 1000
        _, caches = model_forward(X, dyadic_params(seed))
    dlogits = np.random.default_rng(seed).integers(-8, 9, (X.shape[0], 10)) / 32
    return Case((dlogits, caches), **options)


def _published():
    show = (("grads['W2'].shape", "grads['W2'].shape", ""), ("grads['b1'].ravel()", "grads['b1'].ravel()", ""))
    return _case(images("test", 3, 4), 21, names=("dlogits", "caches"), result_names=("grads",), show=show)


PUBLISHED = _published()
HIDDEN = (
    _case(images("test", 4, 7), 22),
    _case(images("train", 10, 11), 23),
    _case(np.random.default_rng(2037).integers(0, 17, (4, 8, 8, 1)) / 16, 24),
)
LAYERS = {"fc": ("W3", "b3"), "conv2": ("W2", "b2"), "conv1": ("W1", "b1")}


def _per_layer(layer):
    """The hidden cases again, each expecting the gradients of one layer's parameters (measured from the dict)."""
    cases = []
    for case in HIDDEN:
        grads = model_backward(*case.args)
        cases.append(Case(case.args, expected=tuple(grads[name] for name in LAYERS[layer])))
    return tuple(cases)


def _layer(grads, layer):
    return tuple(grads[name] for name in LAYERS[layer])


GRADS = (
    "grads is a dict with the keys of params, W1, b1, W2, b2, W3 and b3 (not dW1 ...), each holding the gradient "
    "of that parameter: go backward through the layers in reverse order, each with its own cache: fc_backward, then "
    "for each convolution block pool_backward_fast (mode 'max'), relu_backward and conv_backward_fast."
)
FC = "fc_backward(dlogits, the FC cache) gives the gradient of P2 and those of W3 and b3."
CONV2 = (
    "from dP2: pool_backward_fast (mode 'max') with the second pooling cache, then relu_backward with Z2's cache, "
    "then conv_backward_fast with the second convolution's cache."
)
CONV1 = "the same three steps again, from the gradient of P1 down to the first convolution's cache."


def _exact(layer, hint):
    w, b = LAYERS[layer]
    return (equal(f"grads['{w}']", pick=(0,), hint=hint), equal(f"grads['{b}']", pick=(1,), hint=hint))


EXERCISE = Exercise(
    function="model_backward",
    number=12,
    reference=model_backward,
    returns="grads, a dict",
    uses=("conv_backward_fast", "pool_backward_fast", "relu_backward", "fc_backward"),
    measures={layer: (lambda grads, layer=layer: _layer(grads, layer)) for layer in LAYERS},
    parts=(
        Part(
            "published example: the six gradients, exactly as the reference's, keyed like params",
            3,
            (PUBLISHED,),
            (same("grads", hint=GRADS),),
            visible=True,
        ),
        Part(
            "the FC layer's gradients, W3 and b3 (three other batches)",
            2,
            _per_layer("fc"),
            _exact("fc", FC),
            measure="fc",
        ),
        Part("the second convolution's, W2 and b2", 2, _per_layer("conv2"), _exact("conv2", CONV2), measure="conv2"),
        Part("the first convolution's, W1 and b1", 2, _per_layer("conv1"), _exact("conv1", CONV1), measure="conv1"),
        Part("the whole dict, exactly, on the same batches", 1, HIDDEN, (same("grads", hint=GRADS),)),
    ),
)
