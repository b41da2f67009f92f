"""Each dataset compressed with gzip: smaller files, the same arrays read back."""

import h5py
import numpy as np


def save_params(params, path):
    with h5py.File(path, "w") as f:
        for name, value in params.items():
            f.create_dataset(name, data=np.asarray(value), compression="gzip", compression_opts=4)
