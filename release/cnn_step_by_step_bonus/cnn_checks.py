"""The checks of the course's exercises: they run your functions, compare what comes back with what
should come back, and explain any difference.

This file ships with the notebook (as ``cnn_checks.py``), beside ``cnn_checks.json``, which holds
the visible cases and their expected values. You do not need to read it to do the assignment, but
you may: it holds no solutions.

A test cell calls ``check("conv_forward")``. Your function runs on the published example and on
small cases chosen to catch the mistakes the lesson warns about, and a *scorecard* shows one line
per part of the exercise: a tick or a cross, the points the part is worth and, for a cross, which
call failed, what was expected, what came back and a hint. Each part is worth a share of the
exercise's points, so a function with the right shapes but wrong values still earns something.

When your notebook is graded, the grader calls your functions on more cases (other sizes,
strides, paddings) and scores what they return outside your notebook, with its own copy of this
file: the scorecards in your graded notebook are written by the grader, not by your notebook.
While an exercise is graded, the functions it builds on (``zero_pad`` under ``conv_forward``, say)
are replaced by correct ones, so a mistake costs points in its own exercise only.

Everything here uses only the Python standard library and NumPy.
"""

import base64
import contextlib
import html
import io
import json
import math
import os
import sys
import textwrap
import traceback
import warnings

import numpy as np

# ------------------------------------------------------------------------------------------------
# Values on the wire: what crosses between the grader and a notebook's kernel, as JSON
# ------------------------------------------------------------------------------------------------

RESULT_MIME = "text/x.cnn-checks-result"  # the MIME type of a result handed back by the kernel
MAX_DEPTH = 16  # nesting of tuples, lists and dicts in a value
MAX_ITEMS = 10_000  # items of one tuple, list or dict
MAX_ELEMENTS = 20_000_000  # elements of one array
MAX_BYTES = 256 * 2**20  # decoded bytes of one value
NUMERIC_KINDS = "biufc"  # bool, signed and unsigned integers, floats, complex


class Malformed(ValueError):
    """A value on the wire does not follow the format (or exceeds its limits)."""


def encode(value, depth=0):
    """``value`` as JSON-ready data: arrays (as base64 bytes), numbers, strings, None, and tuples,
    lists and dicts of them. Anything else is encoded as the array NumPy makes of it, or as its
    type's name. Never raises."""
    try:
        return _encode(value, depth)
    except Exception as error:  # a value whose conversion fails is reported as such
        return {"t": "object", "type": type(value).__name__, "error": f"{type(error).__name__}: {error}"[:300]}


def _encode(value, depth):
    if depth > MAX_DEPTH:
        return {"t": "object", "type": type(value).__name__, "error": "nested too deeply"}
    if value is None:
        return {"t": "none"}
    if isinstance(value, bool):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, int) and not isinstance(value, np.generic):
        return {"t": "int", "v": str(int(value))[:200]}
    if isinstance(value, float) and not isinstance(value, np.generic):
        return {"t": "float", "v": repr(float(value))}
    if isinstance(value, str):
        return {"t": "str", "v": str(value)[:20_000]}
    if isinstance(value, bytes):
        return {"t": "bytes", "v": base64.b64encode(bytes(value[:20_000])).decode("ascii")}
    if isinstance(value, (tuple, list)):
        kind = "tuple" if isinstance(value, tuple) else "list"
        items = list(value)
        if len(items) > MAX_ITEMS:
            return {"t": "object", "type": kind, "error": f"{len(items)} items"}
        return {"t": kind, "v": [encode(item, depth + 1) for item in items]}
    if isinstance(value, dict):
        items = list(value.items())
        if len(items) > MAX_ITEMS:
            return {"t": "object", "type": "dict", "error": f"{len(items)} items"}
        return {"t": "dict", "v": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in items]}
    array = np.asarray(value)
    if array.dtype.kind not in NUMERIC_KINDS:
        return {"t": "object", "type": type(value).__name__, "repr": repr(value)[:200]}
    array = array.astype(array.dtype.newbyteorder("<"), order="C")  # keeps 0-d arrays 0-d
    encoded = {"t": "array", "dtype": array.dtype.str, "shape": list(array.shape)}
    if not isinstance(value, np.ndarray):
        encoded["from"] = type(value).__name__
    if array.size > MAX_ELEMENTS:
        return {**encoded, "t": "object", "type": "ndarray", "error": f"{array.size} elements"}
    return {**encoded, "data": base64.b64encode(array.tobytes()).decode("ascii")}


