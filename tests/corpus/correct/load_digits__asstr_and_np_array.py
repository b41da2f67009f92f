"""Reads the arrays with np.array(dataset) and the names with h5py's asstr(), then a list."""

import h5py
import numpy as np


def load_digits(path):
    with h5py.File(path, "r") as f:
        train, test = f["train"], f["test"]
        X_train, y_train = np.array(train["images"]), np.array(train["labels"])
        X_test, y_test = np.array(test["images"]), np.array(test["labels"])
        class_names = list(f["class_names"].asstr()[()])
    return X_train, y_train, X_test, y_test, class_names
