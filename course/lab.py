"""The course as a student sees it, in JupyterLab: ``python -m course.lab`` (``make lab``).

``python -m course.lab [--workspace DIR] [--port N] [--no-browser] [--empty] [--exchange DIR]`` prepares
a student workspace (default ``.lab/student``) and starts ``jupyter lab`` in it:

- Jupyter's config, data and runtime folders, and IPython's, are ``jupyter/`` beside the workspace
  (``.lab/jupyter/``): nothing is written into your home;
- only the student's nbgrader tools: the Assignments panel (Fetch, Submit, Fetch Feedback) and the
  Validate button. Formgrader, Create Assignment and the course list are off, both their Lab
  plugins (disabled and locked in ``page_config.json``) and their server extensions
  (``jupyter_server_config.json``);
- the student's ``nbgrader_config.py`` points at the course's exchange folder (``exchange/``, the one
  the course's own ``nbgrader_config.py`` uses; ``--exchange`` another), so an assignment released
  with ``nbgrader release_assignment`` in the course directory can be fetched, submitted and its
  feedback fetched;
- only the ``python3`` kernel is offered: the grading sandbox's kernel (``cnn-sandbox``) never shows;
- a new workspace gets a copy of each committed release folder (``release/<assignment>/``), the
  student's work is never overwritten; ``--empty`` skips that, to fetch from the Assignments panel.

The server runs in the workspace: nbgrader's Validate and Assignments handlers read an
``nbgrader_config.py`` from the server's working folder, which must not be the course directory.
``write_student_config`` is the configuration alone; the browser tests (tests/browser) use it too.
"""

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from .exercises import ASSIGNMENTS
from .layout import ROOT

COURSE_ID = "cnn_step_by_step"  # c.CourseDirectory.course_id in the course's nbgrader_config.py
EXCHANGE = ROOT / "exchange"  # c.Exchange.root set by course.grading.setup.configure

# The instructor's tools: Lab plugins and server extensions a student must not have.
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)
SERVER_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
}
# Lab settings for a machine that may have no network: no news feed, no update check. Written only
# when missing, so a student's own choice stays.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False}
}

NBGRADER_CONFIG = '''\
"""The student's nbgrader settings (written by course/lab.py): the course and its exchange folder."""

c = get_config()  # noqa: F821 (provided by nbgrader)
c.Exchange.root = {exchange!r}
c.CourseDirectory.course_id = {course_id!r}
'''


def write_student_config(config_dir, exchange_root=EXCHANGE, course_id=COURSE_ID):
    """Write a student's Jupyter configuration into ``config_dir`` (their ``JUPYTER_CONFIG_DIR``):
    ``jupyter_server_config.json``, ``labconfig/page_config.json``, ``nbgrader_config.py`` and Lab's
    notification settings. Returns ``config_dir``."""
    config_dir = Path(config_dir)
    (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
    server = {
        "ServerApp": {"jpserver_extensions": SERVER_EXTENSIONS},
        "KernelSpecManager": {"allowed_kernelspecs": ["python3"]},
    }
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(server, indent=2) + "\n")
    # Locked too: since JupyterLab 4.1 the Plugin Manager can re-enable a plugin that is only disabled.
    page = {key: dict.fromkeys(INSTRUCTOR_PLUGINS, True) for key in ("disabledExtensions", "lockedExtensions")}
    (config_dir / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=2) + "\n")
    nbgrader = NBGRADER_CONFIG.format(exchange=str(Path(exchange_root).resolve()), course_id=course_id)
    (config_dir / "nbgrader_config.py").write_text(nbgrader)
    for name, settings in LAB_SETTINGS.items():
        path = config_dir / "lab" / "user-settings" / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings, indent=2) + "\n")
    return config_dir


def student_env(jupyter_dir, environ=os.environ):
    """``environ`` with Jupyter's and IPython's folders (and npm's cache) inside ``jupyter_dir``."""
    env = dict(environ)
    for name, sub in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
    ]:
        (Path(jupyter_dir) / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(Path(jupyter_dir) / sub)
    # These folders come first, before the virtual environment's (which Jupyter prefers when you own it).
    env["JUPYTER_PREFER_ENV_PATH"] = "0"
    # jupyter_lsp runs `npm prefix --global` at start, and npm logs into its cache, ~/.npm by default.
    env.setdefault("npm_config_cache", str(Path(jupyter_dir) / "npm"))
    # The venv's bin/ first (nbgrader's Validate and kernels), as `make` does.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def copy_releases(workspace, course_dir=ROOT):
    """Copy each ``release/<assignment>/`` the workspace does not have yet; return the names copied."""
    copied = []
    for name in ASSIGNMENTS:
        source, target = Path(course_dir) / "release" / name, Path(workspace) / name
        if source.is_dir() and not target.exists():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
            copied.append(name)
    return copied


def lab_command(workspace, port=8888, open_browser=True):
    """The ``jupyter lab`` command line for ``workspace``."""
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", f"--ServerApp.root_dir={workspace}"]
    command.append(f"--ServerApp.port={port}")
    if not open_browser:
        command.append("--no-browser")
    if os.geteuid() == 0:
        command.append("--allow-root")
    return command


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course.lab", description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=ROOT / ".lab" / "student", help="the student's folder")
    parser.add_argument("--port", type=int, default=8888, help="the server's port (0: any free port)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument(
        "--empty", action="store_true", help="no copy of the release (fetch from the Assignments panel)"
    )
    parser.add_argument("--exchange", type=Path, default=EXCHANGE, help="the exchange folder (default: the course's)")
    args = parser.parse_args(argv)

    workspace = args.workspace.resolve()
    workspace.mkdir(parents=True, exist_ok=True)
    env = student_env(workspace.parent / "jupyter")
    write_student_config(env["JUPYTER_CONFIG_DIR"], exchange_root=args.exchange)
    # nbgrader release_assignment makes the exchange folder; before that the Assignments panel says
    # it is missing instead of "no assignments to fetch".
    args.exchange.mkdir(parents=True, exist_ok=True)
    copied = [] if args.empty else copy_releases(workspace)
    print(f"student workspace: {workspace}" + (f" (copied: {', '.join(copied)})" if copied else ""), flush=True)
    print(f"exchange: {args.exchange.resolve()} (instructor: nbgrader release_assignment ASSIGNMENT)", flush=True)
    command = lab_command(workspace, args.port, open_browser=not args.no_browser)
    os.chdir(workspace)
    os.execve(command[0], command, env)  # the server replaces this process: Ctrl+C stops it as usual


if __name__ == "__main__":
    sys.exit(main())
