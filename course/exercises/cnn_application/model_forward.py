"""Exercise 11, model_forward (6 points): CONV -> ReLU -> MAXPOOL -> CONV -> ReLU -> MAXPOOL -> FC on 8x8 digits.

Built from the student's layers (exercises 2, 4, 6 and 8), which correct versions replace while it is graded.
Also defines the model's parameter shapes and ``init_params``, which the notebook gives students as is.
"""

import numpy as np

from course import datasets
from course.grading.exercise import Case, Exercise, Part, close, length, shape

from .conv_forward_fast import conv_forward_fast
from .fc_forward import fc_forward
from .pool_forward_fast import pool_forward_fast
from .relu_forward import relu_forward


def model_forward(X, params):
    conv, pool = {"stride": 1, "pad": 1}, {"f": 2, "stride": 2}
    Z1, conv1 = conv_forward_fast(X, params["W1"], params["b1"], conv)  # (m, 8, 8, 8)
    A1, relu1 = relu_forward(Z1)
    P1, pool1 = pool_forward_fast(A1, pool, mode="max")  # (m, 4, 4, 8)
    Z2, conv2 = conv_forward_fast(P1, params["W2"], params["b2"], conv)  # (m, 4, 4, 16)
    A2, relu2 = relu_forward(Z2)
    P2, pool2 = pool_forward_fast(A2, pool, mode="max")  # (m, 2, 2, 16)
    logits, fc = fc_forward(P2, params["W3"], params["b3"])  # (m, 10)
    return logits, (conv1, relu1, pool1, conv2, relu2, pool2, fc)


CONV = {"stride": 1, "pad": 1}
POOL = {"f": 2, "stride": 2}
SHAPES = {
    "W1": (3, 3, 1, 8),
    "b1": (1, 1, 1, 8),
    "W2": (3, 3, 8, 16),
    "b2": (1, 1, 1, 16),
    "W3": (64, 10),
    "b3": (1, 10),
}


def init_params(seed):
    """He initialisation: weights normal with standard deviation sqrt(2 / fan_in) (fan_in: the inputs of one
    output, f * f * n_C_prev for a filter, 64 for the FC layer), biases 0; from np.random.default_rng(seed)."""
    rng = np.random.default_rng(seed)
    params = {}
    for name, size in SHAPES.items():
        if name.startswith("W"):
            params[name] = rng.standard_normal(size) * np.sqrt(2.0 / np.prod(size[:-1]))
        else:
            params[name] = np.zeros(size)
    return params


def dyadic_params(seed):
    """Parameters whose values are multiples of 1/64 or 1/128 below 1/2: every sum and product of the model is then
    exact in float64, whatever the order a correct implementation computes it in. The convolutions' biases are
    not positive, so that a digit's blank background is 0 after ReLU rather than a plateau of equal values."""
    rng = np.random.default_rng(seed)
    scale = {"W1": 64, "b1": 64, "W2": 128, "b2": 128, "W3": 128, "b3": 64}
    params = {name: rng.integers(-31, 32, size) / scale[name] for name, size in SHAPES.items()}
    params["b1"], params["b2"] = -np.abs(params["b1"]), -np.abs(params["b2"])
    return params


def images(split, start, stop):
    """Images of the course's digits file (multiples of 1/16, float32)."""
    X_train, _, X_test, _ = datasets.arrays()
    return (X_train if split == "train" else X_test)[start:stop]


def _published():
    show = (("logits.shape", "logits.shape", ""), ("logits[0]", "logits[0]", ""))
    show += (("caches[6][0].shape", "caches[6][0].shape", ""),)  # the FC layer's input
    return Case(
        (images("test", 0, 1), dyadic_params(11)), names=("X", "params"), result_names=("logits", "caches"), show=show
    )


PUBLISHED = _published()
HIDDEN = (
    Case((images("test", 2, 3), dyadic_params(12))),  # one image
    Case((np.random.default_rng(2036).integers(0, 17, (5, 8, 8, 1)) / 16, dyadic_params(13))),
    Case((images("train", 0, 3), init_params(0))),  # He initialisation, zero biases
)
SHAPE = "logits has one row per image and one column per class: (m, 10)."
ORDER = (
    "conv (stride 1, pad 1) -> ReLU -> max pool (f 2, stride 2) -> conv -> ReLU -> max pool -> FC, with W1, b1 in the "
    "first convolution, W2, b2 in the second and W3, b3 in the FC layer."
)
CACHES = (
    "caches is the tuple of the seven layers' caches in order: (conv1, relu1, pool1, conv2, relu2, pool2, fc), each "
    "what that layer's function returned."
)
CACHE_CHECKS = (
    length("caches", pick=(1,), hint=CACHES),
    close("caches[0][0], the input X of the first convolution", pick=(1, 0, 0), hint=CACHES),
    close("caches[4], the ReLU cache Z2 (m, 4, 4, 16)", pick=(1, 4), hint=CACHES),
    close("caches[6][0], the FC layer's input, the pooled volume (m, 2, 2, 16)", pick=(1, 6, 0), hint=CACHES),
)
LOGITS = (shape("logits", pick=(0,), hint=SHAPE), close("logits", pick=(0,), hint=ORDER))

EXERCISE = Exercise(
    function="model_forward",
    number=11,
    reference=model_forward,
    returns="(logits, caches)",
    uses=("conv_forward_fast", "pool_forward_fast", "relu_forward", "fc_forward"),
    parts=(
        Part("published example: the logits of one digit", 2, (PUBLISHED,), LOGITS, visible=True),
        Part("published example: the seven caches, in order", 1, (PUBLISHED,), CACHE_CHECKS, visible=True),
        Part("the logits of one image, of five, with other parameters (He initialisation too)", 2, HIDDEN, LOGITS),
        Part("the caches of the same calls", 1, HIDDEN, CACHE_CHECKS),
    ),
)
