"""The grading sandbox: every student kernel that nbgrader starts with the course's configuration
runs inside bubblewrap (``sandbox_kernel.py`` is the kernel's launcher; its docstring lists what
the kernel can and cannot see).

``configure(c, course_dir)`` (called by ``nbgrader_config.py``) selects the sandboxed kernel for
nbgrader's ``Execute`` (autograde, and validate run in the course directory), with ZeroMQ IPC
sockets in a fresh private folder; the kernelspec is written to ``.sandbox/`` in the course
directory, which is put on JUPYTER_PATH; its kernels are launched warm (course.warm_kernels: started,
and imported while the notebook before is graded). ``require()`` stops grading with the one-line fix when
bwrap is missing. LIMITS is the one place the sandbox's limits are set.
"""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from course import warm_kernels

KERNEL_NAME = "cnn-sandbox"
LAUNCHER = Path(__file__).resolve().parent / "sandbox_kernel.py"
LIMITS = {"memory_mb": 2048, "nproc": 64, "cpu_seconds": 600}  # per process, per sandbox, per kernel
MISSING = (
    "bubblewrap (bwrap) is not installed, and grading runs student code in it: run `make sandbox-deps` "
    "(or `apt-get install bubblewrap`); to grade unsandboxed anyway, see README, Security"
)
NO_SANDBOX_WARNING = (
    "grading WITHOUT the sandbox: student code runs as you, can read source/, gradebook.db and other "
    "submissions, and can use the network (CNN_SANDBOX=off or configure(c, sandbox=False))"
)


def require(bwrap="bwrap"):
    """Return bwrap's path; stop (SystemExit, so nbgrader grades nothing more) when it is missing."""
    path = shutil.which(bwrap)
    if path is None:
        raise SystemExit(f"error: {MISSING}")
    return path


def kernelspec(limits=None):
    """The content of the sandboxed kernel's kernel.json."""
    limits = {**LIMITS, **(limits or {})}
    options = [f"--{name.replace('_', '-')}={value}" for name, value in sorted(limits.items())]
    return {
        "argv": [sys.executable, str(LAUNCHER), *options, "{connection_file}"],
        "display_name": "Python 3 (sandboxed grading)",
        "language": "python",
        "interrupt_mode": "message",  # signals do not cross the sandbox; ipykernel interrupts itself
        # launched by handing over a warm kernel (course.warm_kernels), whichever path asks for it
        "metadata": {"debugger": False, "kernel_provisioner": {"provisioner_name": warm_kernels.PROVISIONER}},
    }


def install_kernelspec(course_dir):
    """Write the kernelspec under ``course_dir/.sandbox/kernels/`` when it is missing or different,
    and put that folder first on JUPYTER_PATH for this process and the ones it starts. Written
    atomically: parallel graders may race. Returns the data folder."""
    data_dir = Path(course_dir) / ".sandbox"
    folder = data_dir / "kernels" / KERNEL_NAME
    content = json.dumps(kernelspec(), indent=1) + "\n"
    path = folder / "kernel.json"
    if not path.exists() or path.read_text() != content:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as handle:
            handle.write(content)
        os.replace(handle.name, path)
    paths = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != str(data_dir)]
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(data_dir), *paths])
    return data_dir


def fresh_ipc_dir(stale_seconds=3600):
    """A new folder for one process's kernel sockets, under one parent per user. Folders of earlier
    runs that nothing has touched for over an hour (a grading process killed before it cleaned up
    leaves its warm kernel's files and socket links) are removed on the way."""
    parent = Path(tempfile.gettempdir()) / f"cnn-sandbox-ipc-{os.getuid()}"
    parent.mkdir(mode=0o700, exist_ok=True)
    now = time.time()
    for old in parent.iterdir():
        try:
            entries = [old, *old.iterdir()]
            if all(now - entry.lstat().st_mtime > stale_seconds for entry in entries):
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
    return Path(tempfile.mkdtemp(dir=parent))


_PROCESS_IPC_DIRS = {}  # pid -> this process's folder (a forked worker makes its own)


def process_ipc_dir():
    """This process's folder for its kernels' sockets (fresh_ipc_dir, made once per process: nbgrader's
    configuration is loaded once per graded student, and jupyter_client numbers each kernel's sockets
    past the ones already there)."""
    pid = os.getpid()
    if pid not in _PROCESS_IPC_DIRS or not _PROCESS_IPC_DIRS[pid].is_dir():  # removed as stale: a new one
        _PROCESS_IPC_DIRS[pid] = fresh_ipc_dir()
    return _PROCESS_IPC_DIRS[pid]


def configure(c, course_dir, sandboxed=True):
    """Set an nbgrader config ``c`` up so that its kernels talk to nbgrader over IPC sockets in a
    fresh folder of this process (no TCP port to race for, nothing on the network, and no warning
    about unencrypted TCP), and, when ``sandboxed``, run in the sandbox (which has no network)."""
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = str(process_ipc_dir() / "kernel")
    if sandboxed:
        install_kernelspec(course_dir)
        warm_kernels.register()
        c.Execute.kernel_name = KERNEL_NAME
        # the kernel is thrown away after its notebook: stopped at once (its launcher ends the sandbox)
        c.Execute.shutdown_kernel = "immediate"
