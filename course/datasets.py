"""The data of the ``cnn_application`` assignment: scikit-learn's 8x8 digits as one HDF5 file.

``python -m course.datasets [--out PATH]`` writes ``source/cnn_application/data/digits.h5`` and, beside
it, ``digits_sample.h5``: the first images of each split in the same layout, a file small enough for
the notebook's visible check of ``load_digits`` to ship its expected values. The files are
byte-identical from one run, folder or machine to the next as long as the pinned versions of numpy,
scikit-learn and h5py (with the HDF5 library its wheel bundles) are the same: no timestamps, fixed
format bounds, no compression, a seeded split.

Layout (``n`` images in each split; channels-last, as in the lessons):

- ``train/images``, ``test/images``  float32 ``(n, 8, 8, 1)``, pixel counts 0..16 divided by 16, in [0, 1]
- ``train/labels``, ``test/labels``  int64 ``(n,)``, the digit 0..9
- ``class_names``                    fixed-length ASCII strings ``(10,)``: ``"0"`` .. ``"9"``
- file attributes: where the data comes from, its license, how this file was made
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "source" / "cnn_application" / "data" / "digits.h5"
SAMPLE_NAME = "digits_sample.h5"  # written beside the full file
SAMPLE_SIZES = {"train": 12, "test": 6}  # the first images of each split
COMMAND = "python -m course.datasets --out source/cnn_application/data/digits.h5"

SEED = 20240917
TEST_FRACTION = 0.2
IMAGE_SHAPE = (8, 8, 1)
N_CLASSES = 10
# Format bounds: the HDF5 1.8 file format, which every HDF5 reader of the last 15 years opens. Fixing
# both bounds keeps the bytes from following whatever the newest format of the installed library is.
LIBVER = ("v108", "v108")

SPLIT_RULE = (
    f"stratified by digit: within each class, a numpy.random.default_rng({SEED}) permutation of that "
    f"class's indices (classes in order 0..9, one generator) sends the first round({TEST_FRACTION} * "
    "class size) to test and the rest to train; each split is then permuted with the same generator"
)
LICENSE = (
    "CC BY 4.0 (Creative Commons Attribution 4.0 International, https://creativecommons.org/licenses/by/4.0/), "
    "the license the UCI Machine Learning Repository states for this data set. scikit-learn's documentation of "
    "load_digits names that UCI source and states no license for the data (scikit-learn's BSD-3-Clause license is "
    "for its code). Changes made here: reshaped to 8x8x1, scaled to [0, 1], split into train and test."
)
ATTRIBUTION = (
    "E. Alpaydin and C. Kaynak (1998). Optical Recognition of Handwritten Digits. "
    "UCI Machine Learning Repository. https://doi.org/10.24432/C50P49"
)

# What check_file expects: name -> (dtype kind, shape with None for the number of images).
EXPECTED = {
    "train/images": ("f", (None, *IMAGE_SHAPE)),
    "train/labels": ("i", (None,)),
    "test/images": ("f", (None, *IMAGE_SHAPE)),
    "test/labels": ("i", (None,)),
    "class_names": ("S", (N_CLASSES,)),
}


def split_indices(labels: np.ndarray, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Seeded stratified split of ``labels`` ``(n,)``: returns ``(train_idx, test_idx)``, int64 arrays."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(N_CLASSES):
        members = rng.permutation(np.flatnonzero(labels == digit))
        n_test = round(TEST_FRACTION * len(members))
        test.append(members[:n_test])
        train.append(members[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _attributes(sample: bool = False) -> dict[str, str]:
    import h5py
    import sklearn

    title = "8x8 handwritten digits, train/test split for the cnn_application assignment"
    if sample:
        sizes = ", ".join(f"the first {n} images of {split}" for split, n in SAMPLE_SIZES.items())
        title = f"{title}: a sample ({sizes} of digits.h5, same layout)"
    return {
        "title": title,
        "source": (
            f"scikit-learn {sklearn.__version__}, sklearn.datasets.load_digits() (bundled in the package, no "
            "download): the 1797 images of the test set (optdigits.tes) of the UCI data set 'Optical Recognition "
            "of Handwritten Digits', https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits"
        ),
        "license": LICENSE,
        "attribution": ATTRIBUTION,
        "split": SPLIT_RULE,
        "seed": str(SEED),
        "scaling": "images = pixel counts (integers 0..16) / 16, float32; labels = the digit, int64",
        "layout": "images (n, n_H, n_W, n_C) = (n, 8, 8, 1), channels-last; labels (n,); class_names (10,) ASCII",
        "command": COMMAND,
        "made_with": (
            f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, h5py {h5py.__version__}, "
            f"HDF5 {h5py.version.hdf5_version}; libver {LIBVER}, track_times=False, no compression"
        ),
    }


def digit_splits() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{"train": (images, labels), "test": (images, labels)}`` made from scikit-learn's bundled digits, exactly
    the arrays the files hold."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images.astype(np.float32) / np.float32(16.0))[..., np.newaxis]  # (1797, 8, 8, 1)
    labels = digits.target.astype(np.int64)
    train_idx, test_idx = split_indices(labels)
    return {"train": (images[train_idx], labels[train_idx]), "test": (images[test_idx], labels[test_idx])}


def _write(path: Path, splits: dict, attributes: dict) -> Path:
    import h5py

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w", libver=LIBVER, track_order=False, track_times=False) as f:
        for name in ("train", "test"):
            images, labels = splits[name]
            group = f.create_group(name, track_order=False, track_times=False)
            group.create_dataset("images", data=images, track_times=False)
            group.create_dataset("labels", data=labels, track_times=False)
        names = np.array([str(d).encode("ascii") for d in range(N_CLASSES)], dtype="S1")
        f.create_dataset("class_names", data=names, track_times=False)
        for key, value in attributes.items():
            f.attrs[key] = value
    return path


def build_digits(path: str | Path) -> Path:
    """Write the digits HDF5 file at ``path`` (folders created, file replaced); return its path."""
    return _write(path, digit_splits(), _attributes())


def build_sample(path: str | Path) -> Path:
    """Write the sample file (the first images of each split, same layout) at ``path``; return its path."""
    splits = {name: tuple(a[:n] for a in digit_splits()[name]) for name, n in SAMPLE_SIZES.items()}
    return _write(path, splits, _attributes(sample=True))


def build_all(path: str | Path = DEFAULT_OUT) -> list[Path]:
    """Write the digits file at ``path`` and the sample file beside it; return both paths."""
    path = Path(path)
    return [build_digits(path), build_sample(path.with_name(SAMPLE_NAME))]


def check_file(path: str | Path) -> None:
    """Raise FileNotFoundError or ValueError (one line, with the command that remakes it) unless ``path`` is
    a digits file with the expected datasets, dtypes and shapes."""
    import h5py

    path = Path(path)
    remake = f"regenerate it with: {COMMAND}"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file; {remake}")
    if not path.is_file():
        raise ValueError(f"{path}: not a file; {remake}")
    if not h5py.is_hdf5(path):
        raise ValueError(f"{path}: not an HDF5 file; {remake}")
    with h5py.File(path, "r") as f:
        counts = {}
        for name, (kind, shape) in EXPECTED.items():
            if not isinstance(f.get(name), h5py.Dataset):
                raise ValueError(f"{path}: dataset '{name}' is missing; {remake}")
            data = f[name]
            if data.dtype.kind != kind:
                raise ValueError(f"{path}: '{name}' has dtype {data.dtype}, expected kind '{kind}'; {remake}")
            want = tuple(data.shape[0] if s is None else s for s in shape)
            if data.shape != want:
                raise ValueError(f"{path}: '{name}' has shape {data.shape}, expected {want}; {remake}")
            counts.setdefault(name.split("/")[0], set()).add(data.shape[0])
        for split in ("train", "test"):
            if len(counts[split]) != 1 or 0 in counts[split]:
                raise ValueError(f"{path}: {split}/images and {split}/labels disagree on the count; {remake}")


def read_digits(path: str | Path = DEFAULT_OUT) -> tuple[np.ndarray, ...]:
    """``(X_train, y_train, X_test, y_test)`` from a digits file (checked first, see check_file)."""
    import h5py

    check_file(path)
    with h5py.File(path, "r") as f:
        return tuple(f[f"{split}/{kind}"][()] for split in ("train", "test") for kind in ("images", "labels"))


_ARRAYS = {}


def arrays() -> tuple[np.ndarray, ...]:
    """``(X_train, y_train, X_test, y_test)`` of the course's digits file, read once; made in memory from
    scikit-learn (the same arrays) when the file is missing or damaged, so that the grader never depends on it."""
    if not _ARRAYS:
        try:
            found = read_digits(DEFAULT_OUT)
        except (OSError, ValueError):
            splits = digit_splits()
            found = (*splits["train"], *splits["test"])
        _ARRAYS["digits"] = found
    return _ARRAYS["digits"]


def sha256(path: str | Path) -> str:
    """Hex SHA-256 of the file at ``path``."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.datasets", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output file (default: {DEFAULT_OUT}); {SAMPLE_NAME} beside it"
    )
    args = parser.parse_args(argv)
    for path in build_all(args.out):
        check_file(path)
        print(f"wrote {path} ({path.stat().st_size} bytes, sha256 {sha256(path)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
