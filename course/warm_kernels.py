"""Warm sandboxed kernels: the next notebook's kernel is started, sandboxed and imported
while the current notebook is graded.

nbgrader starts every grading kernel through jupyter_client's kernel manager, which asks a *kernel
provisioner* to launch the kernel process. The sandboxed kernelspec (course.sandbox) names the
provisioner defined here, ``WarmSandboxProvisioner``, so every path that starts a grading kernel
(``nbgrader autograde``, formgrader's Autograde button, ``python -m course grade``) gets warm
kernels. Instead of launching a kernel when a notebook asks for one, it takes one from this
process's ``KernelPool``, which started it earlier:

- **started** in a fresh, empty working folder of its own (a *slot*), in the sandbox, with the same
  command line, kernelspec and environment a cold kernel of that notebook would get;
- **imported**: the modules the assignment's notebook imports (NumPy, h5py, matplotlib), loaded in
  a private namespace (nothing is defined in the notebook's namespace);
(The probe's own cost for the speed parts is not measured here but when the notebook's kernel is
handed over, before its first cell: measured while another notebook was being graded beside it, it
came out inflated, and a loop version earned the speed points it must not.)

When the notebook's kernel is asked for, the pool hands the warm one over: the files of the
notebook's folder (nbgrader's autograded copy; notebooks, which hold the hidden tests, and
symbolic links left out) are copied into the slot, which is the kernel's working folder; after the
kernel is shut down, the files the notebook wrote there are copied back into the notebook's folder
(regular files only, up to COPY_BACK_BYTES) and the slot is deleted. The next kernel is started as
soon as a notebook takes its kernel, except for an assignment that times the student's code (speed
parts): then only once the notebook's kernel has stopped, so that nothing starts beside the timing.
Each kernel runs exactly one notebook: it is never reused across notebooks or students.

A warm kernel that died or did not become ready in time is killed and replaced by a kernel
started there and then. Each process holds at most one warm kernel (a grading process or worker
grades one notebook at a time), so a class graded by N workers has at most N warm kernels besides
the N running ones; an unused warm kernel is shut down when its process exits, or after
IDLE_SECONDS without a notebook (a formgrader left open).
"""

import ast
import asyncio
import atexit
import contextlib
import os
import queue
import shutil
import stat
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import nbformat
import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_client.launcher import launch_kernel
from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner

PROVISIONER = "cnn-warm-sandbox"  # the name the sandboxed kernelspec's metadata gives
COPY_BACK_BYTES = 64 * 2**20  # files a notebook wrote, copied back to its folder, at most
IDLE_SECONDS = 600  # an unused warm kernel is shut down after this long
READY_SECONDS = 120  # a warm kernel not ready by then is replaced (the course's Execute.startup_timeout)


def enabled():
    """Warm kernels are on unless the environment says ``CNN_WARM_KERNELS=off`` (then each kernel is
    started when its notebook asks for it, in the notebook's folder: slower, the same grades)."""
    return os.environ.get("CNN_WARM_KERNELS", "on").lower() != "off"


def register():
    """Make the provisioner known to jupyter_client in this process (the course is used from its
    folder, not installed, so there is no entry point to find it by)."""
    from importlib.metadata import EntryPoint

    factory = KernelProvisionerFactory.instance()
    factory.provisioners[PROVISIONER] = EntryPoint(
        name=PROVISIONER, value=f"{__name__}:WarmSandboxProvisioner", group=KernelProvisionerFactory.GROUP_NAME
    )


# --- what a notebook of an assignment needs before it runs ------------------------------------------


class Expecting:
    """What the pool's next kernel is prepared for: the assignment graded last in this process (the
    next notebook is most likely of the same one). ExecuteAndScore sets it for every notebook."""

    assignment = None

    @classmethod
    def set(cls, assignment):
        cls.assignment = assignment


def times_anything(assignment):
    """Whether grading ``assignment`` times the student's code (an exercise with a speed part); True
    for an unknown assignment (nothing must start beside a notebook whose grading may time it)."""
    from course import exercises

    try:
        found = exercises.assignment(assignment)
    except KeyError:
        return True
    return any(part.speed for exercise in found.exercises for part in exercise.parts)


