"""Sandboxed autograding: what the grading tool calls to run every student kernel in bubblewrap.

``check_available()`` fails with a one-line fix when bwrap is missing; ``nbgrader_options()``
returns the extra ``nbgrader autograde`` arguments and environment that select the sandboxed
kernel (a kernelspec written to a data folder put on JUPYTER_PATH, IPC transport). The launcher
itself is ``sandbox_kernel.py``; its docstring lists what the kernel can and cannot see.
"""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

KERNEL_NAME = "cnn-sandbox"
LAUNCHER = Path(__file__).resolve().parent / "sandbox_kernel.py"
LIMITS = {"memory_mb": 2048, "nproc": 64, "cpu_seconds": 600}


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces here."""


def check_available(bwrap="bwrap"):
    """Return the path of bwrap; raise SandboxUnavailable with the fix when it is missing."""
    path = shutil.which(bwrap)
    if path is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed; run `make sandbox-deps` "
            "(or `apt-get install bubblewrap`), or pass --no-sandbox to grade unsandboxed"
        )
    return path


def kernelspec(limits=None):
    """The kernelspec (kernel.json content) of the sandboxed kernel."""
    limits = {**LIMITS, **(limits or {})}
    options = [f"--{name.replace('_', '-')}={value}" for name, value in sorted(limits.items())]
    return {
        "argv": [sys.executable, str(LAUNCHER), *options, "{connection_file}"],
        "display_name": "Python 3 (sandboxed grading)",
        "language": "python",
        "interrupt_mode": "message",  # signals do not cross the sandbox; ipykernel interrupts itself
        "metadata": {"debugger": False},
    }


def write_kernelspec(data_dir, limits=None):
    """Write the kernelspec under ``data_dir/kernels/``; return data_dir."""
    folder = Path(data_dir) / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(kernelspec(limits), indent=1))
    return Path(data_dir)


def nbgrader_options(course_dir, limits=None, ipc_dir=None):
    """``(args, env)`` to add to ONE ``nbgrader autograde`` command so its kernels run sandboxed.

    The kernelspec goes to ``course_dir/.sandbox/`` (the course folder is shared by the machines
    of a Dask cluster, at the same path). Call this once per nbgrader process: the kernels of one
    process (graded one after the other) get their IPC socket paths in ``ipc_dir`` (a fresh temp
    folder by default), which concurrent processes must not share. Raises SandboxUnavailable
    when bwrap is missing.
    """
    check_available()
    data_dir = write_kernelspec(Path(course_dir) / ".sandbox", limits)
    ipc_dir = Path(ipc_dir or _fresh_ipc_dir())
    ipc_dir.mkdir(parents=True, exist_ok=True)
    args = [
        f"--Execute.kernel_name={KERNEL_NAME}",
        "--KernelManager.transport=ipc",
        f"--KernelManager.ip={ipc_dir / 'kernel'}",
    ]
    path = os.pathsep.join(filter(None, [str(data_dir), os.environ.get("JUPYTER_PATH", "")]))
    return args, {"JUPYTER_PATH": path}


def _fresh_ipc_dir(stale_seconds=3600):
    """A new folder for one nbgrader process's socket paths, under one parent per user; empty
    folders of earlier runs (over an hour old) are removed on the way."""
    parent = Path(tempfile.gettempdir()) / f"cnn-sandbox-ipc-{os.getuid()}"
    parent.mkdir(mode=0o700, exist_ok=True)
    for old in parent.iterdir():
        try:
            if time.time() - old.stat().st_mtime > stale_seconds:
                old.rmdir()  # only when empty
        except OSError:
            pass
    return tempfile.mkdtemp(dir=parent)


def job_options(course_dir, student):
    """The grading tool's per-student hook (``Batch.job_options``, with ``course_dir`` bound)."""
    args, env = nbgrader_options(course_dir)
    return tuple(args), env


NO_SANDBOX_WARNING = (
    "WARNING: grading without the sandbox: student code runs as you, can read source/, "
    "gradebook.db and other submissions, and can use the network"
)
