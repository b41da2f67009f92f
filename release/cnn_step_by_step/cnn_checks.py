"""Checks used by the test cells of ``cnn_step_by_step.ipynb``.

This file ships with the notebook. You do not need to read it to do the assignment, but you may:
it holds no solutions, only the machinery that compares your functions' results with the
expected ones and explains what differs.

Every test cell builds a :class:`Scorecard`. A scorecard is made of *parts* (for example
"output shape" and "values"); each part is worth a share of the cell's points, so a function
with the right shapes but wrong values still earns the shape share. The cell shows the card as
a table: a green tick or a red cross per part, with a message that says what was called, what
was expected and what came back, and a hint at the usual cause.

When the notebook is graded, more parts run on inputs you have not seen (hidden tests). While
they run, the functions an exercise builds on (``zero_pad`` under ``conv_forward``, say) are
replaced by correct versions, so a mistake costs points in its own exercise only.
"""

import contextlib
import html
import io
import sys
import traceback
import warnings

import numpy as np

__all__ = [
    "CheckFailed",
    "Scorecard",
    "call_text",
    "expect_close",
    "expect_equal",
    "expect_scalar",
    "expect_gradient",
    "expect_result",
    "expect_shape",
    "numerical_gradient",
    "relative_error",
    "some_entries",
]


class CheckFailed(AssertionError):
    """A check did not pass. The message is written for the student."""


# ----------------------------------------------------------------------------------------------
# Describing values and calls
# ----------------------------------------------------------------------------------------------


def _describe(value):
    """A short description of an argument: arrays by shape and dtype, the rest by repr."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} ({value.dtype})"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def call_text(function_name, *args, **kwargs):
    """Render a call for a message, e.g. ``conv_forward(A_prev: shape (2, 5, 7, 3), ...)``."""
    parts = [_describe(a) for a in args]
    parts += [f"{k}={_describe(v)}" for k, v in kwargs.items()]
    return f"{function_name}({', '.join(parts)})"


def _fmt(x):
    return np.array2string(np.asarray(x), precision=8, suppress_small=False, max_line_width=100)


def _hint(hint):
    return f"\n  Hint: {hint}" if hint else ""


# ----------------------------------------------------------------------------------------------
# Expectations: each raises CheckFailed with a message a student can act on
# ----------------------------------------------------------------------------------------------


def _as_array(got, what, call):
    if got is None:
        raise CheckFailed(f"{call} returned None for {what}.\n  Hint: did you forget a `return`?")
    try:
        array = np.asarray(got)
    except Exception as error:  # noqa: BLE001 - any failure to convert is the student's value
        raise CheckFailed(f"{call}: {what} could not be turned into a NumPy array ({error}).") from None
    if array.dtype == object:
        raise CheckFailed(f"{call}: {what} is not a numeric array (got {type(got).__name__} holding objects).")
    return array


def expect_result(value, function_name, what="the result"):
    """Stop a part early, with a clear message, when an earlier part got no result to check."""
    if value is None:
        raise CheckFailed(f"No {what} to check: {function_name} failed above (see the first red line).")
    return value


def expect_shape(got, shape, what, call, hint=None):
    """Check that ``got`` is an array of the given ``shape``."""
    array = _as_array(got, what, call)
    shape = tuple(shape)
    if array.shape != shape:
        raise CheckFailed(f"{call}: {what} has shape {array.shape}, expected {shape}.{_hint(hint)}")
    return array


def relative_error(a, b):
    """``|a - b| / (|a| + |b|)`` with norms over all entries; 0 when both are zero."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def expect_close(got, expected, what, call, hint=None, rtol=1e-5, atol=1e-7, index_names=None):
    """Check shape and values of ``got`` against ``expected``.

    Tolerances accept any order of summation: the absolute tolerance is scaled by the largest
    expected magnitude. On failure the message names the first differing index (labelled with
    ``index_names`` such as ``("i", "h", "w", "c")``), both values and the largest error.
    """
    expected = np.asarray(expected, dtype=float)
    array = expect_shape(got, expected.shape, what, call, hint)
    if not np.issubdtype(array.dtype, np.number) and array.dtype != bool:
        raise CheckFailed(f"{call}: {what} has dtype {array.dtype}, expected numbers.")
    array = array.astype(float)
    if np.isnan(array).any() and not np.isnan(expected).any():
        first = tuple(int(i) for i in np.argwhere(np.isnan(array))[0])
        raise CheckFailed(f"{call}: {what} contains NaN (first at index {first}).{_hint(hint)}")
    scale = max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    close = np.isclose(array, expected, rtol=rtol, atol=atol * scale)
    if close.all():
        return array
    if array.ndim == 0:
        raise CheckFailed(
            f"{call}: {what} is {float(array):.10g}, expected {float(expected):.10g} "
            f"(off by {abs(float(array) - float(expected)):.3g}).{_hint(hint)}"
        )
    wrong = np.argwhere(~close)
    first = tuple(int(i) for i in wrong[0])
    if index_names and len(index_names) == len(first):
        where = ", ".join(f"{n}={i}" for n, i in zip(index_names, first))
    else:
        where = str(first)
    max_error = float(np.max(np.abs(array - expected)))
    raise CheckFailed(
        f"{call}: {what} has the right shape {array.shape} but wrong values at "
        f"{len(wrong)} of {array.size} positions.\n"
        f"  First difference at [{where}]: expected {expected[first]:.8g}, got {array[first]:.8g}."
        f"\n  Largest absolute error: {max_error:.3g}.{_hint(hint)}"
    )