def warm_imports(assignment):
    """The modules ``assignment``'s notebook imports, for a warm kernel to load first: every
    ``import x`` / ``from x import ...`` of its code cells whose top-level module is installed and is
    not a file of the assignment's folder (cnn_checks is the student's copy). Empty for an
    unknown assignment."""
    from course.layout import release_dir

    folder = release_dir(assignment)
    path = folder / f"{assignment}.ipynb"
    if not path.exists():
        return []
    import importlib.util

    found = set()
    for cell in nbformat.read(str(path), as_version=4).cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse("\n".join(line for line in cell.source.splitlines() if not line.startswith(("%", "!"))))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
    local = {p.stem for p in folder.glob("*.py")}
    return sorted(
        name
        for name in found
        if name.split(".")[0] not in local and importlib.util.find_spec(name.split(".")[0]) is not None
    )


# --- the pool --------------------------------------------------------------------------------------


class WarmKernel:
    """One pre-started kernel: its process, connection and working folder (``slot``)."""

    def __init__(self, key, slot, connection_file, info, process):
        self.key, self.slot, self.connection_file, self.info, self.process = key, slot, connection_file, info, process
        self.ready = threading.Event()
        self.error = ""
        self.started = time.monotonic()

    def alive(self):
        return self.process.poll() is None

    def kill(self):
        """Stop the kernel (its launcher ends the sandbox, and every process in it) and remove its files."""
        with contextlib.suppress(OSError):
            self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
        remove_files(self.slot, self.connection_file)
        for port in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):  # the socket links
            with contextlib.suppress(OSError, KeyError):
                os.remove(f"{self.info['ip']}-{self.info[port]}")


def remove_files(slot, connection_file):
    shutil.rmtree(slot, ignore_errors=True)
    with contextlib.suppress(OSError):
        os.remove(connection_file)


class KernelPool:
    """This process's warm kernel: at most one, for one launch command (``key``: the command line
    with ``{connection_file}`` in place of the file, and the NBGRADER_* environment). One thread of
    the pool's own starts and prepares every kernel; ``take`` hands the warm one over (or has one
    started there and then) and asks for the next."""

    def __init__(self, folder):
        self.folder = Path(folder)  # slots and connection files of this process's kernels
        self.lock = threading.Lock()
        self.warm = None  # the next notebook's kernel (maybe still being prepared)
        self.requests = queue.Queue()  # (key, env, assignment, box): box None = the next warm kernel
        self.thread = None
        self.last_used = time.monotonic()
        self.closed = False
        self.next = None  # (key, env, assignment) of the kernel to prepare once the current one stops

    def _launch(self, key, env):
        """Start a kernel for ``key`` in a new slot; return it (not yet ready)."""
        template, _ = key
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # removed as stale while idle: made again
        slot = Path(tempfile.mkdtemp(prefix="work-", dir=self.folder))
        name = f"kernel-{uuid.uuid4().hex[:12]}"
        key_bytes = uuid.uuid4().hex.encode()
        connection_file, info = write_connection_file(
            str(self.folder / f"{name}.json"), ip=str(self.folder / name), transport="ipc", key=key_bytes
        )
        command = [arg.replace("{connection_file}", connection_file) for arg in template]
        launch_env = {k: v for k, v in env.items() if k != "CNN_SANDBOX_LOG"}  # logged when handed over
        launch_env["CNN_DIE_WITH_PARENT"] = str(os.getpid())  # course/sandbox_kernel.py: never outlive us
        process = launch_kernel(command, cwd=str(slot), env=launch_env)
        return WarmKernel(key, slot, connection_file, dict(info, key=info["key"].encode()), process)

    def _run(self):
        """The pool's thread: start and prepare the kernels asked for; shut an idle one down."""
        while True:
            try:
                key, env, assignment, box = self.requests.get(timeout=30)
            except queue.Empty:
                with self.lock:
                    idle = self.warm is not None and time.monotonic() - self.last_used > IDLE_SECONDS
                    kernel, self.warm = (self.warm, None) if idle else (None, self.warm)
                if kernel is not None:
                    kernel.kill()
                continue
            if key is None:  # closed
                return
            try:
                kernel = self._launch(key, env)
            except Exception as error:  # noqa: BLE001 - reported to whoever waits for it
                if box is not None:
                    box.put(error)
                continue
            with self.lock:
                if box is None:
                    if self.closed:
                        kernel.kill()
                        continue
                    self.warm = kernel
            prepare(kernel, assignment)
            if box is not None:
                box.put(kernel)

    def _ask(self, key, env, assignment, box=None):
        with self.lock:
            if self.closed:
                raise RuntimeError("the kernel pool is closed")
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="warm-kernels", daemon=True)
                self.thread.start()
        self.requests.put((key, env, assignment, box))

    def take(self, key, env, assignment, timeout=READY_SECONDS):
        """A kernel for ``key``, prepared: the warm one when it matches, answers and is alive, else one
        started now. Then the next warm kernel is prepared in the background. Blocks (call it from a
        thread of its own in asynchronous code)."""
        with self.lock:
            kernel, self.warm = self.warm, None
            self.last_used = time.monotonic()
        if kernel is not None and kernel.key == key:
            deadline = kernel.started + timeout
            while not kernel.ready.wait(0.2) and kernel.alive() and time.monotonic() < deadline:
                pass  # a kernel that died is replaced at once, not after the deadline
            if not kernel.ready.is_set() or kernel.error or not kernel.alive():
                kernel.kill()
                kernel = None
        elif kernel is not None:
            kernel.kill()
            kernel = None
        if kernel is None:  # started and prepared now, by the pool's thread
            box = queue.Queue()
            self._ask(key, env, assignment, box)
            kernel = box.get()
            if isinstance(kernel, Exception):
                raise kernel
        if times_anything(assignment):
            self.next = (key, env, assignment)  # prepared once this notebook's kernel has stopped
        else:
            self._ask(key, env, assignment)  # prepared while this notebook runs
        return kernel

    def replenish(self):
        """Start preparing the next notebook's kernel, if it waits for the current one to stop: an
        assignment with speed parts (they time the student's layer and the loop version side by side;
        a kernel starting in the same process skewed them)."""
        wanted, self.next = self.next, None
        if wanted is not None:
            self._ask(*wanted)

    def close(self):
        """Shut the warm kernel down and stop the pool's thread."""
        with self.lock:
            self.closed = True
            kernel, self.warm = self.warm, None
        self.requests.put((None, None, None, None))
        if kernel is not None:  # its preparation, if still going on, fails and ends
            kernel.kill()


