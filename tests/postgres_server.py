"""A throwaway PostgreSQL server on loopback, for tests: initdb in a temp folder, pg_ctl start on a
free port, a ``grader`` superuser with trust authentication, stopped and deleted afterwards.

The server binaries come from the ``postgresql`` Debian package (``make postgres`` installs it).
initdb refuses to run as root, so as root the server runs as the ``postgres`` system user.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def postgres_bin():
    """The folder of initdb/pg_ctl, or None when PostgreSQL is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def postgres_server(database="gradebook"):
    """Yield the SQLAlchemy URL of a fresh database on a new local server."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: run `make postgres` (apt-get install postgresql)")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    folder = Path(tempfile.mkdtemp(prefix="cnn-pg-"))
    data = folder / "data"
    if as_root:
        os.chmod(folder, 0o755)
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()

    def run(*command):
        subprocess.run(
            prefix + [str(bin_dir / command[0]), *command[1:]],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=folder,
        )

    try:
        run("initdb", "-D", str(data), "-A", "trust", "-U", "grader", "--no-sync")
        run(
            "pg_ctl",
            "-D",
            str(data),
            "-w",
            "-l",
            str(folder / "server.log"),
            "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            "start",
        )
        run("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "grader", database)
        yield f"postgresql+psycopg2://grader@127.0.0.1:{port}/{database}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                prefix + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=folder,
            )
        shutil.rmtree(folder, ignore_errors=True)
