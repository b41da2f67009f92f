"""The speed parts of the application's layers, timed from outside the student's kernel.

A timed call sends the kernel a seed, not arrays: the probe makes the inputs itself with
``checks.generate(spec, seed)`` and hands back a digest of the result (``checks.digest``: shape,
weighted sums with random weights, a few entries at random places, from a second seed), not the
result. Sending arrays as JSON costs about 0.3 microseconds per byte with a noise of a quarter of
that: on inputs large enough for a loop over the examples to show (tens of thousands of tiny
images), that noise alone would be larger than what is measured. A seed and a digest are a few
hundred bytes whatever the batch.

Every round draws new seeds (63 random bits from the operating system: nothing can be prepared), and
the grader makes the same inputs in its own process for the reference (whose digest the kernel's
must match: a wrong result, zeros or garbage fail the part) and for the yardstick, the layer written
with a Python loop over the examples that does one NumPy call per example and vectorises the rest,
timed side by side. The student's time is the wall time of the probe cell, less the probe's own
cost (``measure_probe_costs``: measured in the fresh kernel before any of the notebook's code has
run, with a function returning zeros shaped like the answer). A round stops the part as soon as the
speed-up is enough; otherwise up to ``SPEED_ROUNDS`` rounds run and each side's quickest counts: a
busy machine only adds time, so a moment's stall cannot cost a fast layer its points, and a slow
layer cannot buy them.
"""

import contextlib
import time

import numpy as np

from . import checks
from .exercise import Case

SPEED_ROUNDS = 3  # rounds of a speed part's timing, and runs of its probe cost
COST_FUNCTION = "cnn_probe_cost"  # the function the kernel runs to measure the probe's own cost


class TimedCall:
    """One timed call: the inputs ``spec`` makes from ``seed``, the digest of ``picks`` (paths) with
    ``digest_seed``. ``request_item`` is what the probe sends the kernel for it."""

    def __init__(self, speed, rng):
        self.spec, self.picks = speed.spec, tuple(path for _, path in speed.picks)
        self.seed, self.digest_seed = (int(n) for n in rng.integers(0, 2**63, 2))

    def request_item(self, cid):
        return {
            "id": cid,
            "generate": {"spec": self.spec, "seed": self.seed},
            "digest": {"picks": [list(path) for path in self.picks], "seed": self.digest_seed},
        }

    def inputs(self):
        return checks.generate(self.spec, self.seed)


def timed_calls(speed, rng):
    """``{case id: TimedCall}``: the calls of one round, each with fresh seeds."""
    return {f"t{k}": TimedCall(speed, rng) for k in range(speed.calls)}


def lookalike(value):
    """Source of an expression that builds a value of ``value``'s structure, shapes and types, filled
    with zeros: what the function that measures a speed part's probe cost returns, so that the cost
    of digesting the answer is measured on an answer of the same size."""
    if isinstance(value, np.ndarray | np.generic):
        return f"__import__('numpy').zeros({value.shape!r}, {str(value.dtype)!r})[()]"
    if isinstance(value, tuple | list):
        inner = ", ".join(lookalike(v) for v in value) + ("," if isinstance(value, tuple) and len(value) == 1 else "")
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {lookalike(v)}" for k, v in value.items() if isinstance(k, str)) + "}"
    if isinstance(value, bool | int | float | str | type(None)):
        return repr(type(value)()) if value is not None else "None"
    return "None"


def measure_probe_costs(call, exercises):
    """``{(function, part number): seconds}``: for each speed part of ``exercises``, the probe's own
    cost (making the inputs from their seeds, digesting the answer, the messages): the quickest of
    ``SPEED_ROUNDS`` runs of a probe whose function returns zeros shaped like the answer, on calls
    like the timed ones. ``call(exercise, cases, lend, function)`` runs one probe in the kernel and
    returns its outcomes; it must run before any of the notebook's code, so that no code can make
    the cost look larger (and the student's time, less it, smaller)."""
    rng, costs = np.random.default_rng(), {}
    for exercise in exercises:
        for number, part in enumerate(exercise.parts):
            if not part.speed:
                continue
            cases = timed_calls(part.speed, rng)
            args, kwargs = cases["t0"].inputs()
            answer = lookalike(exercise.call_reference(Case(args, kwargs)))
            lend = {COST_FUNCTION: f"def {COST_FUNCTION}(*args, **kwargs):\n    return {answer}\n"}
            runs = []
            for _ in range(SPEED_ROUNDS):
                started = time.perf_counter()
                call(exercise, cases, lend, COST_FUNCTION)
                runs.append(time.perf_counter() - started)
            costs[exercise.function, number] = min(runs)
    return costs


