"""What student B tries on the course's JupyterHub against student A, the instructor and the exchange.

``PROBE`` is a self-contained Python script: it reads a JSON list of attempts from ``TARGETS`` (a
variable set before it runs) and prints one JSON line, ``[[attempt, outcome], ...]``. It runs as B
twice: with ``runuser -u B -- python -c`` and inside B's own kernel (a notebook in B's JupyterLab).
An outcome is "denied: <error>", "absent: <error>" or "ALLOWED: <what it got>".

``forge`` and ``planted_submission`` are B's attempts on the exchange before the instructor collects.
"""

import json
import subprocess

from course import hub as course_hub

PROBE = r"""
import json, os

def attempt(kind, path):
    try:
        if kind == "list":
            return "ALLOWED: " + ", ".join(sorted(os.listdir(path))[:5])
        if kind == "read":
            with open(path, "rb") as handle:
                return f"ALLOWED: read {len(handle.read(1 << 20))} bytes"
        if kind == "write":
            with open(path, "w") as handle:
                handle.write("written by B")
            return "ALLOWED: written"
        if kind == "mkdir":
            os.mkdir(path)
            return "ALLOWED: made"
    except PermissionError as error:
        return f"denied: {error.strerror}"
    except FileNotFoundError as error:
        return f"absent: {error.strerror}"
    except OSError as error:
        return f"denied: {error.strerror}"

print(json.dumps([[label, attempt(kind, path)] for label, kind, path in TARGETS]))
"""


def targets(hub, assignment, a_inbound, a_feedback=None):
    """``[(label, kind, path)]``: what B tries, after A submitted and the instructor graded.
    ``a_inbound``: the name of A's submission in the exchange's inbound folder (B cannot list it)."""
    a, course = hub.students[0], hub.course
    exchange = hub.settings.exchange / course_hub.COURSE_ID
    name_without_random = a_inbound.rsplit("+", 1)[0]
    found = [
        ("list the exchange's inbound/ (every submission)", "list", exchange / "inbound"),
        (
            "read A's submission, its name less the random part",
            "read",
            exchange / "inbound" / name_without_random / f"{assignment}.ipynb",
        ),
        ("read A's submission by its full name", "read", exchange / "inbound" / a_inbound / f"{assignment}.ipynb"),
        ("write into A's submission folder", "write", exchange / "inbound" / a_inbound / "extra.py"),
        ("list the exchange's feedback/", "list", exchange / "feedback"),
        ("write into the released assignment", "write", exchange / "outbound" / assignment / "extra.py"),
        ("list A's home", "list", hub.home(a)),
        ("read A's notebook in A's home", "read", hub.home(a) / assignment / f"{assignment}.ipynb"),
        ("write into A's home", "write", hub.home(a) / "extra.py"),
        ("write a new assignment into the exchange's outbound/", "mkdir", exchange / "outbound" / "extra"),
        ("list the instructor's home", "list", hub.home(hub.instructor)),
        ("read the course's nbgrader_config.py", "read", course / "nbgrader_config.py"),
        ("list the course's autograded/", "list", course / "autograded"),
        ("read the course's source/ (solutions)", "read", course / "source" / assignment / f"{assignment}.ipynb"),
        ("read A's autograded notebook", "read", course / "autograded" / a / assignment / f"{assignment}.ipynb"),
        ("read A's submitted notebook", "read", course / "submitted" / a / assignment / f"{assignment}.ipynb"),
        ("read gradebook.db", "read", course / "gradebook.db"),
        ("write gradebook.db", "write", course / "gradebook.db"),
        ("read A's feedback in the course", "read", course / "feedback" / a / assignment / f"{assignment}.html"),
    ]
    if a_feedback:
        found.append(("read A's feedback in the exchange, knowing its name", "read", a_feedback))
        found.append(("overwrite A's feedback in the exchange", "write", a_feedback))
    # the Hub's own checkout (setup closes it: the servers run from HUB_HOME) and the Hub's files
    checkout = course_hub.ROOT
    found += [
        ("list the Hub's checkout of the course", "list", checkout),
        ("read the checkout's source/ (solutions)", "read", checkout / "source" / assignment / f"{assignment}.ipynb"),
        ("read the checkout's reference code", "read", checkout / "course" / "exercises" / assignment / "zero_pad.py"),
        ("list the checkout's corpus of correct answers", "list", checkout / "tests" / "corpus" / "correct"),
        ("list the checkout's git history", "list", checkout / ".git" / "objects"),
        ("read the Hub's database", "read", hub.settings.private / "jupyterhub.sqlite"),
        ("read the accounts' passwords", "read", hub.settings.private / "passwords.json"),
    ]
    return [(label, kind, str(path)) for label, kind, path in found]


def probe_source(found):
    """The probe as one script, its targets set."""
    return f"TARGETS = {json.dumps(found)}\n{PROBE}"


