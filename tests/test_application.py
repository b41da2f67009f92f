"""The second assignment, cnn_application, without nbgrader (fast): its data files regenerate byte for byte and a
missing or damaged one is reported with what to do, the references agree with the loop versions and with the
first assignment's references, the graded cases of model_backward are exact for any correct order of operations,
the reference trains past the graded bar within its budget, and the figures are what the code draws."""

import copy
import fnmatch
import inspect
import json
import sys
import textwrap
import time
import types

import h5py
import nbformat
import numpy as np
import pytest
from threadpoolctl import threadpool_limits
from traitlets.config import Config

from course import datasets, exercises, figures, figures_application
from course.exercises.cnn_application import (
    conv_backward_fast,
    conv_forward_fast,
    model_backward,
    model_forward,
    pool_backward_fast,
    pool_forward_fast,
    save_params,
    train,
)
from course.exercises.cnn_application.softmax_cross_entropy import softmax_cross_entropy
from course.grading import probe, setup
from course.grading.speed import timed_calls
from course.layout import source_dir

ASSIGNMENT = "cnn_application"
FOLDER = source_dir(ASSIGNMENT)
NOTEBOOK = FOLDER / f"{ASSIGNMENT}.ipynb"
REGENERATE = "run `python -m course.datasets` and commit source/cnn_application/data/"


# ---------------------------------------------------------------------------------------------------------------
# The data files
# ---------------------------------------------------------------------------------------------------------------


def test_the_data_files_regenerate_byte_identically(tmp_path):
    written = datasets.build_all(tmp_path / "digits.h5")
    for path in written:
        committed = FOLDER / "data" / path.name
        assert committed.is_file(), f"{committed} is missing: {REGENERATE}"
        assert path.read_bytes() == committed.read_bytes(), f"{committed.name} differs from a fresh build: {REGENERATE}"


def test_the_files_hold_the_split_and_the_sample_their_first_images():
    X_train, y_train, X_test, y_test = datasets.read_digits(FOLDER / "data" / "digits.h5")
    assert X_train.shape == (1438, 8, 8, 1) and X_test.shape == (359, 8, 8, 1)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert 0 <= X_train.min() and X_train.max() <= 1 and set(np.unique(y_test)) == set(range(10))
    sample = datasets.read_digits(FOLDER / "data" / datasets.SAMPLE_NAME)
    n_train, n_test = datasets.SAMPLE_SIZES["train"], datasets.SAMPLE_SIZES["test"]
    for got, want in zip(sample, (X_train[:n_train], y_train[:n_train], X_test[:n_test], y_test[:n_test])):
        assert np.array_equal(got, want) and got.dtype == want.dtype
    assert all(np.array_equal(a, b) for a, b in zip(datasets.arrays(), (X_train, y_train, X_test, y_test)))


def _damaged_copies(tmp_path):
    """``{name: path}`` of files check_file must refuse."""
    good = FOLDER / "data" / datasets.SAMPLE_NAME
    corrupt = tmp_path / "corrupt.h5"
    corrupt.write_bytes(b"<html>404 Not Found</html>")
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes(good.read_bytes()[:3000])
    no_labels = tmp_path / "no_labels.h5"
    with h5py.File(good) as src, h5py.File(no_labels, "w") as dst:
        src.copy("train", dst)
        dst.create_group("test").create_dataset("images", data=src["test/images"][()])
        src.copy("class_names", dst)
    flat = tmp_path / "flat.h5"
    with h5py.File(good) as src, h5py.File(flat, "w") as dst:
        for name in ("train/labels", "test/images", "test/labels", "class_names"):
            dst.create_dataset(name, data=src[name][()])
        dst.create_dataset("train/images", data=src["train/images"][()].reshape(-1, 64))
    return {"corrupt": corrupt, "truncated": truncated, "no_labels": no_labels, "flat": flat}


def test_check_file_says_what_is_wrong_and_how_to_remake_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file; regenerate it with: python -m course.datasets"):
        datasets.check_file(tmp_path / "missing.h5")
    damaged = _damaged_copies(tmp_path)
    expected = {
        "corrupt": "not an HDF5 file",
        "truncated": "not an HDF5 file|cannot|truncated|Unable",
        "no_labels": "dataset 'test/labels' is missing",
        "flat": r"'train/images' has shape \(12, 64\), expected \(12, 8, 8, 1\)",
    }
    for name, path in damaged.items():
        with pytest.raises((ValueError, OSError), match=expected[name]) as raised:
            datasets.check_file(path)
        if isinstance(raised.value, ValueError):
            assert datasets.COMMAND in str(raised.value), name
    datasets.check_file(FOLDER / "data" / "digits.h5")


