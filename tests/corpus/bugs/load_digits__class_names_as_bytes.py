"""Returns the class names as HDF5 stores them, bytes (b'0'), not decoded to str."""

import h5py
import numpy as np


def load_digits(path):
    with h5py.File(path, "r") as f:
        X_train = f["train/images"][()]
        y_train = f["train/labels"][()]
        X_test = f["test/images"][()]
        y_test = f["test/labels"][()]
        class_names = list(f["class_names"][()])
    return X_train, y_train, X_test, y_test, class_names
