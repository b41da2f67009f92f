"""Kernel launcher: run one IPython kernel inside a bubblewrap sandbox (standard library only).

A kernelspec runs this file as ``python sandbox_kernel.py [limits] -- {connection_file} [args]``
in the folder nbgrader executes the notebook in (the autograded submission folder). Inside the
sandbox the kernel sees only that folder (read-write; the files already there are read-only and
notebooks are hidden), the Python installation and the virtual environment (read-only), /usr and
a few files of /etc (read-only), a private /tmp, /proc and /dev. It has no network (a network
namespace with only its own loopback) and runs under rlimits on memory, processes and CPU time;
started as root, it runs as an unprivileged uid of its own, so the process limit is exact.

The kernel talks to the grader over ZeroMQ IPC sockets (``KernelManager.transport = "ipc"``):
the socket files live in a private folder bound at /run/kernel, and the paths the grader
connects to are symlinks into that folder. No other kernel's connection file is visible.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

INSIDE = "/run/kernel"  # where the private folder (connection file, sockets) appears in the sandbox
PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")

# Runs inside the sandbox before the kernel: limits, then (when root) an unprivileged uid, then exec.
SHIM = """
import os, resource, sys
uid, nproc, memory, cpu = (int(x) for x in sys.argv[1:5])
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
if os.getuid() == 0:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
os.execv(sys.argv[5], sys.argv[5:])
"""


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # The limits are set in one place, course/sandbox.py (LIMITS), which writes them into the kernelspec.
    parser.add_argument("--memory-mb", type=int, required=True, help="address space per process")
    parser.add_argument("--nproc", type=int, required=True, help="processes and threads of the sandbox")
    parser.add_argument("--cpu-seconds", type=int, required=True, help="CPU time of the kernel")
    parser.add_argument("--bwrap", default="bwrap")
    parser.add_argument("connection_file")
    parser.add_argument("kernel_args", nargs=argparse.REMAINDER)
    return parser.parse_args(argv)


def _system_binds():
    """Read-only binds of the system: /usr, the merged-/usr symlinks, and the /etc files needed."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    # /etc/fonts: fontconfig's configuration, read when matplotlib draws text (the application's figures)
    for name in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/nsswitch.conf", "/etc/fonts"):
        if os.path.exists(name):
            args += ["--ro-bind", name, name]
    return args


def _python_binds():
    """Read-only binds of this interpreter: the virtual environment and the base installation."""
    args = []
    for path in sorted({os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}):
        args += ["--ro-bind", path, path]
    return args


def _workdir_binds(workdir):
    """The working folder read-write; the files already in it read-only, notebooks hidden."""
    args = ["--bind", workdir, workdir]
    for entry in sorted(os.listdir(workdir)):
        path = os.path.join(workdir, entry)
        if entry.endswith(".ipynb") and os.path.isfile(path):
            args += ["--ro-bind", "/dev/null", path]  # holds the hidden tests while grading
        elif os.path.isfile(path) or os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def _private_channel(connection_file, uid):
    """A private folder with a copy of the connection file whose sockets live inside it, and
    symlinks from the socket paths the grader connects to; returns the folder."""
    with open(connection_file) as handle:
        info = json.load(handle)
    if info.get("transport") != "ipc":
        raise SystemExit("sandbox_kernel: the kernel must use IPC transport (KernelManager.transport = 'ipc')")
    if not os.path.isabs(info["ip"]):
        raise SystemExit("sandbox_kernel: set KernelManager.ip to an absolute socket path prefix")
    os.makedirs(os.path.dirname(info["ip"]), exist_ok=True)  # on a remote worker it may not exist yet
    private = tempfile.mkdtemp(prefix="sandbox-", dir=os.path.dirname(info["ip"]))
    for port in PORTS:
        outside = f"{info['ip']}-{info[port]}"
        if os.path.lexists(outside):
            os.remove(outside)
        os.symlink(os.path.join(private, f"ipc-{info[port]}"), outside)
    inner = dict(info, ip=f"{INSIDE}/ipc")
    with open(os.path.join(private, "connection.json"), "w") as handle:
        json.dump(inner, handle)
    if os.getuid() == 0:
        os.chown(private, uid, uid)
        os.chmod(os.path.join(private, "connection.json"), 0o644)
    return private