def _notebook_setup(monkeypatch, folder):
    """The notebook's first code cell, run in ``folder`` (with a stand-in for cnn_checks): its namespace, or the
    DataFileProblem it raised."""
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "imports")
    monkeypatch.setitem(sys.modules, "cnn_checks", types.SimpleNamespace(check=lambda function: None))
    monkeypatch.chdir(folder)
    namespace = {"__name__": "notebook"}
    try:
        exec(compile(cell.source, "imports", "exec"), namespace)
    except Exception as error:  # DataFileProblem, defined by the cell itself
        return error
    return namespace


def test_the_notebook_says_how_to_get_a_missing_or_damaged_data_file_back(tmp_path, monkeypatch):
    assert isinstance(_notebook_setup(monkeypatch, FOLDER), dict)
    (tmp_path / "data").mkdir()
    missing = _notebook_setup(monkeypatch, tmp_path)
    assert type(missing).__name__ == "DataFileProblem" and "data/digits.h5 is missing" in str(missing)
    assert "fetch the assignment again" in str(missing)
    assert missing._render_traceback_() == [f"\x1b[0;31mDataFileProblem\x1b[0m: {missing}"]  # one line, no traceback
    for name, path in _damaged_copies(tmp_path).items():
        (tmp_path / "data" / "digits.h5").write_bytes(path.read_bytes())
        problem = _notebook_setup(monkeypatch, tmp_path)
        assert type(problem).__name__ == "DataFileProblem", name
        assert ("cannot be read" in str(problem) or "is damaged" in str(problem)) and "fetch the assignment" in str(
            problem
        ), name


# ---------------------------------------------------------------------------------------------------------------
# The layers: fast references, loop versions, the first assignment's references
# ---------------------------------------------------------------------------------------------------------------

LAYERS = {
    "conv_forward_fast": (conv_forward_fast.conv_forward_fast, conv_forward_fast.conv_forward_loop),
    "conv_backward_fast": (conv_backward_fast.conv_backward_fast, conv_backward_fast.conv_backward_loop),
    "pool_forward_fast": (pool_forward_fast.pool_forward_fast, pool_forward_fast.pool_forward_loop),
    "pool_backward_fast": (pool_backward_fast.pool_backward_fast, pool_backward_fast.pool_backward_loop),
}


def _outputs(result):
    """The arrays of a layer's result: Z, A or dA_prev alone, or the three gradients."""
    if isinstance(result, tuple) and len(result) == 3:
        return list(result)
    return [result[0] if isinstance(result, tuple) else result]


def _random_cases(rng, count=60):
    """``(function, args, kwargs)``: random settings of every layer (any pad, stride, f, non-square inputs, ties)."""
    for _ in range(count):
        m, n_C_prev, n_C = (int(x) for x in rng.integers(1, 4, 3))
        H, Wd, f, s, p = int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 5)), 0, 0
        s, p = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        f = min(f, min(H, Wd) + 2 * p)
        A = rng.standard_normal((m, H, Wd, n_C_prev))
        W, b = rng.standard_normal((f, f, n_C_prev, n_C)), rng.standard_normal((1, 1, 1, n_C))
        hp = {"stride": s, "pad": p}
        Z, cache = conv_forward_fast.conv_forward_fast(A, W, b, hp)
        yield "conv_forward_fast", (A, W, b, hp), {}
        yield "conv_backward_fast", (rng.standard_normal(Z.shape), cache), {}
        f = min(f, H, Wd)
        pool = {"f": f, "stride": s}
        A = rng.integers(0, 3, A.shape).astype(float) if rng.random() < 0.5 else A  # ties, half of the time
        for mode in ("max", "average"):
            out, cache = pool_forward_fast.pool_forward_fast(A, pool, mode)
            yield "pool_forward_fast", (A, pool), {"mode": mode}
            yield "pool_backward_fast", (rng.standard_normal(out.shape), cache), {"mode": mode}


