"""How an exercise's grading is written down: its reference solution, its cases and its parts.

An exercise module (``course/exercises/<assignment>/<function>.py``) defines one ``Exercise``:

- ``reference``: a correct implementation, self-contained (it may use ``np`` and its arguments
  only), because it is also lent to the kernel while later exercises that call it are graded;
- ``parts``: what earns the points. A part has a title, its points, the cases it calls the
  student's function on, and the checks applied to what each call returns (compared with what
  ``reference`` returns for the same arguments). ``visible`` parts run in the notebook while the
  student works (their cases and expected values ship in ``cnn_checks.json``); the others run
  only when the notebook is graded. The exercise's points are the sum of its parts' points;
- ``uses``: the earlier exercises its function calls; correct versions stand in for the student's
  while this one is graded, so a mistake is not counted twice.

Checks are plain dicts made by ``shape``, ``close``, ``equal``, ``integer``, ``dtype``, ``number``, ``scalar``,
``same``, ``length`` and ``at_least`` below; ``course.grading.checks.compare`` applies them, in the notebook and in the
grader alike.
"""

import contextlib
import copy
import functools
import inspect
import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import checks

_NOTHING = object()

# Expected values shipped in cnn_checks.json are rounded to this many significant digits (of their
# array's magnitude), so that the committed file does not depend on the last bit of a machine's
# math library. The rounding error (5e-12 of the magnitude at most) is far below every tolerance
# of the checks (rtol 1e-6, atol 1e-7 times the magnitude by default; float32 cases allow more).
SIGNIFICANT_DIGITS = 12
TOLERANT_KINDS = ("close", "number")  # checks that compare values within a tolerance
BLIND_KINDS = ("shape", "length", "scalar")  # checks that do not look at the expected values


@dataclass(frozen=True, eq=False)
class Case:
    """One call of the student's function: ``function(*args, **kwargs)``.

    ``then``: ``(function, args)`` called next, whose return value is what the checks look at
    (``save_params`` then ``load_params``, say). ``expected`` replaces the reference's return
    value (a threshold, or the value a round trip must give back). ``tolerance`` overrides the
    checks' ``rtol``/``atol`` for this call (float32 inputs). ``call`` replaces the call's
    description in messages. For the published example: ``names`` of the arguments and
    ``result_names`` of what comes back, and ``show``, the lines the notebook prints:
    ``(label, expression, format)``.
    """

    args: tuple
    kwargs: dict = field(default_factory=dict)
    then: tuple = ()
    expected: object = _NOTHING
    tolerance: dict = field(default_factory=dict)
    call: str = ""
    names: tuple = ()
    result_names: tuple = ()
    show: tuple = ()


@dataclass(frozen=True)
class Speed:
    """A speed check, graded only (course.grading.speed times it). The student's function is called
    ``calls`` times per round, each on fresh inputs that the kernel makes itself from a new seed with
    ``checks.generate(spec, seed)`` (only the seed crosses, not the arrays), and hands back a digest
    of the arrays at ``picks`` (``((name, path), ...)``, see ``checks.digest``) instead of the
    result, compared with the reference's within ``rtol``. The grader measures the wall time of
    those calls from outside the kernel (less the probe's own cost, measured before the notebook's
    code runs) and, side by side in its own process, the time of ``yardstick`` (the layer written
    with a Python loop over the examples, one NumPy call per example, the rest vectorised) on the
    same inputs. The speed-up (yardstick time over the student's time per call) must be at least
    ``at_least``; up to three rounds are measured, each side's quickest counts (noise only ever adds
    time)."""

    yardstick: object
    spec: dict
    description: str
    picks: tuple
    at_least: float
    calls: int = 3
    rtol: float = 1e-6

    def inputs(self, seed):
        """``(args, kwargs)`` of a timed call: what the kernel makes from ``seed``."""
        return checks.generate(self.spec, seed)


@dataclass(frozen=True)
class Part:
    """A share of an exercise's points: every check must pass on every case. ``measure`` names a
    function of the exercise's ``measures`` that the grader applies to what came back before the
    checks (the test accuracy of trained parameters, say); ``speed`` makes it a speed check."""

    title: str
    points: float
    cases: tuple = ()
    checks: tuple = ()
    visible: bool = False
    hint: str = ""
    measure: str = ""
    speed: Speed | None = None


def _check(kind, what, pick=(), hint="", **options):
    return {"kind": kind, "what": what, "pick": list(pick), "hint": hint, **options}