def prepare(kernel, assignment):
    """Wait until ``kernel`` answers, import its assignment's modules (in a private namespace: the
    notebook's namespace stays empty); then set ``kernel.ready``, with ``kernel.error`` when something
    failed (a kernel that runs but did not get through this is still handed over when it was started
    for a waiting notebook: nbclient then reports what is wrong, as for any kernel)."""
    from course.grading.autograde import MAX_MESSAGE_BYTES

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    client = AsyncKernelClient()
    client.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
    try:
        client.load_connection_info(kernel.info)
        client.start_channels()
        loop.run_until_complete(_wait_until_ready(client, kernel))
        modules = warm_imports(assignment) if assignment else []
        if modules:
            code = f"exec({'import ' + ', '.join(modules)!r}, {{}})"
            reply = loop.run_until_complete(_while_alive(kernel, client.execute_interactive(code, silent=True)))
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"importing {', '.join(modules)} failed")
    except Exception as error:  # noqa: BLE001 - see the docstring
        kernel.error = f"{type(error).__name__}: {error}"
    finally:
        with contextlib.suppress(Exception):
            client.stop_channels()
        loop.close()
        asyncio.set_event_loop(None)
        kernel.ready.set()


async def _while_alive(kernel, awaitable, seconds=READY_SECONDS):
    """``awaitable``'s result; RuntimeError as soon as the kernel's process ends, or after ``seconds``
    (a reply that never comes from a dead kernel must not hold the notebook waiting for it)."""
    task = asyncio.ensure_future(awaitable)
    deadline = time.monotonic() + seconds
    while not task.done():
        await asyncio.wait([task], timeout=0.2)
        if not task.done() and (not kernel.alive() or time.monotonic() > deadline):
            task.cancel()
            raise RuntimeError("the kernel died while importing" if not kernel.alive() else "no reply in time")
    return task.result()


async def _wait_until_ready(client, kernel):
    deadline = time.monotonic() + READY_SECONDS
    while True:
        if not kernel.alive():
            raise RuntimeError("the kernel died while starting")
        try:
            await client.wait_for_ready(timeout=5)
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise


_POOLS = {}  # pid -> KernelPool (a forked worker makes its own: the parent's thread did not survive)


