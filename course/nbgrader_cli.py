"""Run nbgrader's own command line in a course directory, with the environment it needs.

nbgrader shells out to ``alembic`` (database migrations), so the virtual environment's ``bin/``
must be on PATH; we put the running interpreter's folder first.
"""

import os
import subprocess
import sys
from pathlib import Path


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message holds its last lines of output."""


def nbgrader_env(extra=None):
    """The current environment with this interpreter's ``bin/`` first on PATH."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    if extra:
        env.update(extra)
    return env


def run_nbgrader(course_dir, *args, env=None, check=True, timeout=None):
    """Run ``nbgrader ARGS`` in ``course_dir``; return the CompletedProcess (text output)."""
    command = [sys.executable, "-m", "nbgrader", *map(str, args)]
    result = subprocess.run(
        command,
        cwd=course_dir,
        env=nbgrader_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise NbgraderError(f"nbgrader {' '.join(map(str, args))} failed ({result.returncode}):\n{tail}")
    return result
