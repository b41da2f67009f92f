"""Exercise 1, zero_pad (10 points): pad every image of a batch with zeros on height and width."""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, close, shape


def zero_pad(X, pad):
    out = np.zeros((X.shape[0], X.shape[1] + 2 * pad, X.shape[2] + 2 * pad, X.shape[3]), dtype=np.result_type(X, 0.0))
    out[:, pad : pad + X.shape[1], pad : pad + X.shape[2], :] = X
    return out


def _published():
    np.random.seed(1)
    x = np.random.randn(4, 3, 3, 2)
    show = (("x.shape", "x.shape", ""), ("x_pad.shape", "x_pad.shape", ""), ("x[1, 1]", "x[1, 1]", ""))
    show += (("x_pad[1, 1]", "x_pad[1, 1]", ""),)
    return Case((x, 2), names=("x", "pad"), result_names=("x_pad",), show=show)


def _hidden():
    rng = np.random.default_rng(2021)
    cases = [
        Case((rng.standard_normal(s), pad)) for s, pad in [((2, 4, 4, 3), 0), ((1, 3, 5, 2), 1), ((3, 2, 6, 1), 3)]
    ]
    cases += [Case((rng.standard_normal((2, 5, 3, 4)), 2)), Case((rng.standard_normal((1, 1, 1, 1)), 1))]
    cases.append(Case((rng.integers(-9, 10, size=(2, 3, 4, 2)), 1)))  # integer images
    cases.append(Case((rng.standard_normal((2, 3, 3, 3)).astype(np.float32), 2)))
    return tuple(cases)


PUBLISHED, HIDDEN = _published(), _hidden()
INDEX = ("i", "h", "w", "c")
HINT = "pad height and width only: one (before, after) pair per axis, (0, 0) for m and n_C."

EXERCISE = Exercise(
    function="zero_pad",
    number=1,
    reference=zero_pad,
    returns="X_pad, an array",
    parts=(
        Part(
            "published example: x of shape (4, 3, 3, 2), pad 2",
            4,
            (PUBLISHED,),
            (
                shape("x_pad", hint=HINT),
                close("x_pad", index_names=INDEX, hint="the border is zeros, the middle is x."),
            ),
            visible=True,
        ),
        Part(
            "output shape for pad 0 to 3, non-square images, one image, one channel",
            3,
            HIDDEN,
            (shape("X_pad", hint="the new shape is (m, n_H + 2*pad, n_W + 2*pad, n_C)."),),
        ),
        Part(
            "values: zeros around, the input unchanged in the middle (also integer and float32 images)",
            3,
            HIDDEN,
            (close("X_pad", index_names=INDEX),),
        ),
    ),
)