def shape(what, pick=(), hint=""):
    """The array at ``pick`` has the expected shape."""
    return _check("shape", what, pick, hint)


def close(what, pick=(), hint="", rtol=1e-6, atol=1e-7, index_names=None):
    """Shape and values within ``rtol`` and ``atol`` (times the largest expected magnitude)."""
    return _check("close", what, pick, hint, rtol=rtol, atol=atol, index_names=index_names)


def equal(what, pick=(), hint=""):
    """Shape and exactly equal values (booleans, integers)."""
    return _check("equal", what, pick, hint)


def integer(what, pick=(), hint=""):
    """An array of integers (its dtype is a signed or unsigned integer type), whatever its values."""
    return _check("integer", what, pick, hint)


def dtype(what, pick=(), hint=""):
    """An array of exactly the expected dtype (float32 as stored, say)."""
    return _check("dtype", what, pick, hint)


def number(what, pick=(), hint="", rtol=1e-6, atol=1e-7):
    """One number (in whatever shape holds it) close to the expected one."""
    return _check("number", what, pick, hint, rtol=rtol, atol=atol)


def scalar(what, pick=(), hint=""):
    """A single Python or NumPy number, not an array (its value is another check's business)."""
    return _check("scalar", what, pick, hint)


def same(what, pick=(), hint=""):
    """Equal plain data (a dict of hyperparameters, say)."""
    return _check("same", what, pick, hint)


def length(what, pick=(), hint=""):
    """A tuple or list with as many items as expected."""
    return _check("length", what, pick, hint)


def at_least(what, pick=(), hint=""):
    """A number at least as large as the expected one (a threshold)."""
    return _check("at_least", what, pick, hint)


@dataclass(frozen=True)
class Exercise:
    """The grading of one exercise. ``number`` is its number in the lesson, ``returns`` names what
    its function returns in messages (e.g. ``"(Z, cache)"``), ``timeout`` (seconds) replaces
    ``Execute.timeout`` for its calls when it needs longer, ``measures`` maps names to functions of
    a returned value used by parts' ``measure``. The reference runs in the assignment's source
    folder, as the student's function runs in theirs (a case may name a data file). ``writes``:
    the files (glob patterns) its checks write in that folder; nbgrader copies none of them from a
    submission into the grading folder, nor from there into the feedback."""

    function: str
    number: int
    reference: object
    parts: tuple
    returns: str = "a value"
    uses: tuple = ()
    timeout: int | None = None
    measures: dict = field(default_factory=dict)
    writes: tuple = ()

    @property
    def points(self):
        return sum(part.points for part in self.parts)

    @property
    def test_cell(self):
        """The grade_id of the exercise's test cell in the notebook."""
        return f"test_{self.function}"

    @property
    def params(self):
        return tuple(inspect.signature(self.reference).parameters)

    @functools.cached_property
    def case_ids(self):
        """``{id(case): "c0", ...}``: every distinct case of the exercise, in order."""
        ids = {}
        for part in self.parts:
            for case in part.cases:
                ids.setdefault(id(case), f"c{len(ids)}")
        return ids

    @functools.cached_property
    def cases(self):
        """``{case id: Case}``."""
        by_id = {id(case): case for part in self.parts for case in part.cases}
        return {cid: by_id[key] for key, cid in self.case_ids.items()}

    @property
    def folder(self):
        """The source folder of the exercise's assignment (its module's package is named after it)."""
        from course.layout import source_dir

        return source_dir(Path(inspect.getfile(self.reference)).parent.name)

    @functools.cached_property
    def expected(self):
        """``{case id: what the reference returns}`` (computed once, on copies of the arguments, in
        the assignment's folder), or the case's own ``expected``."""
        return {
            cid: case.expected if case.expected is not _NOTHING else self.call_reference(case)
            for cid, case in self.cases.items()
        }

    def call_reference(self, case):
        """What the reference returns for ``case``, called on copies of its arguments in the
        assignment's folder."""
        with contextlib.chdir(self.folder):
            return self.reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))

    def reference_source(self):
        """The reference's source, to lend to the kernel (it must be self-contained)."""
        return textwrap.dedent(inspect.getsource(self.reference))

    @staticmethod
    def speed_case(index):
        """The case id a speed part's result goes under (the grader measures it; see Speed)."""
        return f"speed{index}"

    def part_cases(self, index, part):
        """The case ids of a part: its cases, each measured when the part has a measure."""
        if part.speed:
            return [self.speed_case(index)]
        suffix = f"|{part.measure}" if part.measure else ""
        return [self.case_ids[id(case)] + suffix for case in part.cases]

    def spec(self, labels, optional=False, visible_only=False):
        """The exercise as ``course.grading.checks`` reads it (a dict; cases hold raw values).
        ``labels`` maps every exercise's function to how messages name it ("exercise 3")."""
        parts = [(i, p) for i, p in enumerate(self.parts) if p.visible or not visible_only]
        used = {cid for i, part in parts for cid in self.part_cases(i, part)}
        cases = {}
        for cid in used:
            if cid.startswith("speed"):
                speed = self.parts[int(cid[5:])].speed
                cases[cid] = {"args": (), "kwargs": {}, "call": f"{self.function} on {speed.description}"}
                continue
            case = self.cases[cid.split("|")[0]]
            cases[cid] = {
                "args": case.args,
                "kwargs": case.kwargs,
                "then": [case.then[0], case.then[1]] if case.then else [],
                "tolerance": case.tolerance,
                "call": case.call,
                "names": list(case.names),
                "result_names": list(case.result_names),
                "show": [list(line) for line in case.show],
            }
        return {
            "function": self.function,
            "number": self.number,
            "points": self.points,
            "params": list(self.params),
            "returns": self.returns,
            "optional": optional,
            "uses": list(self.uses),
            "labels": labels,
            "parts": [
                {
                    "title": part.title,
                    "points": part.points,
                    "hidden": not part.visible,
                    "cases": self.part_cases(i, part),
                    "checks": list(part.checks),
                    "hint": part.hint,
                }
                for i, part in parts
            ],
            "cases": dict(sorted(cases.items())),
        }

    def visible_json(self, labels, optional=False):
        """The visible part of the spec, with arguments and expected values encoded for JSON."""
        spec = self.spec(labels, optional, visible_only=True)
        for case in spec["cases"].values():
            case["args"], case["kwargs"] = checks.encode(case["args"]), checks.encode(case["kwargs"])
            if case["then"]:
                case["then"] = [case["then"][0], checks.encode(case["then"][1])]
        spec["expected"] = {
            cid: checks.encode(shipped_expected(spec, cid, self.expected[cid])) for cid in spec["cases"]
        }
        return spec