def one_blas_thread():
    """A context in which BLAS runs one thread (as in the sandboxed kernel), when threadpoolctl is
    installed; the yardstick's per-example products are too small for a second thread anyway."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with the development tools
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def time_part(call, exercise, number, probe_cost):
    """A speed part's outcome: ``{"returned": speed-up, "notes": [...]}`` measured side by side, or
    why there is none. ``call(cases)`` runs the student's function on ``cases`` in the kernel and
    returns the outcomes; ``probe_cost`` is the probe's own cost (seconds, all calls of a round)."""
    speed, rng = exercise.parts[number].speed, np.random.default_rng()
    students, yardsticks = [], []
    for _ in range(SPEED_ROUNDS):
        cases = timed_calls(speed, rng)
        started = time.perf_counter()
        outcomes = call(cases)
        students.append(time.perf_counter() - started)
        wrong = wrong_result(exercise, speed, cases, outcomes)
        if wrong:
            return wrong
        args, kwargs = cases["t0"].inputs()
        with one_blas_thread():
            started = time.perf_counter()
            speed.yardstick(*args, **kwargs)
            yardsticks.append(time.perf_counter() - started)
        seconds = max(min(students) - probe_cost, 1e-6) / speed.calls
        if min(yardsticks) / seconds >= speed.at_least:
            break
    per_call = f"{seconds * 1000:.1f} ms" if seconds >= 1e-4 else "under 0.1 ms"
    rounds = f" (the quickest of {len(yardsticks)} rounds)" if len(yardsticks) > 1 else ""
    return {
        "returned": min(yardsticks) / seconds,
        "notes": [
            f"{per_call} per call; a loop over the examples (one NumPy call per example): "
            f"{min(yardsticks) * 1000:.1f} ms{rounds}"
        ],
    }


def wrong_result(exercise, speed, cases, outcomes):
    """The outcome to report when a timed call did not return the reference's result, else None."""
    for cid, case in cases.items():
        outcome = outcomes.get(cid, {"missing": "no result came back"})
        if "returned" not in outcome:
            return outcome
        args, kwargs = case.inputs()
        want = checks.digest(exercise.call_reference(Case(args, kwargs)), case.picks, case.digest_seed)
        problem = digest_mismatch(outcome["returned"], want, speed)
        if problem:
            call = f"{exercise.function} on {speed.description}"
            return {"missing": f"the result is wrong, so its speed does not count: {call}: {problem}"}
    return None


def digest_mismatch(got, want, speed):
    """Why the digest ``got`` (untrusted, from the kernel) is not the reference's ``want``, or ''."""
    if not isinstance(got, list) or len(got) != len(want):
        return "the digest of the result is malformed"
    for (what, _), found, expected in zip(speed.picks, got, want):
        if not isinstance(found, dict):
            return "the digest of the result is malformed"
        if "error" in found:
            return f"{what} is not an array of numbers ({str(found['error'])[:200]})"
        try:
            shape = tuple(int(n) for n in found["shape"])
            sums = np.asarray(found["sums"], dtype=float).reshape(-1)
            samples = np.asarray(found["samples"], dtype=float).reshape(-1)
        except Exception:  # whatever came back is not a digest
            return "the digest of the result is malformed"
        if shape != tuple(expected["shape"]):
            return f"{what} has shape {shape}, expected {tuple(expected['shape'])}"
        if sums.shape != expected["sums"].shape or samples.shape != expected["samples"].shape:
            return "the digest of the result is malformed"
        scale = max(float(np.max(np.abs(expected["samples"]), initial=0.0)), 1.0)
        sums_ok = np.abs(sums - expected["sums"]) <= speed.rtol * expected["scale"] + 1e-12
        samples_ok = np.isclose(samples, expected["samples"], rtol=10 * speed.rtol, atol=10 * speed.rtol * scale)
        if not (sums_ok.all() and samples_ok.all()):
            return f"{what} has the right shape {shape} but wrong values"
    return ""
