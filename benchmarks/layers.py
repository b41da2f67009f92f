"""Loop against vectorised reference layers of ``cnn_application``, side by side, and the digits model's training.

    .venv/bin/python benchmarks/layers.py [--repeats 20] [--loop-repeats 3] [--blas-threads 1] [--seed 0]

For each layer exercise (conv_forward_fast, conv_backward_fast, pool_forward_fast, pool_backward_fast): the loop
version the grader's speed check compares with, and the reference, on the speed check's own inputs (the exercise's
``Speed.inputs``) and on a batch (8, 32, 32, 16) of float64 with 16 filters 3 x 3 (pooling f 2, stride 2): the best
of N calls with ``time.perf_counter``, the speed-up and the largest difference. The grader asks each speed-up to be
at least ``SPEED_UP``. Then the graded training run of ``train`` (the whole training split, the graded budget and
seed) and the notebook's longer run, with their time and test accuracy. About 30 s.
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
BATCH = (8, 32, 32, 16)


def best_time(fn, repeats):
    """Best wall time of ``repeats`` calls of ``fn()``, and its last result."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def arrays(result):
    return list(result) if isinstance(result, tuple) and len(result) == 3 else [np.asarray(result[0])]


def max_diff(a, b):
    return max(float(np.max(np.abs(np.asarray(x, float) - np.asarray(y, float)))) for x, y in zip(arrays(a), arrays(b)))


def batch_inputs(function, rng):
    """``(args, kwargs)`` of ``function`` on a float64 batch BATCH, 16 filters 3 x 3 pad 1, or pooling f 2 stride 2."""
    A = rng.standard_normal(BATCH)
    if function.startswith("conv"):
        W, b, hp = (
            rng.standard_normal((3, 3, BATCH[3], 16)) * 0.1,
            rng.standard_normal((1, 1, 1, 16)),
            {"stride": 1, "pad": 1},
        )
        if function == "conv_forward_fast":
            return (A, W, b, hp), {}
        return (rng.standard_normal(BATCH[:3] + (16,)), (A, W, b, hp)), {}
    hp = {"f": 2, "stride": 2}
    if function == "pool_forward_fast":
        return (A, hp), {"mode": "max"}
    return (rng.standard_normal((BATCH[0], BATCH[1] // 2, BATCH[2] // 2, BATCH[3])), (A, hp)), {"mode": "max"}


def main(argv=None):
    parser = argparse.ArgumentParser(description="loop against vectorised layers, and the digits model's training")
    parser.add_argument("--repeats", type=int, default=20, help="calls of each fast layer (best is kept)")
    parser.add_argument("--loop-repeats", type=int, default=3, help="calls of each loop layer (best is kept)")
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (default 1, as in the sandbox)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    print(f"numpy {np.__version__}; {args.blas_threads} BLAS thread(s); best of {args.loop_repeats} calls for loops,")
    print(f"of {args.repeats} for the references; the grader asks for a speed-up of at least {SPEED_UP:g}")
    print(f"{'layer':<20}{'inputs':<38}{'loop (s)':>9}{'fast (ms)':>11}{'speed-up':>10}{'max |diff|':>12}")
    with threadpool_limits(args.blas_threads, user_api="blas"):
        for function in LAYERS:
            _, exercise = exercises.find(function)
            (speed,) = [part.speed for part in exercise.parts if part.speed]
            for label, (call_args, kwargs) in (
                ("the speed check's", speed.inputs(rng)),
                (f"a float64 batch {BATCH}", batch_inputs(function, rng)),
            ):
                loop = functools.partial(speed.loop, *copy.deepcopy(call_args), **kwargs)
                t_loop, out_loop = best_time(loop, args.loop_repeats)
                t_fast, out_fast = best_time(functools.partial(exercise.reference, *call_args, **kwargs), args.repeats)
                diff = max_diff(out_loop, out_fast)
                print(
                    f"{function:<20}{label:<38}{t_loop:>9.3f}{t_fast * 1e3:>11.2f}{t_loop / t_fast:>9.0f}x{diff:>12.1e}"
                )

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