def test_fast_and_loop_references_agree():
    for function, args, kwargs in _random_cases(np.random.default_rng(0)):
        fast, loop = LAYERS[function]
        for got, want in zip(_outputs(fast(*args, **kwargs)), _outputs(loop(*args, **kwargs))):
            assert got.shape == want.shape and np.allclose(got, want, rtol=1e-10, atol=1e-12), (function, kwargs)


@pytest.mark.parametrize("function", sorted(LAYERS))
def test_references_and_yardsticks_agree_on_the_speed_checks_inputs(function):
    """The reference, the yardstick (a loop over the examples) and, on the first examples, the four-loop version
    give the same result on a speed check's inputs; the kernel is sent a seed and a spec, a few hundred bytes."""
    _, exercise = exercises.find(function)
    (speed,) = [part.speed for part in exercise.parts if part.speed]
    args, kwargs = speed.inputs(1)
    fast, loop = LAYERS[function]
    want = _outputs(exercise.reference(*copy.deepcopy(args), **kwargs))
    for got, expected in zip(_outputs(speed.yardstick(*copy.deepcopy(args), **kwargs)), want):
        assert got.shape == expected.shape and np.allclose(got, expected, rtol=1e-10, atol=1e-12), function
    head = 50  # the first examples, through the four loops
    small = (
        (args[0][:head], tuple(a[:head] if i == 0 else a for i, a in enumerate(args[1])))
        if function.endswith("backward_fast")
        else (args[0][:head], *args[1:])
    )
    for got, expected in zip(_outputs(loop(*small, **kwargs)), _outputs(fast(*small, **kwargs))):
        assert np.allclose(got, expected, rtol=1e-10, atol=1e-12), function
    assert args[0].shape[0] >= 10_000, "many examples: a loop over them must show"
    request = probe.request(function, timed_calls(speed, np.random.default_rng(0)), {})
    assert len(json.dumps(request)) < 2000


def test_the_pooling_speed_check_has_no_ties():
    _, exercise = exercises.find("pool_backward_fast")
    (speed,) = [part.speed for part in exercise.parts if part.speed]
    (dA, (A_prev, hp)), _ = speed.inputs(2)
    assert np.unique(A_prev).size == A_prev.size and hp["f"] * hp["f"] > 1


@pytest.mark.parametrize("function", sorted(LAYERS))
def test_fast_references_give_the_first_assignments_results_on_its_cases(function):
    """The cases are the first assignment's (conv_forward, conv_backward, pool_forward, pool_backward)."""
    _, exercise = exercises.find(function)
    _, original = exercises.find(function.removesuffix("_fast"))
    reused = {id(case) for case in original.cases.values()}
    for cid, case in exercise.cases.items():
        assert id(case) in reused, f"{function} {cid} is not a case of {original.function}"
        got = _outputs(exercise.expected[cid])
        want = _outputs(original.reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs)))
        assert all(np.allclose(g, w, rtol=1e-10, atol=1e-12) for g, w in zip(got, want)), (function, cid)


# ---------------------------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------------------------


def test_model_backward_cases_are_exact_with_loop_layers():
    """model_backward's cases give bit for bit the same gradients when the layers compute in another order."""
    scope = {
        "np": np,
        "conv_backward_fast": conv_backward_fast.conv_backward_loop,
        "pool_backward_fast": pool_backward_fast.pool_backward_loop,
        "relu_backward": lambda dA, Z: np.where(Z > 0, dA, 0.0),
        "fc_backward": lambda dZ, cache: (
            np.einsum("ij,kj->ik", dZ, cache[1]).reshape(cache[0].shape),
            np.einsum("ik,ij->kj", cache[0].reshape(len(cache[0]), -1), dZ),
            dZ[::-1].sum(axis=0, keepdims=True),
        ),
    }
    _, exercise = exercises.find("model_backward")
    exec(textwrap.dedent(inspect.getsource(model_backward.model_backward)), scope)
    for cid, case in exercise.cases.items():
        grads = scope["model_backward"](*copy.deepcopy(case.args))
        expected = exercise.expected[cid]
        if isinstance(expected, dict):
            assert all(np.array_equal(grads[name], expected[name]) for name in expected), cid
        assert model_backward.positive_ties(case.args[1]) == 0, cid


