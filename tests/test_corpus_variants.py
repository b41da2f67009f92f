"""Checks the autograder test corpus itself (fast, no nbgrader involved).

The references of course/exercises are the oracle used to check the corpus itself.  For every
variant in ``tests/corpus/{bugs,correct}`` we build a namespace holding the reference
solutions, exec the variant's source on top of it (as if it were the student's cell for
that one exercise) and run it on a table of ~20 seeded cases per exercise, covering the
edge cases the hidden tests may use: pad 0/1/2/3, stride 1/2/3, f from 1 up to the
(padded) input size, non-square inputs, m == 1, n_C_prev == 1, all-negative pooling
windows, both pooling modes, int and float32 inputs.

* every *correct* variant must match the oracle on every case (shape and values, within
  rtol 1e-5 for float64 / 1e-4 for float32), emit no warnings (they are errors here),
  write nothing to stdout/stderr and leave its inputs untouched;
* every *bug* variant must differ from the oracle (shape or values) on at least one case,
  or raise.  Results never depend on ties between random floats or on output dtype.
"""

from __future__ import annotations

import copy
import inspect
import shutil
import warnings
from dataclasses import dataclass, field

import numpy as np
import pytest
from helpers import judge_in_process

from course import exercises

try:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    from corpus.catalog import EXERCISES, load_variants, make_namespace
except ImportError:  # pragma: no cover - if tests/ ever becomes a package
    from tests.corpus.catalog import EXERCISES, load_variants, make_namespace

ALL_BUGS = load_variants("bugs")
ALL_CORRECT = load_variants("correct")
NOISY = load_variants("noisy")  # correct, but they print, write to stderr or warn
ORACLE = make_namespace()
APPLICATION = {e.function for e in exercises.assignment("cnn_application").exercises}
# The first assignment and its bonus are checked on the tables below; the application's variants on the exercises'
# own parts (their cases are whole models and training runs, which a table of random layers cannot stand in for).
BUGS = [v for v in ALL_BUGS if v.function not in APPLICATION]
CORRECT = [v for v in ALL_CORRECT if v.function not in APPLICATION]
APPLICATION_BUGS = [v for v in ALL_BUGS if v.function in APPLICATION]
APPLICATION_CORRECT = [v for v in ALL_CORRECT if v.function in APPLICATION]

F64 = dict(rtol=1e-5, atol=1e-8)
F32 = dict(rtol=1e-4, atol=1e-4)


@dataclass
class Case:
    id: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    tol: dict = field(default_factory=lambda: dict(F64))


def _array(rng, shape, dtype="f8", sign=None):
    if dtype == "int":
        x = rng.integers(-9, 10, size=shape)
    else:
        x = rng.standard_normal(shape).astype(dtype)
    if sign == "neg":  # every entry strictly negative
        x = -np.abs(x) - (1 if dtype == "int" else 0.1)
    return x


def _tol(dtype):
    return dict(F32) if dtype == "f4" else dict(F64)


# --------------------------------------------------------------------------- case tables
def _zero_pad_cases():
    rng = np.random.default_rng(101)
    table = [  # (shape, pad, dtype)
        ((4, 3, 3, 2), 2, "f8"),
        ((1, 1, 1, 1), 0, "f8"),
        ((1, 1, 1, 1), 1, "f8"),
        ((2, 3, 5, 1), 1, "f8"),
        ((3, 4, 2, 3), 3, "f8"),
        ((1, 5, 5, 3), 0, "f8"),
        ((2, 3, 3, 2), 1, "int"),
        ((2, 4, 3, 2), 2, "f4"),
        ((1, 2, 6, 4), 2, "f8"),
        ((5, 1, 3, 1), 1, "f8"),
        ((2, 6, 4, 3), 1, "f4"),
        ((1, 7, 2, 2), 3, "int"),
        ((3, 2, 2, 1), 2, "f8"),
        ((1, 4, 4, 1), 1, "f8"),
        ((2, 5, 3, 3), 0, "int"),
        ((1, 3, 8, 2), 2, "f8"),
        ((4, 2, 5, 2), 1, "f8"),
        ((1, 6, 6, 3), 3, "f4"),
        ((2, 1, 1, 5), 2, "f8"),
        ((1, 3, 4, 2), 1, "f8"),
    ]
    return [Case(f"x{shape}-pad{pad}-{dt}", (_array(rng, shape, dt), pad), tol=_tol(dt)) for shape, pad, dt in table]


