"""Exercise 1, load_digits (8 points): the digits, read from the assignment's HDF5 file with h5py.

Visible: the sample file ``data/digits_sample.h5`` (same layout, 12 + 6 images), whose expected arrays are small
enough to ship. Graded: ``data/digits.h5`` itself.
"""

from course.grading.exercise import Case, Exercise, Part, close, dtype, equal, integer, length, same, shape


def load_digits(path):
    import h5py

    with h5py.File(path, "r") as f:
        X_train, y_train = f["train/images"][()], f["train/labels"][()]
        X_test, y_test = f["test/images"][()], f["test/labels"][()]
        class_names = [name.decode("ascii") for name in f["class_names"][()]]
    return X_train, y_train, X_test, y_test, class_names


SAMPLE = Case(
    ("data/digits_sample.h5",),
    names=("path",),
    result_names=("X_train", "y_train", "X_test", "y_test", "class_names"),
    show=(
        ("X_train.shape", "X_train.shape", ""),
        ("y_train", "y_train", ""),
        ("X_test.shape", "X_test.shape", ""),
        ("class_names", "class_names", ""),
    ),
)
FULL = Case(("data/digits.h5",))
RETURNS = "return the five things in this order: (X_train, y_train, X_test, y_test, class_names)."
IMAGES = (
    "read the images as they are stored, float32 (n, 8, 8, 1), values in [0, 1]: f['train/images'][()] is a NumPy "
    "array (do not reshape, squeeze, scale or convert them)."
)
LABELS = (
    "the labels are integers 0 to 9, one per image, shape (n,), stored as int64: f['train/labels'][()] as it is "
    "(no one-hot encoding, no conversion to float)."
)
NAMES = (
    "HDF5 stores the class names as bytes (b'0'): return a list of str, name.decode('ascii') for each; read the "
    "arrays inside the `with` block, a dataset cannot be read once the file is closed."
)
IMAGE_CHECKS = (
    length("the result", hint=RETURNS),
    shape("X_train", pick=(0,), hint=IMAGES),
    close("X_train", pick=(0,), hint=IMAGES),
    dtype("X_train", pick=(0,), hint=IMAGES),
    shape("X_test", pick=(2,), hint=IMAGES),
    close("X_test", pick=(2,), hint=IMAGES),
    dtype("X_test", pick=(2,), hint=IMAGES),
)
LABEL_CHECKS = (
    equal("y_train", pick=(1,), hint=LABELS),
    integer("y_train", pick=(1,), hint=LABELS),
    equal("y_test", pick=(3,), hint=LABELS),
    integer("y_test", pick=(3,), hint=LABELS),
)
NAME_CHECKS = (same("class_names", pick=(4,), hint=NAMES),)

EXERCISE = Exercise(
    function="load_digits",
    number=1,
    reference=load_digits,
    returns="(X_train, y_train, X_test, y_test, class_names)",
    parts=(
        Part("data/digits_sample.h5: the images of both splits", 2, (SAMPLE,), IMAGE_CHECKS, visible=True),
        Part("data/digits_sample.h5: the labels", 1, (SAMPLE,), LABEL_CHECKS, visible=True),
        Part("data/digits_sample.h5: the class names, as a list of str", 1, (SAMPLE,), NAME_CHECKS, visible=True),
        Part("data/digits.h5 (1438 + 359 images): the images", 2, (FULL,), IMAGE_CHECKS),
        Part("data/digits.h5: the labels", 1, (FULL,), LABEL_CHECKS),
        Part("data/digits.h5: the class names", 1, (FULL,), NAME_CHECKS),
    ),
)