def expect_equal(got, expected, what, call, hint=None):
    """Check an exact match (booleans, integers): shape first, then every entry."""
    expected = np.asarray(expected)
    array = expect_shape(got, expected.shape, what, call, hint)
    if np.array_equal(array, expected):
        return array
    first = tuple(int(i) for i in np.argwhere(array != expected)[0])
    raise CheckFailed(
        f"{call}: {what} differs at index {first}: expected {expected[first]!r}, "
        f"got {array[first]!r}.\n  Expected:\n{_fmt(expected)}\n  Got:\n{_fmt(array)}{_hint(hint)}"
    )


def expect_scalar(got, what, call, hint=None):
    """Check that ``got`` is a single number (Python or NumPy scalar, or a 0-d array)."""
    if got is None:
        raise CheckFailed(f"{call} returned None.\n  Hint: did you forget a `return`?")
    if np.ndim(got) != 0:
        raise CheckFailed(
            f"{call}: {what} should be a single number, got an array of shape {np.shape(got)}.{_hint(hint)}"
        )
    try:
        return float(got)
    except (TypeError, ValueError):
        raise CheckFailed(f"{call}: {what} should be a number, got {type(got).__name__}.") from None


# ----------------------------------------------------------------------------------------------
# The scorecard
# ----------------------------------------------------------------------------------------------

# Functions lent to the notebook by Scorecard.lend, to be given back (see Scorecard.give_back).
# A private copy of this module (see refuse_tampering) shares the list of the imported one.
_LENT = getattr(sys.modules.get("cnn_checks"), "_LENT", [])


def _give_back_everything():
    while _LENT:
        namespace, name, original, missing = _LENT.pop()
        if missing:
            namespace.pop(name, None)
        else:
            namespace[name] = original


def _student_frame(error):
    """The innermost traceback line that comes from a notebook cell, as ``(line, text)``."""
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        if "ipykernel" in frame.filename or frame.filename.startswith("<ipython-input"):
            return frame.lineno, (frame.line or "").strip()
    return None