def decode(data, depth=0, budget=None):
    """The value that ``encode`` made ``data`` from. Raises Malformed for anything else; a decoded
    value never holds more than MAX_BYTES of arrays."""
    budget = [MAX_BYTES] if budget is None else budget
    if depth > MAX_DEPTH + 1:
        raise Malformed("nested too deeply")
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise Malformed("not an encoded value")
    kind = data["t"]
    if kind == "none":
        return None
    if kind == "bool":
        return _typed(data.get("v"), bool)
    if kind == "int":
        text = _typed(data.get("v"), str)
        if len(text) > 200:
            raise Malformed("an integer with too many digits")
        return int(text)
    if kind == "float":
        return float(_typed(data.get("v"), str)[:40])
    if kind == "str":
        return _typed(data.get("v"), str)[:20_000]
    if kind == "bytes":
        return base64.b64decode(_typed(data.get("v"), str), validate=True)[:20_000]
    if kind in ("tuple", "list"):
        items = _typed(data.get("v"), list)
        if len(items) > MAX_ITEMS:
            raise Malformed("too many items")
        values = [decode(item, depth + 1, budget) for item in items]
        return tuple(values) if kind == "tuple" else values
    if kind == "dict":
        pairs = _typed(data.get("v"), list)
        if len(pairs) > MAX_ITEMS:
            raise Malformed("too many items")
        result = {}
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise Malformed("a dict item is not a pair")
            key = decode(pair[0], depth + 1, budget)
            try:
                result[key] = decode(pair[1], depth + 1, budget)
            except TypeError:
                raise Malformed("a dict key that cannot be a key") from None
        return result
    if kind == "array":
        return _decode_array(data, budget)
    if kind == "object":
        return Opaque(str(data.get("type", "?"))[:80], str(data.get("error") or data.get("repr") or "")[:300])
    raise Malformed(f"unknown kind {kind[:20]!r}")


def _typed(value, kind):
    if not isinstance(value, kind):
        raise Malformed(f"expected {kind.__name__}")
    return value


def _decode_array(data, budget):
    try:
        dtype = np.dtype(_typed(data.get("dtype"), str))
    except TypeError:
        raise Malformed("an unknown dtype") from None
    shape = _typed(data.get("shape"), list)
    if dtype.kind not in NUMERIC_KINDS or dtype.hasobject or len(shape) > 32:
        raise Malformed("not a numeric array")
    if not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_ELEMENTS for n in shape):
        raise Malformed("a bad shape")
    size = math.prod(shape)
    if size > MAX_ELEMENTS or size * dtype.itemsize > budget[0]:
        raise Malformed("an array that is too large")
    raw = base64.b64decode(_typed(data.get("data"), str), validate=True)
    if len(raw) != size * dtype.itemsize:
        raise Malformed("array bytes do not match its shape")
    budget[0] -= len(raw)
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


class Opaque:
    """A returned value that could not cross as data (an object that is not a number, an array, a
    string or a container of those): only its type's name is known."""

    def __init__(self, type_name, detail=""):
        self.type_name, self.detail = type_name, detail

    def __repr__(self):
        return f"<{self.type_name}{': ' + self.detail if self.detail else ''}>"


# ------------------------------------------------------------------------------------------------
# Timed calls: inputs made from a seed, results handed back as a digest
# ------------------------------------------------------------------------------------------------

DIGEST_SUMS = 4  # weighted sums of each array of a digest
DIGEST_SAMPLES = 16  # entries of each array a digest holds
DIGEST_ROW = 1024  # the weight of entry r * DIGEST_ROW + j is u[r] * v[j]: two short random vectors, one product


def generate(spec, seed):
    """The arguments ``(args, kwargs)`` that ``spec`` describes, drawn from ``np.random.default_rng(seed)``:
    ``spec`` is ``{"args": [...], "kwargs": {...}}`` whose items are plain values, ``{"normal": shape,
    "scale": s}`` (an array of standard normal values times s) or ``{"tuple": [...]}``. The grader and the
    kernel make the same arguments from the same seed, so that only the seed crosses between them."""
    numbers = np.random.default_rng(seed)

    def make(item):
        if isinstance(item, dict) and "normal" in item:
            return numbers.standard_normal(tuple(int(n) for n in item["normal"])) * float(item.get("scale", 1.0))
        if isinstance(item, dict) and "tuple" in item:
            return tuple(make(value) for value in item["tuple"])
        return item

    args = tuple(make(item) for item in spec.get("args", []))
    kwargs = {str(key): make(value) for key, value in spec.get("kwargs", {}).items()}
    return args, kwargs


