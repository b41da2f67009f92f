"""Where jobs run: worker processes on this machine (a fork-based pool), or an existing Dask
cluster reached at a scheduler address.

Both are used through ``job_runner(function, ...)``: ``runner.submit(item)`` queues a job and
``runner.completed()`` yields ``(item, value, error)`` as jobs finish (jobs submitted meanwhile
included). ``error`` is set only when the process running the job died (it never is for a job
that returned), so a submission that kills its grader process costs that submission only.

Local pool: each worker is a process forked from the grading process after nbgrader and the job
code are imported (course.jobs.preload), so workers start in milliseconds with everything loaded,
and run one job at a time. A worker that dies is replaced by a new fork and its job runs once more;
a job that kills two workers is reported with an error. Dask: single-thread workers; Dask restarts
a worker that dies and retries its job (``allowed-failures``), then reports KilledWorker.
"""

import contextlib
import logging
import multiprocessing
import os
import sys
from collections import deque
from multiprocessing.connection import wait
from pathlib import Path

WORKER_DEATHS = 2  # a job that kills this many local workers is reported as failed


class ClusterError(RuntimeError):
    """The scheduler could not be reached or the cluster could not start."""


class WorkerDied(RuntimeError):
    """The process running a job died (killed, crashed, or ``os._exit``) before returning."""


def default_workers():
    """Local workers when not told: one more than the machine's cores. A job leaves its core idle
    part of the time (kernel start-up and shutdown, messages), which the extra worker fills."""
    return (os.cpu_count() or 1) + 1


@contextlib.contextmanager
def job_runner(function, workers=None, scheduler=None, log_file=None):
    """A runner of ``function(item)`` jobs: a Dask client when ``scheduler`` is given, else a local
    pool of ``workers`` forked processes (default: ``default_workers()``)."""
    if scheduler:
        with dask_client(scheduler=scheduler) as client:
            yield DaskRunner(client, function)
    else:
        with LocalPool(function, workers or default_workers(), log_file) as pool:
            yield pool


# --- local: forked worker processes ----------------------------------------------------------------


def _worker_main(connection, function, log_file):
    """A worker's loop: receive an item, send back ``function(item)``, until told to stop."""
    if log_file:  # the worker's and its kernels' stderr go to the log, not over the progress bar
        with open(log_file, "a") as log:
            os.dup2(log.fileno(), 2)
    while True:
        try:
            item = connection.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        try:
            value = function(item)
        except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent stops us
            return
        connection.send(value)


class LocalPool:
    """``size`` forked worker processes running ``function``, one job each at a time."""

    def __init__(self, function, size, log_file=None):
        self.function, self.size = function, size
        self.log_file = str(log_file) if log_file else None
        if self.log_file:
            Path(self.log_file).parent.mkdir(parents=True, exist_ok=True)
        self.context = multiprocessing.get_context("fork")
        self.queue = deque()  # items waiting for a worker
        self.busy = {}  # process -> (connection, item)
        self.idle = []  # (process, connection)
        self.deaths = {}  # id(item) -> workers it killed
        self.unfinished = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _spawn(self):
        ours, theirs = self.context.Pipe()
        process = self.context.Process(
            target=_worker_main, args=(theirs, self.function, self.log_file), daemon=True, name="grader"
        )
        sys.stderr.flush()
        process.start()
        theirs.close()
        self.idle.append((process, ours))

    def submit(self, item):
        self.queue.append(item)
        self.unfinished += 1
        self._dispatch()

    def _dispatch(self):
        while self.queue:
            if not self.idle:
                if len(self.busy) >= self.size:
                    return
                self._spawn()
            process, connection = self.idle.pop()
            try:
                connection.send(self.queue[0])
            except OSError:  # this idle worker died (e.g. killed for memory): use another one
                process.join()
                connection.close()
                continue
            self.busy[process] = (connection, self.queue.popleft())

    def completed(self):
        """Yield ``(item, value, error)`` for every submitted job as it finishes."""
        while self.unfinished:
            waiting = {}
            for process, (connection, _) in self.busy.items():
                waiting[connection] = waiting[process.sentinel] = process
            for ready in wait(list(waiting)):
                process = waiting[ready]
                if process not in self.busy:
                    continue  # its connection and its sentinel were both ready
                connection, item = self.busy.pop(process)
                try:
                    value = connection.recv()
                except (EOFError, OSError):  # the worker died during the job
                    process.join()
                    connection.close()
                    deaths = self.deaths[id(item)] = self.deaths.get(id(item), 0) + 1
                    if deaths < WORKER_DEATHS:
                        self.queue.appendleft(item)  # once more, on a fresh worker
                        self._dispatch()
                        continue
                    self.unfinished -= 1
                    self._dispatch()
                    yield item, None, WorkerDied(f"exit code {process.exitcode}")
                    continue
                self.idle.append((process, connection))
                self.unfinished -= 1
                self._dispatch()
                yield item, value, None

    def close(self):
        """Stop every worker (a busy one is killed: the batch is being abandoned)."""
        for _, connection in self.idle:
            with contextlib.suppress(OSError):
                connection.send(None)
        for process in self.busy:
            process.kill()
        for process, connection in self.idle + [(p, c) for p, (c, _) in self.busy.items()]:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
            connection.close()
        self.idle, self.busy = [], {}


# --- distributed: a Dask cluster -------------------------------------------------------------------


class DaskRunner:
    """The runner interface over a ``distributed.Client``."""

    def __init__(self, client, function):
        from distributed import as_completed

        self.client, self.function = client, function
        self.futures = {}
        self.pending = as_completed()
        self.counter = 0

    def submit(self, item):
        self.counter += 1
        future = self.client.submit(self.function, item, key=f"job-{self.counter}-{os.getpid()}", pure=False)
        self.futures[future] = item
        self.pending.add(future)

    def completed(self):
        for future in self.pending:
            item = self.futures.pop(future)
            try:
                value = future.result()
            except Exception as error:  # the job killed its worker repeatedly (Dask's KilledWorker)
                yield item, None, error
                continue
            yield item, value, None


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
    settings = {
        "distributed.worker.memory.terminate": False,
        "distributed.admin.tick.limit": "1h",
        "distributed.scheduler.allowed-failures": 2,
    }
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
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            with redirect():
                cluster.close()