def _explain_exception(error):
    if isinstance(error, NotImplementedError):
        return "Not implemented yet: replace `raise NotImplementedError()` with your code."
    message = f"Your code raised {type(error).__name__}: {error}"
    if isinstance(error, (TypeError, ValueError)) and "unpack" in str(error):
        message += "\n  Hint: check what your function returns: conv_forward and pool_forward return (result, cache)."
    where = _student_frame(error)
    if where:
        message += f"\n  at line {where[0]} of your cell: {where[1]}"
    return message


class Scorecard:
    """The result of one test cell: parts with weights, shown as a table.

    ``points`` must equal the points of the grade cell. The value nbgrader reads (the plain-text
    form of the card) is ``points * passed weight / total weight``, so partial credit follows the
    parts that pass. Use ``with card.part(title, weight): ...`` around each group of checks.
    """

    def __init__(self, exercise, points):
        _give_back_everything()  # an interrupted cell must not leave lent functions behind
        self.exercise = exercise
        self.points = points
        self.parts = []  # (title, weight, passed, message, notes)

    # -- running checks -------------------------------------------------------------------------
    @contextlib.contextmanager
    def part(self, title, weight):
        """Run the checks in the ``with`` block as one part worth ``weight``.

        Failures, exceptions from the student's code, warnings and anything written to stderr
        are caught and turned into the part's message: a test cell never fails because of a
        warning, and one failing part does not stop the others.
        """
        notes = []
        passed, message = True, ""
        stderr = io.StringIO()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                with np.errstate(all="ignore"), contextlib.redirect_stderr(stderr):
                    yield
            except CheckFailed as failure:
                passed, message = False, str(failure)
            except Exception as error:  # noqa: BLE001 - the student's code may raise anything
                passed, message = False, _explain_exception(error)
        for warning in caught:
            notes.append(f"warning from your code: {warning.category.__name__}: {warning.message}")
        if stderr.getvalue().strip():
            notes.append("your code wrote to stderr: " + stderr.getvalue().strip()[:300])
        self.parts.append((title, weight, passed, message, sorted(set(notes))))

    def lend(self, namespace, **functions):
        """Put correct ``functions`` into ``namespace`` (the notebook's globals) for a while.

        Used by the hidden tests so that an exercise is graded on its own: a bug in
        ``zero_pad`` must not cost points in ``conv_forward``. Undone by :meth:`give_back`.
        """
        for name, function in functions.items():
            missing = name not in namespace
            _LENT.append((namespace, name, namespace.get(name), missing))
            namespace[name] = function

    def give_back(self):
        """Restore the student's functions replaced by :meth:`lend`."""
        _give_back_everything()

    # -- results --------------------------------------------------------------------------------
    @property
    def score(self):
        total = sum(weight for _, weight, *_ in self.parts)
        if total == 0:
            return 0.0
        earned = sum(weight for _, weight, passed, *_ in self.parts if passed)
        return round(self.points * earned / total, 4)

    @property
    def passed(self):
        return bool(self.parts) and all(passed for _, _, passed, *_ in self.parts)

    def __repr__(self):
        # nbgrader reads this number as the cell's partial credit.
        return f"{self.score:g}"

    def _repr_html_(self):
        rows = []
        for title, _, passed, message, notes in self.parts:
            mark = "&#10004;" if passed else "&#10008;"
            color = "#1a7f37" if passed else "#cf222e"
            detail = html.escape(message)
            if notes:
                detail += "".join(f"<br><i>note: {html.escape(n)}</i>" for n in notes)
            box = f"<pre style='white-space:pre-wrap;margin:2px 0'>{detail}</pre>" if detail else ""
            rows.append(
                f"<tr><td style='color:{color};font-size:1.2em;text-align:center'>{mark}</td>"
                f"<td style='text-align:left'><b>{html.escape(title)}</b>{box}</td></tr>"
            )
        verdict = "all checks passed" if self.passed else "some checks failed"
        color = "#1a7f37" if self.passed else "#cf222e"
        return (
            f"<div style='border-left:4px solid {color};padding-left:8px'>"
            f"<b>{html.escape(self.exercise)}</b>: {self.score:g} / {self.points:g} points"
            f" &mdash; <span style='color:{color}'>{verdict}</span>"
            f"<table style='margin:4px 0'>{''.join(rows)}</table>"
            f"<small>{html.escape(self._coverage())}</small></div>"
        )

    def _coverage(self):
        """One line that says whether the hidden checks ran (their titles start with "hidden")."""
        hidden = sum(title.startswith("hidden") for title, *_ in self.parts)
        if hidden:
            return f"Graded: {len(self.parts)} parts, {hidden} of them on inputs you had not seen."
        return (
            "These are the visible checks. When your notebook is graded, more checks run on "
            "new inputs; the points above are then shared between all of them."
        )