def _conv_single_step_cases():
    rng = np.random.default_rng(202)
    table = [  # (f, n_C_prev, dtype)
        (4, 3, "f8"),
        (1, 1, "f8"),
        (2, 1, "f8"),
        (3, 3, "f8"),
        (1, 4, "f8"),
        (5, 2, "f8"),
        (2, 2, "f4"),
        (3, 1, "f4"),
        (4, 4, "f8"),
        (2, 3, "int"),
        (1, 2, "f8"),
        (3, 2, "f8"),
        (5, 1, "f8"),
        (2, 5, "f8"),
        (3, 3, "int"),
        (4, 1, "f4"),
        (1, 3, "f8"),
        (6, 2, "f8"),
        (2, 2, "f8"),
        (3, 4, "f8"),
    ]
    cases = []
    for f, c, dt in table:
        a = _array(rng, (f, f, c), dt)
        W = _array(rng, (f, f, c), dt)
        b = _array(rng, (1, 1, 1), dt)
        cases.append(Case(f"f{f}-c{c}-{dt}", (a, W, b), tol=_tol(dt)))
    return cases


# (m, n_H_prev, n_W_prev, n_C_prev, f, n_C, pad, stride, dtype)
CONV_TABLE = [
    (10, 4, 4, 3, 2, 8, 2, 2, "f8"),  # the published fixture's geometry
    (1, 5, 7, 1, 3, 2, 0, 1, "f8"),
    (2, 6, 4, 3, 3, 4, 1, 2, "f8"),
    (1, 7, 5, 2, 2, 3, 0, 3, "f8"),
    (3, 3, 3, 1, 3, 1, 0, 1, "f8"),  # f == input size
    (2, 4, 6, 2, 1, 3, 0, 2, "f8"),  # f == 1
    (1, 5, 5, 3, 3, 2, 2, 1, "f8"),
    (2, 8, 5, 1, 4, 2, 1, 3, "f8"),
    (1, 4, 9, 2, 2, 1, 1, 2, "f4"),
    (2, 6, 6, 3, 3, 5, 1, 1, "f4"),
    (1, 3, 5, 1, 5, 2, 1, 1, "f8"),  # f == padded height
    (2, 5, 3, 2, 2, 2, 2, 3, "f8"),
    (1, 6, 7, 4, 3, 3, 0, 2, "f8"),
    (3, 4, 4, 1, 2, 2, 0, 2, "f8"),  # stride == f
    (1, 2, 2, 1, 1, 1, 0, 1, "f8"),
    (2, 7, 4, 2, 3, 2, 2, 2, "f8"),
    (1, 5, 6, 3, 2, 4, 1, 1, "int"),
    (1, 9, 9, 1, 3, 1, 1, 3, "f8"),
    (2, 5, 8, 2, 4, 3, 3, 2, "f8"),
    (1, 6, 3, 2, 3, 2, 0, 1, "f4"),
]


def _conv_inputs(rng, row):
    m, H, Wd, C, f, nC, pad, stride, dt = row
    A_prev = _array(rng, (m, H, Wd, C), dt)
    wdt = "f8" if dt == "int" else dt
    W = _array(rng, (f, f, C, nC), wdt)
    b = _array(rng, (1, 1, 1, nC), wdt)
    return A_prev, W, b, {"stride": stride, "pad": pad}


def _conv_id(row):
    m, H, Wd, C, f, nC, pad, stride, dt = row
    return f"A{(m, H, Wd, C)}-f{f}-nC{nC}-pad{pad}-s{stride}-{dt}"


def _conv_forward_cases():
    rng = np.random.default_rng(303)
    return [Case(_conv_id(row), _conv_inputs(rng, row), tol=_tol(row[-1])) for row in CONV_TABLE]


def _conv_backward_cases():
    rng = np.random.default_rng(505)
    cases = []
    for row in CONV_TABLE:
        A_prev, W, b, hp = _conv_inputs(rng, row)
        Z, _ = ORACLE["conv_forward"](A_prev, W, b, hp)
        dt = "f4" if row[-1] == "f4" else "f8"
        dZ = _array(rng, Z.shape, dt)
        cases.append(Case(_conv_id(row), (dZ, (A_prev, W, b, hp)), tol=_tol(row[-1])))
    return cases


