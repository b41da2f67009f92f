"""Exercise 7, distribute_value (5 points): share a gradient evenly over a window."""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, close


def distribute_value(dz, shape):
    return np.full(shape, dz / (shape[0] * shape[1]), dtype=float)


PUBLISHED = Case((2, (2, 2)), result_names=("a",), show=(("distributed value", "a", ""),))
INTEGER = (Case((3, (2, 3))),)  # the trap: integer division
HIDDEN = tuple(Case(args) for args in [(-1.5, (3, 3)), (0.25, (1, 4)), (7, (1, 1)), (1, (4, 2)), (5, (3, 2))])
HINT = "every cell gets dz / (n_H * n_W), with true division (/), not //; the result has the window's shape."

EXERCISE = Exercise(
    function="distribute_value",
    number=7,
    reference=distribute_value,
    returns="a, an array of the window's shape",
    parts=(
        Part(
            "published example: distribute_value(2, (2, 2))",
            2,
            (PUBLISHED,),
            (close("the result", hint=HINT),),
            visible=True,
        ),
        Part(
            "an integer gradient over a non-square window", 1, INTEGER, (close("the result", hint=HINT),), visible=True
        ),
        Part(
            "negative, float and integer gradients, non-square and one-cell windows",
            2,
            HIDDEN,
            (close("the result", hint=HINT),),
        ),
    ),
)