# ----------------------------------------------------------------------------------------------
# Gradient checking
# ----------------------------------------------------------------------------------------------


def numerical_gradient(loss, x, entries, eps=1e-5):
    """Centered finite differences of the scalar ``loss()`` with respect to some entries of ``x``.

    ``x`` is changed in place and restored; ``entries`` is a list of index tuples. Returns the
    array of ``(loss(x + eps) - loss(x - eps)) / (2 eps)``, one value per entry.
    """
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


def some_entries(shape, count, rng):
    """Up to ``count`` distinct random index tuples of an array of ``shape``."""
    size = int(np.prod(shape))
    flat = rng.choice(size, size=min(count, size), replace=False)
    return [tuple(int(i) for i in np.unravel_index(k, shape)) for k in flat]


def expect_gradient(analytic, numeric, what, call, bound=1e-6, hint=None):
    """Check an analytic gradient against finite differences by relative error."""
    error = relative_error(analytic, numeric)
    if not error < bound:
        raise CheckFailed(
            f"{call}: {what} fails the finite-difference check: relative error {error:.2e} "
            f"(must be below {bound:.0e}).{_hint(hint)}"
        )
    return error


# ----------------------------------------------------------------------------------------------
# Tampering (used while grading)
# ----------------------------------------------------------------------------------------------
# When a notebook is graded, each test cell runs a private copy of this file and, before showing
# its card, calls refuse_tampering: if the notebook replaced a NumPy function, a Python builtin or
# a piece of IPython that turns the card into the number nbgrader reads, the cell fails (zero
# points) instead of trusting checks that may have been disarmed. Honest code never does that.


class TamperingDetected(RuntimeError):
    """The notebook changed what the checks rely on."""


_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: classes written in Python (C types cannot be forged)
_UFUNC_ALIASES = {
    "_core_matmul": "matmul",
    "_core_vecdot": "vecdot",
    "abs": "absolute",
    "acos": "arccos",
    "acosh": "arccosh",
    "asin": "arcsin",
    "asinh": "arcsinh",
    "atan": "arctan",
    "atan2": "arctan2",
    "atanh": "arctanh",
    "bitwise_invert": "invert",
    "bitwise_left_shift": "left_shift",
    "bitwise_not": "invert",
    "bitwise_right_shift": "right_shift",
    "conj": "conjugate",
    "mod": "remainder",
    "pow": "power",
    "true_divide": "divide",
    "umr_bitwise_count": "bitwise_count",
}
_BUILTINS = (
    "abs",
    "all",
    "any",
    "callable",
    "compile",
    "exec",
    "float",
    "getattr",
    "hasattr",
    "int",
    "isinstance",
    "len",
    "max",
    "min",
    "open",
    "print",
    "range",
    "repr",
    "round",
    "sorted",
    "str",
    "sum",
    "tuple",
    "zip",
)