# (m, n_H_prev, n_W_prev, n_C, f, stride, dtype, sign)
POOL_TABLE = [
    (2, 4, 4, 3, 3, 2, "f8", None),  # the published pool_forward geometry
    (5, 5, 3, 2, 2, 1, "f8", None),  # the published pool_backward geometry
    (1, 5, 7, 1, 2, 2, "f8", None),
    (2, 6, 4, 2, 3, 1, "f8", None),
    (1, 7, 5, 3, 2, 3, "f8", None),
    (1, 3, 3, 1, 3, 1, "f8", None),  # f == input size
    (2, 4, 6, 2, 1, 2, "f8", None),  # f == 1
    (1, 6, 6, 2, 2, 2, "f8", "neg"),  # all-negative windows
    (2, 5, 8, 3, 3, 2, "f4", "neg"),
    (1, 8, 5, 2, 4, 3, "int", None),
    (3, 5, 5, 1, 2, 1, "int", "neg"),
]


def _pool_inputs(rng, row):
    m, H, Wd, C, f, stride, dt, sign = row
    return _array(rng, (m, H, Wd, C), dt, sign), {"f": f, "stride": stride}


def _pool_id(row, mode):
    m, H, Wd, C, f, stride, dt, sign = row
    return f"A{(m, H, Wd, C)}-f{f}-s{stride}-{dt}{'-neg' if sign else ''}-{mode}"


def _pool_forward_cases():
    rng = np.random.default_rng(404)
    cases = []
    for row in POOL_TABLE[:10]:
        A_prev, hp = _pool_inputs(rng, row)
        for mode in ("max", "average"):
            cases.append(Case(_pool_id(row, mode), (A_prev, hp), {"mode": mode}, tol=_tol(row[6])))
    return cases


def _pool_backward_cases():
    rng = np.random.default_rng(808)
    cases = []
    for row in POOL_TABLE[1:]:
        A_prev, hp = _pool_inputs(rng, row)
        A, _ = ORACLE["pool_forward"](A_prev, hp)
        dt = "f4" if row[6] == "f4" else "f8"
        for mode in ("max", "average"):
            dA = _array(rng, A.shape, dt)
            cases.append(Case(_pool_id(row, mode), (dA, (A_prev, hp)), {"mode": mode}, tol=_tol(row[6])))
    return cases


def _create_mask_cases():
    rng = np.random.default_rng(606)
    table = [  # (shape, dtype, sign)
        ((2, 3), "f8", None),
        ((1, 1), "f8", None),
        ((3, 3), "f8", None),
        ((2, 2), "f8", None),
        ((4, 1), "f8", None),
        ((1, 5), "f8", None),
        ((3, 4), "f8", None),
        ((2, 2), "f8", "neg"),
        ((3, 3), "f8", "neg"),
        ((4, 4), "f4", None),
        ((2, 5), "f4", "neg"),
        ((3, 2), "f8", None),
        ((5, 5), "f8", None),
        ((1, 3), "f8", "neg"),
        ((6, 2), "f8", None),
        ((2, 3), "int", None),
    ]
    cases = [Case(f"x{shape}-{dt}{'-neg' if s else ''}", (_array(rng, shape, dt, s),)) for shape, dt, s in table]
    # deterministic ties (integers): every maximal entry must be marked
    cases.append(Case("int-tie-2x2", (np.array([[1, 3], [3, 0]]),)))
    cases.append(Case("int-tie-3x3-neg", (np.array([[-2, -5, -2], [-7, -3, -2], [-4, -9, -8]]),)))
    cases.append(Case("int-all-equal", (np.full((2, 2), 4),)))
    cases.append(
        Case("published", (np.array([[1.62434536, -0.61175641, -0.52817175], [-1.07296862, 0.86540763, -2.3015387]]),))
    )
    return cases


def _distribute_value_cases():
    table = [
        (2, (2, 2)),
        (1.0, (1, 1)),
        (3.5, (3, 2)),
        (-1.2, (2, 5)),
        (0.7, (4, 4)),
        (5, (3, 3)),
        (np.float64(2.25), (2, 3)),
        (np.float32(1.5), (2, 2)),
        (4, (1, 3)),
        (-7, (7, 1)),
        (0.0, (2, 2)),
        (9.0, (3, 1)),
        (1, (2, 2)),
        (-0.3, (5, 5)),
        (6, (2, 4)),
        (2.5, (1, 2)),
        (np.float64(-4.0), (4, 2)),
        (10, (3, 4)),
        (np.int64(3), (2, 2)),
        (0.125, (6, 6)),
    ]
    return [
        Case(f"dz{dz!r}-shape{shape}", (dz, shape), tol=dict(F32) if isinstance(dz, np.float32) else dict(F64))
        for dz, shape in table
    ]


