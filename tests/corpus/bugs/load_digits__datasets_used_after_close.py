"""Returns the h5py Dataset handles, not arrays: the file is closed when the with block ends."""

import h5py
import numpy as np


def load_digits(path):
    with h5py.File(path, "r") as f:
        X_train, y_train = f["train/images"], f["train/labels"]
        X_test, y_test = f["test/images"], f["test/labels"]
        class_names = [name.decode("ascii") for name in f["class_names"][()]]
    return X_train, y_train, X_test, y_test, class_names
