"""Warm kernels (course.warm_kernels): the next notebook's kernel is started, sandboxed, imported and
measured while a notebook is graded, and handed over when its notebook asks for it.

- what one notebook's kernel leaves behind (a thread, a child process that left its session, files
  in its folder and in /tmp) cannot reach the next notebook's kernel, started while it ran;
- a warm kernel killed before use is replaced, and the notebook is graded;
- the notebook's folder: its files are there, its notebooks (the hidden tests) and symbolic links
  are not, and what the notebook wrote comes back (regular files only).

That a class graded with warm kernels gets exactly the scores of sequential nbgrader with kernels
started cold is tests/test_grading_paths.py's job (the shared class, graded both ways).
"""

import json
import os
import subprocess
import sys

import pytest
from helpers import FORWARD, FULL, autograde, course_copy, exercise_scores, solutions, submit

from course import warm_kernels
from course.gradebook import resolve_url
from course.nbgrader_cli import nbgrader_env

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

MARK = "cnn-leftover-7d41"  # in the command line of what the first notebook leaves running

# Run first (students are graded in name order): a thread and a child process that outlive their cell
# (the child leaves its session and ignores SIGTERM), each writing files where the next kernel might look,
# for 60 s; and files left in its folder and in /tmp.
HAUNT = """
import os, signal, sys, time
if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
for _ in range(600):
    for _folder in (".", "/tmp", "/run/kernel", ".."):
        try:
            with open(os.path.join(_folder, "left-by-haunt.txt"), "a") as _f:
                _f.write("@MARK@\\n")
        except OSError:
            pass
    time.sleep(0.1)
"""
LEAVER = (
    "import subprocess, sys, threading\n"
    f"_HAUNT = {HAUNT!r}\n"
    "threading.Thread(target=exec, args=(_HAUNT, {'__name__': 'thread'}), daemon=False).start()\n"
    "subprocess.Popen([sys.executable, '-c', _HAUNT, '@MARK@'], start_new_session=True,\n"
    "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "for _path in ('left-in-folder.txt', '/tmp/left-in-tmp.txt'):\n"
    "    with open(_path, 'w') as _f:\n"
    "        _f.write('@MARK@')\n"
).replace("@MARK@", MARK)

# Graded next, in the kernel that was warmed while the first notebook ran: what can it see?
WITNESS = f"""
import os
def _seen():
    found = []
    for _folder in (".", "/tmp", "/run/kernel"):
        try:
            for _name in os.listdir(_folder):
                _path = os.path.join(_folder, _name)
                marked = os.path.isfile(_path) and "{MARK}" in open(_path, errors="ignore").read()
                if _name.startswith("left-") or marked:
                    found.append(_path)
        except OSError:
            pass
    for _pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{{_pid}}/cmdline", "rb") as _f:
                if b"{MARK}" in _f.read():
                    found.append("process " + _pid)
        except OSError:
            pass
    return found
with open("witness.txt", "w") as _f:
    _f.write(repr(_seen()))
"""


def leftover_processes():
    """Host processes whose command line holds MARK."""
    found = subprocess.run(["pgrep", "-f", MARK], capture_output=True, text=True).stdout.split()
    return [pid for pid in found if int(pid) != os.getpid()]


def test_what_a_notebook_leaves_behind_cannot_reach_the_next_kernel(fresh_course, tmp_path):
    course_dir = course_copy(fresh_course, tmp_path / "course")
    correct = solutions(course_dir, FORWARD)
    submit(course_dir, "a_leaver", FORWARD, {**correct, "zero_pad": LEAVER + correct["zero_pad"]})
    submit(course_dir, "b_witness", FORWARD, {**correct, "zero_pad": WITNESS + correct["zero_pad"]})
    autograde(course_dir, FORWARD)  # one process, one notebook after the other: b's kernel warmed during a's
    scores = exercise_scores(course_dir, FORWARD)
    assert scores["a_leaver"] == scores["b_witness"] == FULL[FORWARD]
    witness = course_dir / "autograded" / "b_witness" / FORWARD
    assert (witness / "witness.txt").read_text() == "[]"  # no file, no process of a's in b's kernel
    assert not [p.name for p in witness.iterdir() if p.name.startswith("left-")]
    leaver_folder = course_dir / "autograded" / "a_leaver" / FORWARD
    assert (leaver_folder / "left-in-folder.txt").read_text() == MARK  # a's own files come back to a's folder
    assert MARK in (leaver_folder / "left-by-haunt.txt").read_text()  # its thread or child did run
    assert leftover_processes() == []  # the thread and the child ended with a's sandbox