def _code_outside(value, homes):
    """True when calling ``value`` runs Python code written outside the ``homes`` folders."""
    for _ in range(5):  # unwrap functools.partial, lru_cache, NumPy's dispatchers
        inner = getattr(value, "__wrapped__", None) or getattr(value, "func", None) or getattr(value, "__func__", None)
        if inner is None or inner is value or isinstance(value, type):
            break
        value = inner
    if type(value).__module__.startswith("_cython"):
        return False  # NumPy's compiled (Cython) functions
    code = getattr(value, "__code__", None)
    if code is not None and hasattr(code, "co_filename"):
        return not code.co_filename.startswith(homes)
    kind = value if isinstance(value, type) else type(value)
    if not kind.__flags__ & _HEAP_TYPE:
        return False  # a class written in C
    module = sys.modules.get(kind.__module__)
    if module is None:  # a NumPy submodule not loaded yet (numpy.rec, numpy.typing) names some classes
        return not kind.__module__.startswith("numpy.")
    return not (getattr(module, "__file__", None) or "").startswith(homes)


def _numpy_problems():
    homes = (np.__file__.rsplit("/", 1)[0], contextlib.__file__.rsplit("/", 1)[0])  # NumPy, the standard library
    problems = []
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "numpy" or name.startswith("numpy.")):
            continue
        for key, value in list(vars(module).items()):
            if isinstance(value, np.ufunc):
                if value.__name__ != _UFUNC_ALIASES.get(key, key):
                    problems.append(f"{name}.{key} was replaced by {value.__name__}")
            elif callable(value) and _code_outside(value, homes):
                problems.append(f"{name}.{key} was replaced")
    return problems


def _builtins_problems():
    problems = []
    for name in _BUILTINS:
        value = getattr(__builtins__, name, None) if not isinstance(__builtins__, dict) else __builtins__.get(name)
        kind = ().__class__.__class__(value)
        genuine = (
            kind is [].append.__class__
            and value.__name__ == name
            and getattr(value.__self__, "__name__", None) in ("builtins", "io", "_io")
        ) or (kind is ().__class__.__class__ and not value.__flags__ & _HEAP_TYPE and value.__name__ == name)
        if not genuine:
            problems.append(f"the builtin {name} was replaced")
    return problems


def _display_problems(shell, card):
    """What would stop nbgrader from reading the card's own value: IPython's display path."""
    import ipykernel
    import IPython
    import jupyter_client

    homes = tuple(m.__file__.rsplit("/", 1)[0] for m in (IPython, ipykernel, jupyter_client))
    homes += (contextlib.__file__.rsplit("/", 1)[0], np.__file__.rsplit("/", 2)[0] + "/traitlets")
    plain = shell.display_formatter.formatters["text/plain"]
    objects = {
        "displayhook": shell.displayhook,
        "display_formatter": shell.display_formatter,
        "text/plain formatter": plain,
        "session": shell.displayhook.session,
    }
    problems = []
    for what, obj in objects.items():
        for key, value in vars(obj).items():
            if callable(value) and not isinstance(value, type) and _code_outside(value, homes):
                problems.append(f"{what}.{key} was replaced")
        for klass in type(obj).__mro__:
            for key, value in vars(klass).items():
                if callable(value) and not isinstance(value, type) and _code_outside(value, homes):
                    problems.append(f"{klass.__name__}.{key} was replaced")
    from IPython.core.interactiveshell import InteractiveShell

    if not (InteractiveShell.initialized() and InteractiveShell.instance() is shell):
        problems.append("get_ipython was replaced")
    if sys.displayhook is not shell.displayhook:
        problems.append("sys.displayhook was replaced")
    for klass in type(card).__mro__:
        if klass in plain.type_printers or (klass.__module__, klass.__name__) in plain.deferred_printers:
            problems.append(f"a printer was registered for {klass.__name__}")
    if id(card) in plain.singleton_printers:
        problems.append("a printer was registered for the card")
    return problems


def refuse_tampering(shell, card):
    """Raise TamperingDetected when NumPy, the builtins or IPython's display path were changed."""
    problems = _numpy_problems() + _builtins_problems() + _display_problems(shell, card)
    if problems:
        raise TamperingDetected(
            "grading stopped, the notebook changed what the checks rely on: " + "; ".join(sorted(set(problems))[:5])
        )
