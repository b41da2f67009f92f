"""Saves every array as float32 to halve the file: the values read back are no longer the same."""

import h5py
import numpy as np


def save_params(params, path):
    with h5py.File(path, "w") as f:
        for name, value in params.items():
            f.create_dataset(name, data=np.asarray(value, dtype=np.float32))
