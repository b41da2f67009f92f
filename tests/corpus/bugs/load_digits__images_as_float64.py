"""Converts the images to float64 (right values, wrong dtype): the lesson says they are float32, as stored."""

import h5py
import numpy as np


def load_digits(path):
    with h5py.File(path, "r") as f:
        X_train = np.array(f["train/images"], dtype=np.float64)
        y_train = f["train/labels"][()]
        X_test = np.array(f["test/images"], dtype=np.float64)
        y_test = f["test/labels"][()]
        class_names = [name.decode("ascii") for name in f["class_names"][()]]
    return X_train, y_train, X_test, y_test, class_names