def digest(value, picks, seed):
    """A small summary of the arrays at ``picks`` of a returned value, enough to tell a right result
    from a wrong one without handing back the arrays: for each, its shape, DIGEST_SUMS sums of all its
    entries, each entry weighted by a product of two random normal numbers (one of its row of
    DIGEST_ROW entries, one of its place in the row), and DIGEST_SAMPLES of its entries at random
    places, all drawn from ``np.random.default_rng(seed)`` (a new seed for every call): a sum is right
    only if every entry is, unless errors cancel by chance. A pick that is not an array of numbers
    gives ``{"error": why}``."""
    rng, found = np.random.default_rng(seed), []
    for path in picks:
        try:
            item = value
            for index in path:
                item = item[index]
            array = np.asarray(item)
            if array.dtype.kind not in "biuf" or array.size == 0:
                raise TypeError(f"not an array of real numbers ({describe(item)})")
            flat = array.astype(np.float64).reshape(-1)
            rows = -(-flat.size // DIGEST_ROW)
            grid = np.zeros(rows * DIGEST_ROW)
            grid[: flat.size] = flat
            grid = grid.reshape(rows, DIGEST_ROW)
            u, v = rng.standard_normal((rows, DIGEST_SUMS)), rng.standard_normal((DIGEST_ROW, DIGEST_SUMS))
            places = rng.integers(0, flat.size, DIGEST_SAMPLES)
            found.append(
                {
                    "shape": [int(n) for n in array.shape],
                    "sums": np.sum(u * (grid @ v), axis=0),
                    "scale": np.sum(np.abs(u) * (np.abs(grid) @ np.abs(v)), axis=0),
                    "samples": flat[places],
                }
            )
        except Exception as error:  # the student's value: anything may fail on it
            found.append({"error": f"{type(error).__name__}: {error}"[:300]})
    return found


# ------------------------------------------------------------------------------------------------
# Describing values and calls
# ------------------------------------------------------------------------------------------------


def describe(value, limit=70):
    """A short description: arrays by shape and dtype, containers item by item, the rest by repr."""
    if isinstance(value, np.ndarray):
        return f"array {value.shape} {value.dtype}" if value.ndim else f"{value.dtype} {value.item()!r}"
    if isinstance(value, tuple):
        text = "(" + ", ".join(describe(v, limit) for v in value) + ("," if len(value) == 1 else "") + ")"
    elif isinstance(value, list) and any(isinstance(v, np.ndarray) for v in value):
        text = "[" + ", ".join(describe(v, limit) for v in value) + "]"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def call_text(function, args=(), kwargs=None, params=()):
    """A call for a message, e.g. ``conv_forward(A_prev=array (2, 5, 7, 3) float64, ...)``: array
    arguments by shape, the others by value, named after ``params`` when given."""
    parts = []
    for index, value in enumerate(args):
        name = params[index] if index < len(params) else ""
        parts.append(f"{name}={describe(value)}" if name else describe(value))
    parts += [f"{name}={describe(value)}" for name, value in (kwargs or {}).items()]
    return f"{function}({', '.join(parts)})"


def points_text(points):
    """``1 point``, ``2.5 points``."""
    return f"{points:g} point" + ("" if points == 1 else "s")


# ------------------------------------------------------------------------------------------------
# Exceptions: what was raised, and where in the notebook
# ------------------------------------------------------------------------------------------------


def _in_notebook(filename):
    """Whether code comes from a notebook cell (ipykernel names cells ``.../ipykernel_PID/HASH.py``)."""
    return "/ipykernel_" in filename or filename.startswith(("<ipython-input", "<cell"))


def explain_exception(error):
    """What an exception raised by a student's function says: ``{"type", "message", "function",
    "line", "text"}``, where function, line and text locate the innermost line of notebook code
    that was running (the line of its cell, counted from 1)."""
    info = {"type": type(error).__name__, "message": str(error)[:500]}
    try:
        frames = traceback.extract_tb(error.__traceback__)
    except Exception:
        frames = []
    for frame in reversed(frames):
        if _in_notebook(frame.filename or ""):
            info.update(function=frame.name, line=frame.lineno, text=(frame.line or "").strip()[:200])
            break
    return info


# ------------------------------------------------------------------------------------------------
# Comparing what came back with what was expected
# ------------------------------------------------------------------------------------------------


class CheckFailed(AssertionError):
    """A check did not pass. The message is written for the student."""


def _hint(hint):
    return f"\n  Hint: {hint}" if hint else ""


def as_array(got, what, call):
    """``got`` as a numeric NumPy array, or CheckFailed saying why it is not one."""
    if got is None:
        raise CheckFailed(f"{call} gave None for {what}.\n  Hint: did you forget a `return`?")
    if isinstance(got, Opaque):
        raise CheckFailed(f"{call}: {what} is a {got.type_name}, not an array of numbers {got!r}.")
    try:
        array = np.asarray(got)
    except Exception as error:
        raise CheckFailed(f"{call}: {what} could not be turned into a NumPy array ({error}).") from None
    if array.dtype.kind not in NUMERIC_KINDS:
        raise CheckFailed(f"{call}: {what} is not an array of numbers (got {describe(got)}).")
    return array


def pick(value, path, returns, call):
    """The part of a returned value a check looks at: ``path`` indexes tuples (``[1, 0]`` is
    ``value[1][0]``); ``returns`` names the expected structure in messages, e.g. ``(Z, cache)``."""
    for depth, index in enumerate(path):
        if not isinstance(value, (tuple, list)) or not -len(value) <= index < len(value):
            where = "returned" if depth == 0 else f"returned a {returns} whose item {path[depth - 1]} is"
            raise CheckFailed(
                f"{call} {where} {describe(value)}; expected {returns}.\n"
                f"  Hint: check what your function returns (the docstring says it)."
            )
        value = value[index]
    return value


def compare(check, got, expected, call):
    """Raise CheckFailed unless ``got`` passes ``check`` (a dict with ``kind``, ``what``, ``hint``
    and options) against ``expected``."""
    kind, what, hint = check["kind"], check.get("what", "the result"), check.get("hint", "")
    if kind == "shape":
        _expect_shape(got, np.shape(expected), what, call, hint)
    elif kind == "close":
        _expect_close(got, expected, what, call, hint, check)
    elif kind == "equal":
        _expect_equal(got, expected, what, call, hint)
    elif kind == "number":
        _expect_number(got, expected, what, call, hint, check)
    elif kind == "scalar":
        _expect_scalar(got, None, what, call, hint, check)
    elif kind == "same":
        if not _same(got, expected):
            raise CheckFailed(f"{call}: {what} is {describe(got)}, expected {describe(expected)}.{_hint(hint)}")
    elif kind == "length":
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            raise CheckFailed(
                f"{call}: {what} should be a tuple of {len(expected)} items, got {describe(got)}.{_hint(hint)}"
            )
    elif kind == "integer":
        array = as_array(got, what, call)
        if array.dtype.kind not in "iu":
            raise CheckFailed(
                f"{call}: {what} holds {array.dtype} values; expected integers (a dtype int or uint).{_hint(hint)}"
            )
    elif kind == "dtype":
        array, want = as_array(got, what, call), np.asarray(expected).dtype
        if array.dtype != want:
            raise CheckFailed(f"{call}: {what} holds {array.dtype} values; expected {want}.{_hint(hint)}")
    elif kind == "at_least":
        value = _expect_scalar(got, None, what, call, hint, check)
        if not value >= expected:
            raise CheckFailed(f"{call}: {what} is {value:.4g}, it must be at least {expected:.4g}.{_hint(hint)}")
    else:
        raise ValueError(f"unknown check kind {kind!r}")


def _same(got, expected):
    """Equality of plain data (dicts, tuples, numbers, strings) without trusting ``got``'s own ``==``."""
    if type(got) is not type(expected) and not (isinstance(got, (int, float)) and isinstance(expected, (int, float))):
        return False
    if isinstance(expected, dict):
        return set(got) == set(expected) and all(_same(got[k], expected[k]) for k in expected)
    if isinstance(expected, (tuple, list)):
        return len(got) == len(expected) and all(_same(g, e) for g, e in zip(got, expected))
    if isinstance(expected, np.ndarray):
        return got.shape == expected.shape and bool(np.array_equal(got, expected))
    return got == expected


def _expect_shape(got, shape, what, call, hint):
    array = as_array(got, what, call)
    if array.shape != tuple(shape):
        raise CheckFailed(f"{call}: {what} has shape {array.shape}, expected {tuple(shape)}.{_hint(hint)}")
    return array


def _where(index, names):
    if names and len(names) == len(index):
        return ", ".join(f"{n}={i}" for n, i in zip(names, index))
    return ", ".join(str(i) for i in index)


def _expect_close(got, expected, what, call, hint, options):
    """Shape, then values within tolerances that accept any order of summation: the absolute
    tolerance is scaled by the largest expected magnitude. Names the first differing index."""
    expected = np.asarray(expected, dtype=float)
    array = _expect_shape(got, expected.shape, what, call, hint)
    if array.dtype.kind == "c":
        raise CheckFailed(f"{call}: {what} holds complex numbers; expected real ones.{_hint(hint)}")
    array = array.astype(float)
    rtol, atol = options.get("rtol", 1e-6), options.get("atol", 1e-7)
    scale = max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    close = np.isclose(array, expected, rtol=rtol, atol=atol * scale)
    if close.all():
        return
    names = options.get("index_names")
    if np.isnan(array).any() and not np.isnan(expected).any():
        first = tuple(int(i) for i in np.argwhere(np.isnan(array))[0])
        raise CheckFailed(f"{call}: {what} contains NaN (first at [{_where(first, names)}]).{_hint(hint)}")
    if array.ndim == 0:
        raise CheckFailed(
            f"{call}: {what} is {float(array):.10g}, expected {float(expected):.10g} "
            f"(off by {abs(float(array) - float(expected)):.3g}).{_hint(hint)}"
        )
    wrong = np.argwhere(~close)
    first = tuple(int(i) for i in wrong[0])
    error = float(np.nanmax(np.abs(array - expected)))
    raise CheckFailed(
        f"{call}: {what} has the right shape {array.shape} but wrong values at {len(wrong)} of {array.size} "
        f"positions.\n  First difference at [{_where(first, names)}]: expected {expected[first]:.8g}, "
        f"got {array[first]:.8g}. Largest error: {error:.3g}.{_hint(hint)}"
    )


def _expect_equal(got, expected, what, call, hint):
    expected = np.asarray(expected)
    array = _expect_shape(got, expected.shape, what, call, hint)
    if np.array_equal(array, expected):
        return
    first = tuple(int(i) for i in np.argwhere(array != expected)[0])
    raise CheckFailed(
        f"{call}: {what} differs at [{_where(first, None)}]: expected {expected[first]!r}, got {array[first]!r}."
        f"\n  Expected:\n{_grid(expected)}\n  Got:\n{_grid(array)}{_hint(hint)}"
    )


def _grid(array):
    return np.array2string(np.asarray(array), precision=8, max_line_width=100, threshold=200)


def _expect_number(got, expected, what, call, hint, options):
    """One number, whatever the shape that holds it, close to ``expected``."""
    array = as_array(got, what, call)
    if array.size != 1:
        raise CheckFailed(f"{call}: {what} should be one number, got an array of shape {array.shape}.{_hint(hint)}")
    _expect_close(array.reshape(()), expected, what, call, hint, options)


def _expect_scalar(got, expected, what, call, hint, options):
    """A single number (a Python or NumPy number, or an array of one element and no dimension)."""
    if got is None:
        raise CheckFailed(f"{call} returned None.\n  Hint: did you forget a `return`?")
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got.item()
    if isinstance(got, np.ndarray):
        raise CheckFailed(f"{call}: {what} should be a single number, got an array of shape {got.shape}.{_hint(hint)}")
    if isinstance(got, bool) or not isinstance(got, (int, float, complex)):
        raise CheckFailed(f"{call}: {what} should be a number, got {describe(got)}.{_hint(hint)}")
    if isinstance(got, complex):
        raise CheckFailed(f"{call}: {what} should be a real number, got {got!r}.{_hint(hint)}")
    if expected is not None and not np.isclose(
        got, expected, rtol=options.get("rtol", 1e-6), atol=options.get("atol", 1e-9)
    ):
        raise CheckFailed(
            f"{call}: {what} is {got:.10g}, expected {float(expected):.10g} "
            f"(off by {abs(got - float(expected)):.3g}).{_hint(hint)}"
        )
    return float(got)


# ------------------------------------------------------------------------------------------------
# Judging an exercise: its parts, from the outcome of every call
# ------------------------------------------------------------------------------------------------
# An exercise's spec is a dict: function, number, points, params (argument names), returns (what
# it returns, e.g. "(Z, cache)"), optional, uses (earlier exercises it calls), parts, cases.
# A part: title, points, hidden, cases (case ids), checks, hint. A case: args, kwargs, show.
# The outcome of a call: {"returned": value} or {"raised": explain_exception(...)} or
# {"missing": reason}, with optional "notes" (warnings and stderr of the call).


def exercise_label(spec, function):
    """How messages name the exercise whose function is ``function`` ("exercise 1"), or ""."""
    return spec.get("labels", {}).get(function, "")


def outcome_message(spec, case, outcome, call):
    """The message for a call that did not return: it raised, or no result came back."""
    if "missing" in outcome:
        return f"{call}: {outcome['missing']}"
    raised = outcome["raised"]
    if raised.get("type") == "NotImplementedError":
        return f"{call}: not implemented yet. Replace `raise NotImplementedError()` with your code."
    message = f"{call} raised {raised.get('type', 'an error')}: {raised.get('message', '')}"
    function = raised.get("function")
    if function:
        label = exercise_label(spec, function)
        owner = f"your {function}" + (f" ({label})" if label else "")
        if label and function != spec["function"]:
            owner += f", called by your {spec['function']}"
        message += f"\n  in {owner}, line {raised.get('line')} of its cell: {raised.get('text', '')}"
    if raised.get("type") in ("TypeError", "ValueError") and "unpack" in raised.get("message", ""):
        message += f"\n  Hint: {spec['function']} returns {spec.get('returns', 'a value')}."
    return message


def judge(spec, outcomes, expected):
    """One result per part of ``spec``: ``{"title", "points", "hidden", "passed", "message",
    "notes", "failed", "cases"}``. ``outcomes`` and ``expected`` map case ids to the outcome of the
    student's call and to the reference's return value."""
    results = []
    for part in spec["parts"]:
        failures, notes = [], []
        for case_id in part["cases"]:
            case = spec["cases"][case_id]
            outcome = outcomes.get(case_id) or {
                "missing": "no result came back (the notebook stopped before this call)"
            }
            notes += [n for n in outcome.get("notes", []) if n not in notes]
            call = case.get("call") or call_text(spec["function"], case["args"], case["kwargs"], spec["params"])
            if "returned" not in outcome:  # raised: the part's hint, else its last check's (the values')
                hint = part.get("hint") or next((c["hint"] for c in reversed(part["checks"]) if c.get("hint")), "")
                failures.append(outcome_message(spec, case, outcome, call) + _hint(hint))
                continue
            try:
                for check in part["checks"]:
                    path = check.get("pick", [])
                    got = pick(outcome["returned"], path, spec.get("returns", "a value"), call)
                    want = pick(expected[case_id], path, spec.get("returns", "a value"), call)
                    compare({**check, **case.get("tolerance", {})}, got, want, call)
            except CheckFailed as failure:
                hint = part.get("hint", "")
                failures.append(f"{failure}{_hint(hint) if hint and hint not in str(failure) else ''}")
        message = failures[0] if failures else ""
        if len(failures) > 1:
            message = f"{len(failures)} of {len(part['cases'])} calls fail; the first:\n{message}"
        results.append(
            {
                "title": part["title"],
                "points": part["points"],
                "hidden": bool(part.get("hidden")),
                "passed": not failures,
                "message": message,
                "notes": notes[:5],
                "failed": len(failures),
                "cases": len(part["cases"]),
            }
        )
    return results


def not_attempted(outcomes):
    """Whether every call raised NotImplementedError (the stub of the release)."""
    raised = [o.get("raised", {}).get("type") for o in outcomes.values()]
    return bool(raised) and all(kind == "NotImplementedError" for kind in raised)


# ------------------------------------------------------------------------------------------------
# Scorecards
# ------------------------------------------------------------------------------------------------

GREEN, RED, AMBER, GREY = "#1a7f37", "#cf222e", "#9a6700", "#57606a"


class Card:
    """The scorecard of one exercise: its parts with their points, shown as an HTML table (and as
    text). ``graded`` cards hold every part and their score is the grade; a card shown while you
    work holds the visible parts only. ``blocked_by`` names earlier exercises whose own checks fail
    and that this one calls; ``untried`` says every call raised NotImplementedError."""

    def __init__(self, spec, results, graded, blocked_by=(), untried=False, remark=""):
        self.spec, self.results, self.graded = spec, results, graded
        self.blocked_by, self.untried, self.remark = list(blocked_by), untried, remark

    @property
    def score(self):
        """Points earned: the points of the parts that passed."""
        return round(sum(r["points"] for r in self.results if r["passed"]), 4)

    @property
    def checked_points(self):
        return round(sum(r["points"] for r in self.results), 4)

    @property
    def passed(self):
        return bool(self.results) and all(r["passed"] for r in self.results)

    @property
    def status(self):
        """ "passed", "failed", "blocked" (a helper fails its own checks) or "untried"."""
        if self.passed:
            return "passed"
        if self.untried:
            return "untried"
        return "blocked" if self.blocked_by else "failed"

    def headline(self):
        spec, points = self.spec, self.spec["points"]
        name = f"{spec['function']} (exercise {spec['number']}{', optional' if spec.get('optional') else ''})"
        if self.graded:
            return f"{name}: {self.score:g} / {points:g} points"
        hidden = points - self.checked_points
        later = (
            f" The other {hidden:g} points are checked on new inputs when your notebook is graded." if hidden else ""
        )
        if self.status == "passed":
            return f"{name}: the checks here pass ({self.checked_points:g} of its {points:g} points).{later}"
        if self.status == "untried":
            return f"{name}: not attempted yet. Replace `raise NotImplementedError()` with your code."
        if self.status == "blocked":
            helpers = ", ".join(self._helper_names())
            return (
                f"{name}: not checked yet: it calls {helpers}, whose own checks fail. Fix that first; "
                f"when graded, correct versions stand in for yours, so this exercise is judged on its own."
            )
        failed = sum(not r["passed"] for r in self.results)
        earned = f"{self.score:g} of {self.checked_points:g} points"
        return f"{name}: {failed} of {len(self.results)} checks here fail ({earned}).{later}"

    def _helper_names(self):
        return [f"your {h} ({exercise_label(self.spec, h)})" for h in self.blocked_by]

    def lines(self):
        """The card as plain text lines."""
        lines = [self.headline()]
        for r in self.results:
            mark = "PASS" if r["passed"] else "FAIL"
            lines.append(f"  [{mark}] {r['title']} ({points_text(r['points'])})")
            if r["message"] and self.status != "untried":
                lines += ["      " + line for line in r["message"].splitlines()]
            lines += [f"      note: {n}" for n in r["notes"]]
        if self.remark:
            lines.append(self.remark)
        return lines

    def __repr__(self):
        return "\n".join(self.lines())

    def _repr_html_(self):
        color = {"passed": GREEN, "failed": RED, "blocked": AMBER, "untried": GREY}[self.status]
        rows = []
        for r in self.results:
            mark, tint = ("&#10004;", GREEN) if r["passed"] else ("&#10008;", RED)
            if self.status in ("untried", "blocked") and not r["passed"]:
                mark, tint = "&#9675;", GREY
            detail = "" if self.status == "untried" else html.escape(r["message"])
            detail += "".join(f"\n<i>note: {html.escape(n)}</i>" for n in r["notes"])
            box = f"<pre style='white-space:pre-wrap;margin:2px 0;font-size:90%'>{detail}</pre>" if detail else ""
            rows.append(
                f"<tr><td style='color:{tint};font-size:1.2em;text-align:center;vertical-align:top'>{mark}</td>"
                f"<td style='text-align:left'>{html.escape(r['title'])} <small>({points_text(r['points'])})</small>"
                f"{box}</td></tr>"
            )
        remark = f"<small>{html.escape(self.remark)}</small>" if self.remark else ""
        return (
            f"<div class='cnn-scorecard' style='border-left:4px solid {color};padding-left:8px'>"
            f"<b style='color:{color}'>{html.escape(self.headline())}</b>"
            f"<table style='margin:4px 0'>{''.join(rows)}</table>{remark}</div>"
        )


# ------------------------------------------------------------------------------------------------
# In the notebook: check("zero_pad")
# ------------------------------------------------------------------------------------------------

DATA_FILE = "cnn_checks.json"
_SPECS = {}


class ChecksFailed(Exception):
    """Raised (shown, not propagated) when a test cell's checks fail; its traceback is the
    scorecard's text, which is what nbgrader's Validate button shows."""

    def __init__(self, lines):
        super().__init__(lines[0])
        self.lines = lines

    def _render_traceback_(self):
        """The lines, wrapped to 84 characters: Validate shows them in a box that cuts longer ones."""
        wrapped = []
        for line in self.lines:
            indent = " " * (len(line) - len(line.lstrip()))
            wrapped += textwrap.wrap(line, 84, subsequent_indent=indent + "  ", break_on_hyphens=False) or [""]
        return [f"\x1b[0;31m{wrapped[0]}\x1b[0m", *wrapped[1:]]


def load_specs(folder=None):
    """The visible specs of every exercise, from ``cnn_checks.json`` beside this file (or in
    ``folder``): ``{function: spec}`` with cases and expected values decoded."""
    folder = folder or os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(folder, DATA_FILE)
    if path not in _SPECS:
        try:
            with open(path, encoding="utf-8") as handle:
                raw = json.load(handle)
        except OSError:
            raise FileNotFoundError(
                f"{DATA_FILE} is missing: keep it beside the notebook and cnn_checks.py (it came with them)."
            ) from None
        _SPECS[path] = {name: spec_from_json(spec) for name, spec in raw["exercises"].items()}
    return _SPECS[path]


def spec_from_json(spec):
    """A spec from ``cnn_checks.json``: encoded arguments and expected values decoded."""
    cases = {
        cid: {
            **case,
            "args": decode(case["args"]),
            "kwargs": decode(case["kwargs"]),
            "then": [case["then"][0], decode(case["then"][1])] if case.get("then") else [],
        }
        for cid, case in spec["cases"].items()
    }
    expected = {cid: decode(value) for cid, value in spec["expected"].items()}
    return {**spec, "cases": cases, "expected": expected}


def _user_namespace():
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    return shell.user_ns if shell is not None else sys.modules["__main__"].__dict__


def call_student(function, case, namespace, copy=True):
    """Call the notebook's ``function`` on fresh copies of the case's arguments; return its outcome.
    A case with ``then`` (a function name and arguments) calls that function next, and its return
    value is the outcome (``save_params`` then ``load_params``, say). Warnings and anything written
    to stderr become notes (a test cell must never write to stderr: nbgrader scores such a cell 0).
    ``copy=False``: the arguments are fresh (made by ``generate``) and passed as they are."""
    steps = [(function, case["args"], case["kwargs"])]
    if case.get("then"):
        steps.append((case["then"][0], case["then"][1], {}))
    for name, *_ in steps:
        if not callable(namespace.get(name)):
            missing = f"no function named {name}: run the cell that defines it"
            return {"raised": {"type": "NameError", "message": missing}, "notes": []}
    stderr, notes = io.StringIO(), []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with np.errstate(all="warn"), contextlib.redirect_stderr(stderr):
                for name, args, kwargs in steps:
                    if copy:
                        args, kwargs = decode(encode(args)), decode(encode(kwargs))
                    outcome = {"returned": namespace[name](*args, **kwargs)}
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # the student's code may raise anything, SystemExit included
            outcome = {"raised": explain_exception(error)}
    notes += sorted({f"your code warned: {w.category.__name__}: {w.message}"[:300] for w in caught})
    if stderr.getvalue().strip():
        notes.append("your code wrote to stderr: " + stderr.getvalue().strip()[:300])
    return {**outcome, "notes": notes}


def _show(case, outcome):
    """Print what the lesson's "Expected output" shows for a published example."""
    if "returned" not in outcome or not case.get("show"):
        return
    scope = {"np": np, **dict(zip(case.get("names", ()), case["args"])), **case["kwargs"]}
    returned = outcome["returned"]
    names = case.get("result_names", ())
    if len(names) == 1:
        scope[names[0]] = returned
    elif names and isinstance(returned, tuple) and len(returned) == len(names):
        scope.update(zip(names, returned))
    for label, expression, fmt in case["show"]:
        try:
            value = eval(expression, {"__builtins__": {}}, scope)  # the instructor's expression
            text = format(value, fmt) if fmt else str(value)
        except Exception as error:
            text = f"(cannot show: {type(error).__name__}: {error})"
        print(f"{label} =\n{text}" if "\n" in text else f"{label} = {text}")


def check(function, folder=None):
    """Run the visible checks of the exercise whose function is ``function`` and show its
    scorecard. When a check fails, the cell also shows the card's text as an error, without
    stopping the cells after it (nbgrader's Validate reports it)."""
    specs = load_specs(folder)
    spec = specs[function]
    namespace = _user_namespace()
    outcomes = {}
    for case_id, case in spec["cases"].items():
        outcomes[case_id] = call_student(function, case, namespace)
        _show(case, outcomes[case_id])
    results = judge(spec, outcomes, spec["expected"])
    untried = not_attempted(outcomes)
    blocked = []
    if not untried and not all(r["passed"] for r in results):
        blocked = [
            h for h in spec.get("uses", ()) if h in specs and h in namespace and not _passes(specs[h], namespace)
        ]
    card = Card(spec, results, graded=False, blocked_by=blocked, untried=untried)
    _display(card)
    if card.status == "failed" or (card.status == "untried" and not spec.get("optional")):
        _report_failure(card)
    return None


def _passes(spec, namespace):
    outcomes = {cid: call_student(spec["function"], case, namespace) for cid, case in spec["cases"].items()}
    return all(r["passed"] for r in judge(spec, outcomes, spec["expected"]))


def _display(card):
    try:
        from IPython.display import display

        display(card)
    except ImportError:
        print(repr(card))


def _report_failure(card):
    error = ChecksFailed(card.lines())
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is None:
        print("\n".join(card.lines()), file=sys.stdout)
        return
    try:
        raise error
    except ChecksFailed:
        shell.showtraceback()


# ------------------------------------------------------------------------------------------------
# Checking a gradient yourself
# ------------------------------------------------------------------------------------------------


def numerical_gradient(loss, x, entries, eps=1e-5):
    """Centered finite differences of the number ``loss()`` with respect to some entries of the
    array ``x``: ``(loss() at x + eps - loss() at x - eps) / (2 eps)`` for each index tuple of
    ``entries``. ``x`` is changed in place while this runs, and restored."""
    grads = []
    for index in entries:
        old = x[index]
        x[index] = old + eps
        plus = loss()
        x[index] = old - eps
        minus = loss()
        x[index] = old
        grads.append((plus - minus) / (2 * eps))
    return np.array(grads)


def relative_error(a, b):
    """``|a - b| / (|a| + |b|)`` with norms over all entries; 0 when both are zero."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


# ------------------------------------------------------------------------------------------------
# In the grader's probe: call the notebook's functions and hand back what they returned
# ------------------------------------------------------------------------------------------------


def run_probe(request, namespace, publish=None):
    """Call ``request["function"]`` of the notebook on each case and publish each outcome as soon
    as it is known, as a display message of type RESULT_MIME. Functions in ``request["lend"]``
    (name -> source of a correct version) stand in for the notebook's own during the calls.

    This runs inside the student's kernel, so the grader trusts nothing it publishes: it only
    reads the values as what the student's function returned."""
    publish = publish or _publish
    saved = {name: namespace.get(name, _ABSENT) for name in request.get("lend", {})}
    try:
        for name, source in request.get("lend", {}).items():  # defined in the notebook, calling its functions
            exec(compile(source, f"<correct {name}, lent by the grader>", "exec"), namespace)
        for case in request["cases"]:
            try:
                if case.get("generate"):  # a timed call: its arguments made here from a seed
                    args, kwargs = generate(case["generate"]["spec"], case["generate"]["seed"])
                    case_data = {"args": args, "kwargs": kwargs}
                else:
                    case_data = {"args": decode(case["args"]), "kwargs": decode(case["kwargs"])}
                if case.get("then"):
                    case_data["then"] = [case["then"][0], decode(case["then"][1])]
                outcome = call_student(request["function"], case_data, namespace, copy=not case.get("generate"))
                message = {"function": request["function"], "case": case["id"], "notes": outcome.get("notes", [])}
                if "returned" in outcome and case.get("digest"):  # a timed call's result: only its digest
                    found = digest(outcome["returned"], case["digest"]["picks"], case["digest"]["seed"])
                    message["returned"] = encode(found)
                elif "returned" in outcome:
                    message["returned"] = encode(outcome["returned"])
                else:
                    message["raised"] = outcome["raised"]
            except KeyboardInterrupt:  # the grader interrupted a call that ran out of time
                interrupted = {"type": "TimeoutError", "message": "interrupted"}
                publish({"function": request["function"], "case": case["id"], "raised": interrupted})
                return
            publish(message)
    finally:
        for name, value in saved.items():
            if value is _ABSENT:
                namespace.pop(name, None)
            else:
                namespace[name] = value


_ABSENT = object()


def _publish(message):
    from IPython.display import publish_display_data

    publish_display_data({RESULT_MIME: json.dumps(message)})
