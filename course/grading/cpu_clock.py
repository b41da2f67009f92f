"""CPU time of a kernel's processes, read from outside the kernel: how speed parts are timed.

Wall time counts whatever else the machine is doing: on a class graded by several workers, beside the
test suite or other users, a kernel waits for a core, and a correct layer measured three times its
quiet time and lost its speed points. CPU time counts only the work done. The grader reads it from the
kernel's process and every process below it (the sandbox runs the kernel in its own PID namespace, so
any process the student's code starts, even one that detaches, stays below it), their threads
included, and the children they reaped; the kernel cannot lower it. Each process's own time comes
from its CPU clock (``clock_gettime`` on the clock of another process: nanoseconds); reaped children
from ``/proc`` (clock ticks, 10 ms), which only code that starts processes has.
"""

import time

import psutil

_CPUCLOCK_SCHED = 2  # Linux: the clock id of process ``pid``'s CPU time is ((~pid) << 3) | 2


def process_clock_id(pid):
    """The clock id of process ``pid``'s CPU time (all its threads), for ``time.clock_gettime``."""
    return ((~pid) << 3) | _CPUCLOCK_SCHED


def tree_seconds(pid):
    """CPU seconds used so far by process ``pid``, every process below it, their threads, and the
    children they reaped. 0.0 when ``pid`` no longer exists."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            total += time.clock_gettime(process_clock_id(process.pid))
            times = process.cpu_times()
            total += times.children_user + times.children_system
        except (OSError, psutil.Error):  # ended between the listing and the reading
            continue
    return total


def kernel_clock(km):
    """A function returning the CPU seconds of ``km``'s kernel (its provisioner's process and those
    below it), or None when the kernel's process is not on this machine."""
    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    if not isinstance(pid, int) or not psutil.pid_exists(pid):
        return None
    return lambda: tree_seconds(pid)