def pool():
    """This process's KernelPool."""
    pid = os.getpid()
    if pid not in _POOLS:
        from course import sandbox

        _POOLS.clear()
        _POOLS[pid] = KernelPool(sandbox.process_ipc_dir())  # the folder nbgrader's kernel manager uses too
        atexit.register(_POOLS[pid].close)
    return _POOLS[pid]


# --- the provisioner -------------------------------------------------------------------------------


class WarmSandboxProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching by handing over a warm kernel (KernelPool)."""

    kernel = None
    folder = None  # the notebook's folder, where the files it wrote go back

    async def launch_kernel(self, cmd, **kwargs):
        if not enabled():  # launched here and now, in the notebook's folder, as jupyter_client launches
            return await super().launch_kernel(cmd, **kwargs)
        km = self.parent
        template = tuple(arg.replace(km.connection_file, "{connection_file}") for arg in cmd)
        env = dict(kwargs.get("env") or os.environ)
        key = (template, tuple(sorted((k, v) for k, v in env.items() if k.startswith("NBGRADER_"))))
        self.kernel = await asyncio.to_thread(pool().take, key, env, Expecting.assignment)
        self.folder = Path(kwargs.get("cwd") or os.getcwd())
        copy_in(self.folder, self.kernel.slot)
        if env.get("CNN_SANDBOX_LOG"):  # tests check that every notebook's kernel was sandboxed
            with open(env["CNN_SANDBOX_LOG"], "a") as log:
                log.write(f"{self.folder}\n")
        self.process = self.kernel.process
        self.pid = self.process.pid
        self.pgid = _pgid(self.pid)
        self.cwd = str(self.folder)
        self.connection_info = dict(self.kernel.info)
        return self.connection_info

    async def kill(self, restart=False):
        """Stop the kernel at once (nbgrader's Execute shuts kernels down "immediate"ly: the notebook is
        done, nothing in the kernel is worth a graceful exit). SIGTERM to the launcher, which ends the
        sandbox and every process in it and removes its files; SIGKILL if it has not gone in 5 s."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.terminate()
            try:
                await asyncio.to_thread(self.process.wait, 5)
                return
            except subprocess.TimeoutExpired:
                pass
        await super().kill(restart)

    async def cleanup(self, restart=False):
        await super().cleanup(restart)
        kernel, self.kernel = self.kernel, None
        if kernel is not None and not restart:
            if kernel.alive():  # cleanup comes after the kernel stopped; make sure of it
                kernel.kill()
            copy_back(kernel.slot, self.folder)
            remove_files(kernel.slot, kernel.connection_file)
            pool().replenish()


def _pgid(pid):
    try:
        return os.getpgid(pid)
    except OSError:
        return None


# --- the working folder ----------------------------------------------------------------------------


def copy_in(folder, slot):
    """Copy the notebook's folder into the kernel's slot: every regular file and folder but the
    notebooks at its top (they hold the hidden tests while grading) and symbolic links."""
    for entry in sorted(Path(folder).iterdir()):
        if entry.is_symlink() or (entry.suffix == ".ipynb" and entry.is_file()):
            continue
        if entry.is_dir():
            shutil.copytree(entry, Path(slot) / entry.name, symlinks=True, ignore=_links)
        elif entry.is_file():
            shutil.copy2(entry, Path(slot) / entry.name)


def _links(directory, names):
    return [n for n in names if os.path.islink(os.path.join(directory, n))]


def copy_back(slot, folder):
    """Copy what the notebook wrote in the slot back into its folder: new regular files (not
    symbolic links, nothing already there), up to COPY_BACK_BYTES in all. Returns the paths copied."""
    copied, budget = [], COPY_BACK_BYTES
    slot, folder = Path(slot), Path(folder)
    for root, dirs, files in os.walk(slot):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
        for name in sorted(files):
            source = Path(root) / name
            target = folder / source.relative_to(slot)
            try:
                info = os.lstat(source)
            except OSError:
                continue
            if not _regular(info) or target.exists() or target.is_symlink() or info.st_size > budget:
                continue
            budget -= info.st_size
            target.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                _copy_regular(source, target)
                copied.append(target)
    return copied


def _regular(info):
    return stat.S_ISREG(info.st_mode)


def _copy_regular(source, target):
    """Copy a regular file without following a link planted in its place meanwhile."""
    descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, "rb") as reader, open(target, "xb") as writer:
        shutil.copyfileobj(reader, writer)
