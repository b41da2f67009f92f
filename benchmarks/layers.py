"""The application's layers on their speed checks' inputs, side by side, and the digits model's training.

    .venv/bin/python benchmarks/layers.py [--repeats 10] [--blas-threads 1] [--seed 0]

For each layer exercise (conv_forward_fast, conv_backward_fast, pool_forward_fast, pool_backward_fast), on the speed
check's own inputs (``Speed.spec``, made from a seed as the kernel makes them): the yardstick (the layer with a loop
over the examples, one NumPy call per example), the reference, the notebook's solution, the corpus's honest
variants (tests/corpus/correct) and its loops over the examples (tests/corpus/bugs/*__loop_over_examples): the best
of N calls with ``time.perf_counter``, the speed-up over the yardstick and the margin to the bar ``SPEED_UP``
(an honest layer's speed-up over the bar, the bar over a loop's speed-up: above 1 on both sides). Then the graded
training run of ``train`` (the whole training split, the graded budget and seed) and the notebook's longer run, with
their time and test accuracy. About 30 s.
"""

from __future__ import annotations

import argparse
import copy
import functools
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course import datasets, exercises  # noqa: E402
from course.exercises.cnn_application import model_forward, train  # noqa: E402
from course.exercises.cnn_application.conv_forward_fast import SPEED_UP  # noqa: E402

LAYERS = ("conv_forward_fast", "conv_backward_fast", "pool_forward_fast", "pool_backward_fast")
ROOT = Path(__file__).resolve().parent.parent


def best_time(fn, repeats):
    """Best wall time of ``repeats`` calls of ``fn()``, and its last result."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def contenders(function):
    """``[(kind, name, layer)]``: the yardstick, the reference, the notebook's solution, the corpus's honest variants
    and its loops over the examples."""
    sys.path.insert(0, str(ROOT / "tests"))
    from corpus.catalog import load_variants, make_namespace

    from course.submissions import solution_code

    _, exercise = exercises.find(function)
    (speed,) = [part.speed for part in exercise.parts if part.speed]
    notebook = make_namespace()
    exec(solution_code(ROOT / "source" / "cnn_application" / "cnn_application.ipynb")[function], notebook)
    found = [("yardstick", speed.yardstick.__name__, speed.yardstick), ("honest", "reference", exercise.reference)]
    found.append(("honest", "the notebook's solution", notebook[function]))
    for variant in load_variants("correct"):
        if variant.function == function:
            found.append(("honest", variant.name.split("__")[1], make_namespace(variant)[function]))
    for variant in load_variants("bugs"):
        if variant.function == function and variant.name.endswith("__loop_over_examples"):
            found.append(("loop", variant.name.split("__")[1], make_namespace(variant)[function]))
    return found


def arrays(result):
    return list(result) if isinstance(result, tuple) and len(result) == 3 else [np.asarray(result[0])]


def max_diff(a, b):
    return max(float(np.max(np.abs(np.asarray(x, float) - np.asarray(y, float)))) for x, y in zip(arrays(a), arrays(b)))


def main(argv=None):
    parser = argparse.ArgumentParser(description="the layers on their speed checks' inputs, and the model's training")
    parser.add_argument("--repeats", type=int, default=10, help="calls of each layer (best is kept)")
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (default 1, as in the sandbox)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    print(f"numpy {np.__version__}; {args.blas_threads} BLAS thread(s); best of {args.repeats} calls; the grader asks")
    print(f"for a speed-up of at least {SPEED_UP:g} over the yardstick (a loop over the examples, one NumPy call each)")
    with threadpool_limits(args.blas_threads, user_api="blas"):
        for function in LAYERS:
            _, exercise = exercises.find(function)
            (speed,) = [part.speed for part in exercise.parts if part.speed]
            call_args, kwargs = speed.inputs(args.seed)
            print(f"\n{function} on {speed.description}")
            print(f"  {'':<10}{'layer':<34}{'ms':>9}{'speed-up':>10}{'margin':>8}{'max |diff|':>12}")
            want, yardstick = exercise.reference(*copy.deepcopy(call_args), **kwargs), None
            for kind, name, layer in contenders(function):
                layer = functools.partial(layer, *copy.deepcopy(call_args), **kwargs)
                seconds, out = best_time(layer, args.repeats)
                yardstick = yardstick or seconds
                ratio = yardstick / seconds
                margin = {"honest": ratio / SPEED_UP, "loop": SPEED_UP / ratio}.get(kind)
                margin = f"{margin:>7.1f}x" if margin else f"{'':>8}"
                print(f"  {kind:<10}{name:<34}{seconds * 1e3:>9.2f}{ratio:>9.1f}x{margin}{max_diff(out, want):>12.1e}")
        print()
        X_train, y_train, X_test, y_test = datasets.arrays()
        runs = (
            ("graded", train.GRADED.args),
            ("notebook", (X_train, y_train, model_forward.init_params(0), 15, 32, 0.01, 0)),
        )
        for name, call_args in runs:
            seconds, returned = best_time(lambda call_args=call_args: train.train(*copy.deepcopy(call_args)), 1)
            epochs, batch, rate, seed = call_args[3:]
            print(
                f"train, {name} run: {len(call_args[1])} images, {epochs} epochs, batches of {batch}, learning rate "
                f"{rate}, seed {seed}: {seconds:.2f} s ({seconds / epochs * 1e3:.0f} ms an epoch), test accuracy "
                f"{train.test_accuracy(returned):.4f} "
                f"({len(y_test)} images; the graded bar is {train.TEST_ACCURACY:.2f})"
            )
    print(f"benchmark total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