# Grades alice, kills the warm kernel left for the next notebook, grades bob (a replacement is started),
# kills bob's successor while it is being prepared, grades carol; prints what it saw. It runs in a
# process of its own: a process that forks grading workers must not hold a kernel pool's thread.
KILLER = """
import json, os, sys
from course import jobs, warm_kernels
course_dir, url = sys.argv[1], sys.argv[2]

def grade(student):
    return jobs.run_job(jobs.JobSpec(course_dir, "cnn_step_by_step", student, url, feedback=False)).status

import time

def warm_kernel(pool, other=None):
    for _ in range(300):  # the next kernel is asked for when a notebook's kernel stops
        if pool.warm is not None and pool.warm is not other:
            return pool.warm
        time.sleep(0.1)

seen = {"alice": grade("alice")}
pool = warm_kernels.pool()
warm = warm_kernel(pool)
warm.ready.wait(60)
seen["warm was ready and alive"] = warm.alive() and not warm.error
warm.process.kill()
warm.process.wait(10)
seen["bob"] = grade("bob")
replacement = warm_kernel(pool, warm)
seen["replaced"] = replacement is not None and replacement is not warm
os.kill(replacement.process.pid, 9)
seen["carol"] = grade("carol")
print(json.dumps(seen))
"""


def test_a_warm_kernel_killed_before_use_is_replaced_and_the_notebook_graded(fresh_course, tmp_path):
    course_dir = course_copy(fresh_course, tmp_path / "course")
    correct = solutions(course_dir, FORWARD)
    for student in ("alice", "bob", "carol"):
        submit(course_dir, student, FORWARD, correct)
    result = subprocess.run(
        [sys.executable, "-c", KILLER, str(course_dir), resolve_url(course_dir)],
        cwd=course_dir,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "alice": "graded",
        "warm was ready and alive": True,
        "bob": "graded",
        "replaced": True,
        "carol": "graded",
    }
    assert exercise_scores(course_dir, FORWARD) == dict.fromkeys(("alice", "bob", "carol"), FULL[FORWARD])


def test_the_kernel_gets_the_notebooks_folder_but_not_its_notebooks_nor_links(tmp_path):
    folder, slot = tmp_path / "autograded", tmp_path / "slot"
    (folder / "data").mkdir(parents=True)
    slot.mkdir()
    (folder / "data" / "digits.h5").write_bytes(b"data")
    (folder / "cnn_checks.py").write_text("checks")
    (folder / "notebook.ipynb").write_text("hidden tests")
    (folder / "secret").symlink_to("/etc/hostname")
    (folder / "data" / "link").symlink_to(folder / "cnn_checks.py")
    warm_kernels.copy_in(folder, slot)
    found = sorted(str(p.relative_to(slot)) for p in slot.rglob("*"))
    assert found == ["cnn_checks.py", "data", "data/digits.h5"]
    (slot / "written.txt").write_text("new")
    (slot / "out").mkdir()
    (slot / "out" / "params.h5").write_bytes(b"params")
    (slot / "cnn_checks.py").write_text("changed")  # the copy, not nbgrader's file
    (slot / "escape").symlink_to("/etc/hostname")
    (slot / "huge.bin").write_bytes(b"x")
    os.truncate(slot / "huge.bin", warm_kernels.COPY_BACK_BYTES + 1)
    copied = warm_kernels.copy_back(slot, folder)
    assert sorted(str(p.relative_to(folder)) for p in copied) == ["out/params.h5", "written.txt"]
    assert (folder / "cnn_checks.py").read_text() == "checks"
    assert not (folder / "escape").exists() and not (folder / "huge.bin").exists()
