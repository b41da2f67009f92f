"""Loop against vectorised reference layers (``course/fast_layers_prototype.py``), side by side in one run.

    .venv/bin/python benchmarks/layers.py [--repeats 50] [--loop-repeats 5] [--blas-threads 1]

Times conv (W ``(3, 3, 16, 16)``, pad 1, stride 1) and pooling (f 2, stride 2, max and average), forward and
backward, on one batch ``(8, 32, 32, 16)``: the best of N calls with ``time.perf_counter``, the loops on fewer
calls than the fast versions (they take seconds). Then one training epoch of the digits model. About 30 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course import fast_layers_prototype as L  # noqa: E402
from course.datasets import DEFAULT_OUT, build_digits  # noqa: E402

SHAPE = (8, 32, 32, 16)
CONV = {"stride": 1, "pad": 1}
POOL = {"f": 2, "stride": 2}


def best_time(fn, repeats):
    """Best wall time of ``repeats`` calls of ``fn()``, and its last result."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def max_diff(a, b):
    a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
    return max(float(np.max(np.abs(x - y))) for x, y in zip(a, b))


def cases(rng):
    """(name, loop call, fast call) for every timed layer, on the same random inputs."""
    A = rng.standard_normal(SHAPE)
    W, b = rng.standard_normal((3, 3, 16, 16)) * 0.1, rng.standard_normal((1, 1, 1, 16))
    Z, conv_cache = L.conv_forward_fast(A, W, b, CONV)
    dZ = rng.standard_normal(Z.shape)
    yield "conv forward", lambda: L.conv_forward_loop(A, W, b, CONV)[0], lambda: L.conv_forward_fast(A, W, b, CONV)[0]
    yield "conv backward", lambda: L.conv_backward_loop(dZ, conv_cache), lambda: L.conv_backward_fast(dZ, conv_cache)
    for mode in ("max", "average"):
        P, pool_cache = L.pool_forward_fast(A, POOL, mode)
        dP = rng.standard_normal(P.shape)
        yield (
            f"pool {mode} forward",
            lambda mode=mode: L.pool_forward_loop(A, POOL, mode)[0],
            lambda mode=mode: L.pool_forward_fast(A, POOL, mode)[0],
        )
        yield (
            f"pool {mode} backward",
            lambda mode=mode, c=pool_cache, d=dP: L.pool_backward_loop(d, c, mode),
            lambda mode=mode, c=pool_cache, d=dP: L.pool_backward_fast(d, c, mode),
        )


def digits_train_split():
    """``(X_train, y_train)`` from the course's digits file, or from a fresh build in a temporary folder."""
    if DEFAULT_OUT.is_file():
        return L.read_digits(DEFAULT_OUT)[:2], str(DEFAULT_OUT)
    with tempfile.TemporaryDirectory() as tmp:
        path = build_digits(Path(tmp) / "digits.h5")
        return L.read_digits(path)[:2], f"a fresh build ({DEFAULT_OUT} is missing)"


def main(argv=None):
    parser = argparse.ArgumentParser(description="loop against vectorised layers, and one training epoch")
    parser.add_argument("--repeats", type=int, default=50, help="calls of each fast layer (best is kept)")
    parser.add_argument("--loop-repeats", type=int, default=5, help="calls of each loop layer (best is kept)")
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (default 1: steadier timings)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    print(f"batch {SHAPE} float64; conv W (3, 3, 16, 16) {CONV}; pool {POOL}; numpy {np.__version__}")
    print(
        f"best of {args.loop_repeats} calls for loops, of {args.repeats} for fast; {args.blas_threads} BLAS thread(s)"
    )
    print(f"{'layer':<22}{'loop (s)':>10}{'fast (ms)':>11}{'loop/fast':>11}{'max |diff|':>12}")
    with threadpool_limits(args.blas_threads, user_api="blas"):
        for name, loop, fast in cases(np.random.default_rng(0)):
            t_loop, out_loop = best_time(loop, args.loop_repeats)
            t_fast, out_fast = best_time(fast, args.repeats)
            diff = max_diff(out_loop, out_fast)
            print(f"{name:<22}{t_loop:>10.3f}{t_fast * 1e3:>11.2f}{t_loop / t_fast:>10.0f}x{diff:>12.1e}")

        (X, y), source = digits_train_split()
        params = L.init_params(0)
        t_epoch, _ = best_time(lambda: L.train(X, y, params, 1, L.BATCH_SIZE, L.LEARNING_RATE, 0), 3)
    print(
        f"one training epoch of the digits model: {t_epoch:.3f} s (best of 3; {len(y)} images from {source}, "
        f"batch {L.BATCH_SIZE}, fast layers)"
    )
    print(f"benchmark total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