def run_as(user, source, timeout=60):
    """Run Python ``source`` as ``user`` with the Hub's Python (runuser); return its stdout."""
    result = subprocess.run(
        ["/usr/sbin/runuser", "-u", user, "--", str(course_hub.HUB_PYTHON), "-I", "-c", source],
        cwd="/",
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/nonexistent"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def probe_as(user, found):
    return json.loads(run_as(user, probe_source(found)).strip().splitlines()[-1])


# B's submission made by hand in the exchange (no nbgrader): the honest notebook plus links to the
# instructor's gradebook, to the course's solutions, to /etc/shadow, and a 1 GB file (sparse: it
# takes no disk). Newer than B's own Submit, so it is the one collect takes; a copy of it (the
# notebook, timestamp and secret) goes into B's nbgrader cache, as nbgrader's submit does, so that
# B can fetch its feedback.
PLANT = r"""
import json, os, sys, datetime, shutil
inbound, me, other, assignment, notebook, gradebook, source, cache = json.loads(sys.argv[1])
stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
results = []
forged = os.path.join(inbound, f"{other}+{assignment}+{stamp}+forged")
try:
    os.mkdir(forged)
    with open(os.path.join(forged, "timestamp.txt"), "w") as handle:
        handle.write(stamp)
    shutil.copy(notebook, os.path.join(forged, f"{assignment}.ipynb"))
    results.append(["a submission in A's name", "ALLOWED: made " + os.path.basename(forged)])
except OSError as error:
    results.append(["a submission in A's name", f"denied: {error.strerror}"])
mine = os.path.join(inbound, f"{me}+{assignment}+{stamp}+planted")
os.mkdir(mine)
with open(os.path.join(mine, "timestamp.txt"), "w") as handle:
    handle.write(stamp)
secret = os.urandom(64).hex()
with open(os.path.join(mine, "submission_secret.txt"), "w") as handle:
    handle.write(secret)
shutil.copy(notebook, os.path.join(mine, f"{assignment}.ipynb"))
# as nbgrader's submit would, a copy in B's cache: B's Assignments panel fetches its feedback
cached = os.path.join(cache, f"{me}+{assignment}+{stamp}")
os.makedirs(cached)
for name, text in (("timestamp.txt", stamp), ("submission_secret.txt", secret)):
    with open(os.path.join(cached, name), "w") as handle:
        handle.write(text)
shutil.copy(notebook, os.path.join(cached, f"{assignment}.ipynb"))
os.symlink(gradebook, os.path.join(mine, "gradebook.db"))
os.symlink("/etc/shadow", os.path.join(mine, "shadow"))
os.symlink(source, os.path.join(mine, "source"))
with open(os.path.join(mine, "big.bin"), "wb") as handle:
    handle.truncate(1 << 30)
results.append(["a submission of links and a 1 GB file", "ALLOWED: made " + os.path.basename(mine)])
print(json.dumps(results))
"""


def plant(hub, assignment, notebook):
    """B forges a submission in A's name and plants one with links and a 1 GB file; return the outcomes."""
    b, a = hub.students[1], hub.students[0]
    inbound = hub.settings.exchange / course_hub.COURSE_ID / "inbound"
    cache = hub.home(b) / ".local" / "share" / "jupyter" / "nbgrader_cache" / course_hub.COURSE_ID
    args = [str(inbound), b, a, assignment, str(notebook), str(hub.course / "gradebook.db"), str(hub.course / "source")]
    args.append(str(cache))
    result = subprocess.run(
        ["/usr/sbin/runuser", "-u", b, "--", str(course_hub.HUB_PYTHON), "-I", "-c", PLANT, json.dumps(args)],
        cwd="/",
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# nbgrader submit, run by B on a copy of the assignment with a link or a 1 GB file in it.
SUBMIT = r"""
import os, subprocess, sys, shutil, json
folder, kind = sys.argv[1], sys.argv[2]
if kind == "link":
    os.symlink("/etc/shadow", os.path.join(folder, "shadow"))
else:
    with open(os.path.join(folder, "big.bin"), "wb") as handle:
        handle.truncate(1 << 30)
result = subprocess.run([sys.executable, "-m", "nbgrader", "submit", folder, "--course", sys.argv[3]],
                        cwd=os.path.dirname(folder), capture_output=True, text=True)
lines = [l for l in (result.stdout + result.stderr).splitlines() if "rror" in l or "too big" in l]
print(json.dumps([result.returncode, lines[-1] if lines else ""]))
"""


def nbgrader_submit(hub, user, release, assignment, kind):
    """``nbgrader submit`` run by ``user`` (with the students' config) on a copy of ``release`` holding a
    link to /etc/shadow (``kind`` "link") or a 1 GB file ("big"); returns (exit status, last error line)."""
    import pwd

    entry = pwd.getpwnam(user)
    work = hub.home(user) / f"submit-{kind}" / assignment
    subprocess.run(["/usr/sbin/runuser", "-u", user, "--", "mkdir", "-p", str(work.parent)], check=True)
    subprocess.run(["cp", "-r", str(release), str(work)], check=True)
    subprocess.run(["chown", "-R", f"{entry.pw_uid}:{entry.pw_gid}", str(work.parent)], check=True)
    env = {
        "PATH": f"{course_hub.HUB_PYTHON.parent}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(hub.home(user)),
        "JUPYTER_CONFIG_PATH": str(hub.settings.student_config),
    }
    result = subprocess.run(
        ["/usr/sbin/runuser", "-u", user, "--", str(course_hub.HUB_PYTHON), "-c", SUBMIT, str(work), kind]
        + [course_hub.COURSE_ID],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
