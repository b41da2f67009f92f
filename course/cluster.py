"""Where jobs run: Dask's distributed scheduler, either a local cluster of worker processes on this
machine or an existing cluster reached at a scheduler address.

Each worker is a separate process with one thread that runs one job at a time (see course.jobs);
Dask restarts a worker that dies and runs its job again elsewhere, so a submission that kills its
grader process costs at most that submission (after a few attempts Dask gives up on it, and the
batch goes on).
"""

import contextlib
import logging
import os
import sys
from pathlib import Path


class ClusterError(RuntimeError):
    """The scheduler could not be reached or the cluster could not start."""


@contextlib.contextmanager
def _stderr_to(path):
    """Point this process's stderr (file descriptor 2) at ``path`` while worker processes are
    started, so they and the kernels they start write their logs there, not over the progress bar."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "a") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def dask_client(workers=None, scheduler=None, log_file=None, timeout=20):
    """A ``distributed.Client``: connected to ``scheduler`` when given (an existing cluster), else to
    a new local cluster of ``workers`` processes (default: the machine's cores) on loopback TCP."""
    import dask
    from distributed import Client, LocalCluster

    # Do not let Dask kill a worker for its memory use: a notebook legitimately uses some.
    settings = {"distributed.worker.memory.terminate": False, "distributed.admin.tick.limit": "1h",
                "distributed.scheduler.allowed-failures": 2}
    with dask.config.set(settings):
        if scheduler:
            try:
                client = Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError) as error:
                raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
            with client:
                yield client
            return
        workers = workers or os.cpu_count() or 1
        def redirect():
            return _stderr_to(log_file) if log_file else contextlib.nullcontext()

        with redirect():
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
        try:
            with Client(cluster) as client:
                yield client
        finally:
            with redirect():
                cluster.close()