CASES = {
    "zero_pad": _zero_pad_cases(),
    "conv_single_step": _conv_single_step_cases(),
    "conv_forward": _conv_forward_cases(),
    "pool_forward": _pool_forward_cases(),
    "conv_backward": _conv_backward_cases(),
    "create_mask_from_window": _create_mask_cases(),
    "distribute_value": _distribute_value_cases(),
    "pool_backward": _pool_backward_cases(),
}
EXPECTED = {fn: [ORACLE[fn](*copy.deepcopy(c.args), **c.kwargs) for c in cases] for fn, cases in CASES.items()}


# --------------------------------------------------------------------------- comparison
def _mismatch(expected, got, tol, where="result"):
    """None when ``got`` matches ``expected``, else a short reason."""
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"{where}: expected a tuple of {len(expected)}, got {type(got).__name__}"
        for k, (e, g) in enumerate(zip(expected, got)):
            reason = _mismatch(e, g, tol, f"{where}[{k}]")
            if reason:
                return reason
        return None
    if isinstance(expected, dict):
        return None if got == expected else f"{where}: dict differs"
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{where}: not numeric ({type(got).__name__})"
    e = np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        return f"{where}: shape {g.shape} != {e.shape}"
    if not np.allclose(g, e, **tol):
        return f"{where}: values differ (max abs diff {np.max(np.abs(g - e)):.3g})"
    return None


def _inputs_changed(before, after):
    if isinstance(before, (tuple, list)):
        return any(_inputs_changed(b, a) for b, a in zip(before, after))
    if isinstance(before, dict):
        return before != after
    return not np.array_equal(np.asarray(before), np.asarray(after))


# --------------------------------------------------------------------------- tests
def test_corpus_size():
    assert len(BUGS) >= 34 and len(CORRECT) >= 6
    assert len(APPLICATION_BUGS) >= 28 and len(APPLICATION_CORRECT) >= 8
    for fn in EXERCISES:
        assert sum(v.function == fn for v in ALL_BUGS) >= 2, fn
    for fn in ("conv_forward", "pool_forward", "conv_backward", "pool_backward"):
        assert sum(v.function == fn for v in BUGS) >= 4, fn
    assert len({v.name for v in ALL_BUGS + ALL_CORRECT}) == len(ALL_BUGS) + len(ALL_CORRECT)


def test_case_tables_are_big_enough():
    assert set(CASES) | APPLICATION == set(EXERCISES)
    for fn in CASES:
        assert len(CASES[fn]) >= 18, fn


def test_oracle_reproduces_published_numbers():
    rs = np.random.RandomState(1)
    a, W, b = rs.randn(4, 4, 3), rs.randn(4, 4, 3), rs.randn(1, 1, 1)
    assert np.isclose(ORACLE["conv_single_step"](a, W, b), -6.99908945068)
    rs = np.random.RandomState(1)
    A_prev, W, b = rs.randn(10, 4, 4, 3), rs.randn(2, 2, 3, 8), rs.randn(1, 1, 1, 8)
    Z, cache = ORACLE["conv_forward"](A_prev, W, b, {"pad": 2, "stride": 2})
    assert np.isclose(Z.mean(), 0.0489952035289)
    dA, dW, db = ORACLE["conv_backward"](Z, cache)
    assert np.allclose([dA.mean(), dW.mean(), db.mean()], [1.45243777754, 1.72699145831, 7.83923256462])
    rs = np.random.RandomState(1)
    A, _ = ORACLE["pool_forward"](rs.randn(2, 4, 4, 3), {"stride": 2, "f": 3}, mode="average")
    assert np.allclose(A.ravel(), [0.02105773, -0.20328806, -0.40389855, -0.22154621, 0.51716526, 0.48155844])