def rounded(value, digits=SIGNIFICANT_DIGITS):
    """``value`` (a float64 array or number) rounded to ``digits`` significant digits of its
    magnitude (its largest finite absolute value, at least 1): a multiple of ``10**(e - digits + 1)``
    where ``10**e`` is that magnitude's power of ten. Anything else (integers, float32 arrays, whose
    precision is below that already) comes back unchanged."""
    if isinstance(value, float) and not isinstance(value, np.generic):
        return float(rounded(np.float64(value), digits))
    if not isinstance(value, (np.ndarray, np.float64)) or value.dtype != np.float64:
        return value
    array = np.asarray(value)
    scale = max(1.0, float(np.max(np.abs(array[np.isfinite(array)]), initial=0.0)))
    result = np.asarray(np.round(array, digits - 1 - math.floor(math.log10(scale))))
    return result if isinstance(value, np.ndarray) else np.float64(result)


def shipped_expected(spec, case_id, value):
    """The expected value of ``case_id`` as cnn_checks.json ships it: the floats that only tolerant
    checks (``close``, ``number``) of the spec's parts look at are ``rounded``; a value an exact
    check (``equal``, ``same``, ``at_least``, ...) looks at is shipped as it is."""
    picked = [c for part in spec["parts"] if case_id in part["cases"] for c in part["checks"]]
    tolerant = [list(c.get("pick", [])) for c in picked if c["kind"] in TOLERANT_KINDS]
    exact = [list(c.get("pick", [])) for c in picked if c["kind"] not in TOLERANT_KINDS + BLIND_KINDS]
    return _rounded_where(value, tolerant, exact)


def _rounded_where(value, tolerant, exact):
    """``value`` with the floats under a ``tolerant`` pick path and under no ``exact`` one rounded
    (paths index tuples and lists, as ``checks.pick`` does, negative indices included)."""
    if [] in exact or not tolerant:
        return value
    if not isinstance(value, (tuple, list)):
        return rounded(value) if [] in tolerant and not exact else value

    def below(paths, index):
        return [p[1:] for p in paths if p and p[0] in (index, index - len(value))] + [[] for p in paths if not p]

    items = [_rounded_where(item, below(tolerant, i), below(exact, i)) for i, item in enumerate(value)]
    return tuple(items) if isinstance(value, tuple) else items
