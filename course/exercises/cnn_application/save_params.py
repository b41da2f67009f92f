"""Exercise 14, save_params (6 points): parameters to an HDF5 file and back (``load_params``), exactly.

Each case calls the student's ``save_params(params, path)`` then their ``load_params(path)`` (found by name in the
notebook, written in the cell after save_params's) and checks what load_params returned: the same dict, the same
values, the same dtypes. Paths are relative: the files land in the notebook's folder (the grader's working folder
when graded); the notebook's test cell removes the visible check's file after the check.
"""

import numpy as np

from course.grading.exercise import Case, Exercise, Part, same

from .model_forward import init_params


def save_params(params, path):
    import h5py

    with h5py.File(path, "w") as f:
        for name, value in params.items():
            f.create_dataset(name, data=value)


def load_params(path):
    """The reference's reading side (not lent: the student's load_params is the one called)."""
    import h5py

    with h5py.File(path, "r") as f:
        return {name: f[name][()] for name in f}


def dtypes(loaded):
    """The grader's measure: the dtype of every array that came back."""
    return {name: np.asarray(value).dtype.name for name, value in loaded.items()}


def _round_trip(params, path, **options):
    return Case((params, path), then=("load_params", (path,)), expected=params, **options)


def _dtypes(params, path):
    return Case((params, path), then=("load_params", (path,)), expected=dtypes(params))


VISIBLE_PATH = "params_check.h5"  # the notebook's test cell removes it after the check
# Every file the checks write (the exercise's ``writes``, which the course's config adds to nbgrader's
# CourseDirectory.ignore): a submission holding one of them must not have it copied into the grading folder (the
# sandbox would make it read-only, and the check could not write it), nor the grader's files into the feedback.
FILES_WRITTEN = (VISIBLE_PATH, "grader_params_*.h5")
_rng = np.random.default_rng(2038)
PUBLISHED = _round_trip(
    init_params(0),
    VISIBLE_PATH,
    call=f'save_params(init_params(0), "{VISIBLE_PATH}"), then load_params("{VISIBLE_PATH}")',
    names=("params", "path"),
    result_names=("loaded",),
    show=(("loaded['W1'].shape", "loaded['W1'].shape", ""), ("loaded['W1'].dtype", "loaded['W1'].dtype", "")),
)
MIXED = {  # other names, float32, integers, a 1-D array
    "W1": _rng.standard_normal((3, 3, 1, 8)).astype(np.float32),
    "b1": np.zeros((1, 1, 1, 8), dtype=np.float32),
    "step": np.array([7, 8], dtype=np.int64),
    "gamma": _rng.standard_normal(5),
}
OTHER = {"W": _rng.standard_normal((4, 2)), "b": _rng.standard_normal((1, 2))}
HIDDEN = (_round_trip(MIXED, "grader_params_a.h5"), _round_trip(init_params(5), "grader_params_b.h5"))
# The same file twice: the second save must replace the first file, not add to it.
AGAIN = (_round_trip(init_params(6), "grader_params_c.h5"), _round_trip(OTHER, "grader_params_c.h5"))
DTYPES = (_dtypes(MIXED, "grader_params_d.h5"),)
ROUND_TRIP = (
    "save_params writes one dataset per key with its array as it is (no conversion); load_params reads every dataset "
    "back into a NumPy array (f[name][()]) inside the `with` block, and returns a dict with the same keys."
)
REPLACE = "open the file with mode 'w' in save_params: saving again to the same path must replace the file."
DTYPE = "keep each array's dtype: do not convert on the way in or out (float32 stays float32, integers integers)."

EXERCISE = Exercise(
    function="save_params",
    number=14,
    reference=save_params,
    returns="nothing (load_params returns the dict)",
    measures={"dtypes": dtypes},
    writes=FILES_WRITTEN,
    parts=(
        Part(
            "published example: the parameters of init_params(0) read back exactly",
            2,
            (PUBLISHED,),
            (same("what load_params returned", hint=ROUND_TRIP),),
            visible=True,
        ),
        Part(
            "other names, float32, integer and 1-D arrays, other parameters: read back exactly",
            2,
            HIDDEN,
            (same("what load_params returned", hint=ROUND_TRIP),),
        ),
        Part("dtypes are kept", 1, DTYPES, (same("the dtypes read back", hint=DTYPE),), measure="dtypes"),
        Part("saving twice to the same file replaces it", 1, AGAIN, (same("what load_params returned", hint=REPLACE),)),
    ),
)