def test_the_whole_models_gradients_pass_a_gradient_check():
    rng = np.random.default_rng(0)
    params = model_forward.init_params(3)
    for name in ("b1", "b2", "b3"):
        params[name] = 0.1 * rng.standard_normal(params[name].shape)
    X, y = rng.standard_normal((3, 8, 8, 1)), rng.integers(0, 10, 3)
    logits, caches = model_forward.model_forward(X, params)
    grads = model_backward.model_backward(softmax_cross_entropy(logits, y)[1], caches)
    for name, value in params.items():
        analytic, numeric = [], []
        for k in rng.choice(value.size, size=min(value.size, 12), replace=False):
            index = np.unravel_index(k, value.shape)
            saved = value[index]
            value[index] = saved + 1e-6
            plus = softmax_cross_entropy(model_forward.model_forward(X, params)[0], y)[0]
            value[index] = saved - 1e-6
            minus = softmax_cross_entropy(model_forward.model_forward(X, params)[0], y)[0]
            value[index] = saved
            numeric.append((plus - minus) / 2e-6)
            analytic.append(grads[name][index])
        error = np.linalg.norm(np.subtract(analytic, numeric)) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
        assert error < 1e-7, (name, error)


def test_the_notebook_gives_students_the_graders_init_params(monkeypatch):
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "provided-model-helpers")
    namespace = {"np": np, "print": lambda *args: None}
    exec(compile(cell.source, "helpers", "exec"), namespace)
    for seed in (0, 1):
        ours, theirs = model_forward.init_params(seed), namespace["init_params"](seed)
        assert list(ours) == list(theirs) and all(np.array_equal(ours[k], theirs[k]) for k in ours)


def test_the_reference_trains_past_the_graded_bar_within_its_budget():
    _, exercise = exercises.find("train")
    start = time.perf_counter()
    with threadpool_limits(1, user_api="blas"):  # as in the sandboxed kernel
        returned = exercise.reference(*copy.deepcopy(train.GRADED.args))
    seconds = time.perf_counter() - start
    accuracy = train.test_accuracy(returned)
    assert accuracy >= train.TEST_ACCURACY + 0.05, accuracy  # a margin over the bar for other correct optimisers
    assert seconds < 10, f"{seconds:.1f} s: the graded training must stay well within the cell timeout"
    losses, accuracies = returned[1]
    assert len(losses) == len(accuracies) == train.EPOCHS and losses[-1] < losses[0]


def test_the_visible_training_run_clears_its_bars_by_a_margin():
    losses, accuracies = train.train(*copy.deepcopy(train.VISIBLE.args))[1]
    assert losses[-1] < train.LOSS_BAR / 3 and accuracies[-1] >= train.ACCURACY_BAR + 0.1


def test_the_save_check_cleans_up_its_file_and_its_paths_are_the_graders_own():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_save_params")
    assert f'os.remove("{save_params.VISIBLE_PATH}")' in cell.source
    _, exercise = exercises.find("save_params")
    hidden = {case.args[1] for part in exercise.parts if not part.visible for case in part.cases}
    assert save_params.VISIBLE_PATH not in hidden and all("/" not in path for path in hidden)
    every = {case.args[1] for case in exercise.cases.values()}
    assert all(any(fnmatch.fnmatch(path, pattern) for pattern in exercise.writes) for path in every)
    # nbgrader copies none of them from a submission into the grading folder, nor into the feedback
    ignored = setup.configure(Config(), FOLDER.parent.parent, sandboxed=False).CourseDirectory.ignore
    assert set(exercise.writes) <= set(ignored) and "__pycache__" in ignored


def test_the_shipped_visible_checks_stay_small():
    size = len(json.dumps(exercises.visible_checks(ASSIGNMENT)))
    assert size < 450_000, f"cnn_checks.json would be {size} bytes"


# ---------------------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------------------


def test_the_committed_figures_are_what_the_code_draws(tmp_path):
    for path in figures.draw_all(tmp_path, figures_application.FIGURES):
        committed = FOLDER / "images" / path.name
        assert committed.read_bytes() == path.read_bytes(), f"run `python -m course.figures_application`: {path.name}"
        assert 0 < path.stat().st_size < 150 * 1024
    again = figures_application.draw_vectorising(tmp_path / "again.png")
    assert again.read_bytes() == (tmp_path / "vectorising.png").read_bytes()
    assert figures_application.DEFAULT_OUT == FOLDER / "images"