@pytest.mark.parametrize("variant", ALL_BUGS + ALL_CORRECT + NOISY, ids=lambda v: v.name)
def test_variant_file_is_well_formed(variant):
    assert variant.description and "\n" not in variant.description
    first_line = variant.source.splitlines()[0]
    assert first_line.startswith('"""') and first_line.endswith('"""') and len(first_line) > 6, (
        "the module docstring must be a single line"
    )
    assert "import numpy as np" in variant.source
    ns = make_namespace(variant)  # must exec cleanly ("no bugs that raise on import")
    fn = ns[variant.function]
    assert fn.__code__.co_filename == str(variant.path), "variant did not replace the reference function"
    ref_params = list(inspect.signature(ORACLE[variant.function]).parameters)
    assert list(inspect.signature(fn).parameters) == ref_params


@pytest.mark.parametrize("variant", CORRECT, ids=lambda v: v.name)
def test_correct_variant_matches_oracle(variant, capsys):
    fn = make_namespace(variant)[variant.function]
    for case, expected in zip(CASES[variant.function], EXPECTED[variant.function]):
        args = copy.deepcopy(case.args)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = fn(*args, **case.kwargs)
        reason = _mismatch(expected, got, case.tol)
        assert reason is None, f"{variant.name} on {case.id}: {reason}"
        assert not _inputs_changed(case.args, args), f"{variant.name} modified its inputs on {case.id}"
    out, err = capsys.readouterr()
    assert out == "" and err == "", f"{variant.name} wrote output: {out!r} {err!r}"


@pytest.mark.parametrize("variant", NOISY, ids=lambda v: v.name)
def test_noisy_variant_matches_oracle_and_is_noisy(variant, capsys):
    fn = make_namespace(variant)[variant.function]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for case, expected in zip(CASES[variant.function], EXPECTED[variant.function]):
            got = fn(*copy.deepcopy(case.args), **case.kwargs)
            reason = _mismatch(expected, got, case.tol)
            assert reason is None, f"{variant.name} on {case.id}: {reason}"
    out, err = capsys.readouterr()
    assert caught or out or err, f"{variant.name} is supposed to print or warn"


@pytest.mark.parametrize("variant", BUGS, ids=lambda v: v.name)
def test_bug_variant_is_caught(variant):
    fn = make_namespace(variant)[variant.function]
    for case, expected in zip(CASES[variant.function], EXPECTED[variant.function]):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                got = fn(*copy.deepcopy(case.args), **case.kwargs)
        except NameError:  # a typo in the corpus file, not the bug it describes
            raise
        except Exception:
            return  # caught: raising is a detectable failure
        if _mismatch(expected, got, case.tol):
            return  # caught: differs from the oracle
    pytest.fail(
        f"{variant.name} ({variant.description}) matches the oracle on all {len(CASES[variant.function])} cases"
    )


# --------------------------------------------------------------------------- the application's variants
SPEED_BUGS = ("__four_loops", "__loop_over_examples")  # right values, too slow: only the speed part may cost points


@pytest.mark.parametrize("variant", APPLICATION_CORRECT, ids=lambda v: v.name)
def test_correct_application_variant_passes_every_part(variant, tmp_path, capsys):
    """Judged as the grader judges it (speed parts aside), in a copy of the assignment's folder."""
    folder = shutil.copytree(exercises.find(variant.function)[1].folder, tmp_path / "a")
    results, outcomes = judge_in_process(variant.function, make_namespace(variant), folder)
    assert [r["message"] for r in results if not r["passed"]] == []
    assert all(not o["notes"] for o in outcomes.values()), [o["notes"] for o in outcomes.values()]
    out, err = capsys.readouterr()
    assert out == "" and err == "", f"{variant.name} wrote output: {out!r} {err!r}"


@pytest.mark.parametrize("variant", APPLICATION_BUGS, ids=lambda v: v.name)
def test_application_bug_variant_fails_a_part(variant, tmp_path):
    """A bug fails at least one part; a loop version fails none but the speed part the grader times."""
    folder = shutil.copytree(exercises.find(variant.function)[1].folder, tmp_path / "a")
    results, _ = judge_in_process(variant.function, make_namespace(variant), folder)
    failed = [r["title"] for r in results if not r["passed"]]
    if variant.name.endswith(SPEED_BUGS):
        assert failed == [], f"{variant.name} must lose points on speed only"
        assert any(p.speed for p in exercises.find(variant.function)[1].parts)
    else:
        assert failed, f"{variant.name} ({variant.description}) passes every part"