def _parent_dirs(binds):
    """``--dir`` for every missing ancestor of the bind targets: bwrap would create them 0700,
    which the unprivileged kernel could not cross."""
    args, seen = [], {"/", "/usr", "/run", "/proc", "/dev", "/tmp"}
    targets = [binds[i + 2] for i, a in enumerate(binds) if a in ("--bind", "--ro-bind")]
    for target in targets:
        parts = target.strip("/").split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            parent = "/" + "/".join(parts[:depth])
            if parent not in seen:
                seen.add(parent)
                args += ["--dir", parent]
    return args


def command(args, workdir, private, uid):
    """The bwrap command line that runs the kernel."""
    python = sys.executable
    # No SQLite input history: a grading kernel runs one notebook and is thrown away, and making the
    # history database costs each kernel a tenth of its start-up CPU (In and Out still work).
    history = "--HistoryManager.enabled=False"
    kernel = [python, "-m", "ipykernel_launcher", "-f", f"{INSIDE}/connection.json", history, *args.kernel_args]
    namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    if os.getuid() != 0:
        namespaces.append("--unshare-user")
    env = {
        "PATH": f"{os.path.dirname(python)}:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "IPYTHONDIR": "/tmp/.ipython",
        "MPLCONFIGDIR": "/tmp/.matplotlib",
        "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter",
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
        # One BLAS thread per kernel: graders run several kernels side by side, and a second thread
        # per kernel only makes them fight for the cores (timings and training become erratic).
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    # In its own pid namespace the kernel's parent is pid 1: JPY_PARENT_PID=1 turns off ipykernel's
    # parent polling (--die-with-parent does that job) and its console banner.
    env["JPY_PARENT_PID"] = "1"
    env.update({k: v for k, v in os.environ.items() if k.startswith("NBGRADER_")})
    setenv = [a for k, v in sorted(env.items()) for a in ("--setenv", k, v)]
    binds = [*_python_binds(), "--bind", private, INSIDE, *_workdir_binds(workdir)]
    return [
        args.bwrap,
        *namespaces,
        "--die-with-parent",
        "--clearenv",
        *setenv,
        "--hostname",
        "sandbox",
        *_system_binds(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--perms",
        "1777",
        "--tmpfs",
        "/tmp",
        "--dir",
        "/run",
        *_parent_dirs(binds),
        *binds,
        "--chdir",
        workdir,
        python,
        "-I",
        "-S",
        "-c",
        SHIM,
        str(uid),
        str(args.nproc),
        str(args.memory_mb * 2**20),
        str(args.cpu_seconds),
        *kernel,
    ]


def _die_with_parent():
    """When CNN_DIE_WITH_PARENT holds the pid of the process that started this launcher (a warm
    kernel's, course/warm_kernels.py), end when that process ends: SIGTERM on its death (Linux's
    PR_SET_PDEATHSIG), which ends the sandbox too. A pre-started kernel never outlives its grader."""
    parent = os.environ.pop("CNN_DIE_WITH_PARENT", "")
    if not parent or not sys.platform.startswith("linux"):
        return
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != int(parent):  # it died before the line above
        raise SystemExit(0)


def main(argv=None):
    _die_with_parent()
    args = _parse(sys.argv[1:] if argv is None else argv)
    if shutil.which(args.bwrap) is None:
        raise SystemExit("sandbox_kernel: bubblewrap (bwrap) is not installed; run `make sandbox-deps`")
    workdir = os.getcwd()
    if os.environ.get("CNN_SANDBOX_LOG"):  # tests check that every kernel started here
        with open(os.environ["CNN_SANDBOX_LOG"], "a") as log:
            log.write(workdir + "\n")
    uid = 200000 + os.getpid() % 100000 if os.getuid() == 0 else os.getuid()
    private = _private_channel(args.connection_file, uid)
    owner = os.stat(workdir)
    if os.getuid() == 0:
        os.chown(workdir, uid, uid)
    try:
        child = subprocess.Popen(command(args, workdir, private, uid))
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupts go to the kernel as messages
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        return child.wait()
    finally:
        if os.getuid() == 0:
            os.chown(workdir, owner.st_uid, owner.st_gid)
        shutil.rmtree(private, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
