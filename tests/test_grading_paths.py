"""Every grading path grades the same way: formgrader's Autograde button (its HTTP API, in a real
Jupyter server started in the course directory), ``nbgrader autograde`` by hand, and
``python -m course grade``, on the same class of bugs, forgeries and broken submissions: identical
scores, and every kernel ran in the sandbox. Formgrader shows the grade out of 100 and the bonus
out of 50."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest
import tamper
from corpus.catalog import load_variants
from forgeries import FORGERIES
from helpers import (
    BONUS,
    FORWARD,
    autograde,
    cell_index,
    course_copy,
    edit_notebook,
    exercise_scores,
    solutions,
    submit,
)

from course import cli
from course.nbgrader_cli import nbgrader_env

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

TIMEOUT = "--Execute.timeout=10"


def write_class(course_dir):
    """A class of the graded assignment: honest, untouched, bugs, forgeries, broken notebooks."""
    correct = solutions(course_dir, FORWARD)
    students = {"honest": correct, "untouched": {}}
    bugs = [v for v in load_variants("bugs") if v.assignment == FORWARD]
    students.update({v.name: {**correct, v.function: v.source} for v in bugs[::3]})
    students.update({f.name: {**correct, f.function: f.forged} for f in FORGERIES[::2]})
    students["kernel_death"] = {**correct, "conv_forward": correct["conv_forward"] + "\nimport os\nos._exit(1)"}
    # writes 1000 into every score of the gradebook, and into the course's files, if it can reach them
    attack = tamper.WRITE.format(course=course_dir, port=0, victim="honest")
    students["gradebook_writer"] = {**correct, "zero_pad": attack + "\n" + correct["zero_pad"]}
    students["timeout"] = {
        **correct,
        "conv_single_step": "def conv_single_step(a, W, b):\n    while True:\n        pass",
    }
    for student, code in students.items():
        submit(course_dir, student, FORWARD, code)
    for student in ("duplicated_cell", "deleted_cell"):
        path = submit(course_dir, student, FORWARD, correct)

        def change(nb, student=student):
            index = cell_index(nb, "test_conv_forward")
            if student == "deleted_cell":
                nb.cells.pop(index)
            else:
                copy = nbformat.from_dict(nb.cells[index])
                copy.id = "a-copy"
                nb.cells.insert(index, copy)

        edit_notebook(path, change)
    submit(course_dir, "honest", BONUS, solutions(course_dir, BONUS))
    return sorted(p.parent.name for p in (course_dir / "submitted").glob(f"*/{FORWARD}"))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Formgrader:
    """A real ``jupyter server`` started in the course directory (formgrader reads the course's
    nbgrader_config.py from there), driven through formgrader's HTTP API."""

    def __init__(self, course_dir, env):
        self.token, port = secrets.token_hex(16), _free_port()
        self.url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable,
            "-m",
            "jupyter_server",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={course_dir}",
            "--allow-root",
        ]
        self.log = open(course_dir / "server.log", "w")  # noqa: SIM115 (closed by stop)
        self.process = subprocess.Popen(
            command,
            cwd=course_dir,
            env=nbgrader_env(env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(240):
            try:
                self.call("api/status")
                return
            except OSError:
                time.sleep(0.25)
        raise RuntimeError("the Jupyter server did not start: " + (course_dir / "server.log").read_text()[-2000:])

    def call(self, endpoint, method="GET"):
        request = urllib.request.Request(
            f"{self.url}/{endpoint}",
            method=method,
            data=b"" if method == "POST" else None,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read().decode() or "null")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def three_paths(fresh_course, tmp_path_factory):
    """``{path: (course_dir, students, launched kernel folders)}`` for the three ways of grading."""
    graded = {}
    for path in ("nbgrader autograde", "python -m course grade", "formgrader"):
        course_dir = course_copy(fresh_course, tmp_path_factory.mktemp("path") / "course")
        students = write_class(course_dir)
        log = course_dir / "sandbox-launches.log"
        env = {"CNN_SANDBOX_LOG": str(log)}
        if path == "nbgrader autograde":
            for assignment in (FORWARD, BONUS):
                autograde(course_dir, assignment, TIMEOUT, env=env)
        elif path == "python -m course grade":
            os.environ["CNN_SANDBOX_LOG"] = str(log)  # the tool's workers are forked from this process
            try:
                assert cli.grade_main(["--course-dir", str(course_dir), "-q", f"--nbgrader-arg={TIMEOUT}"]) == 0
            finally:
                del os.environ["CNN_SANDBOX_LOG"]
        else:
            with open(course_dir / "nbgrader_config.py", "a") as config:
                config.write(f"\nc.Execute.timeout = {TIMEOUT.split('=')[1]}\n")
            server = Formgrader(course_dir, env)
            try:
                for assignment, who in ((FORWARD, students), (BONUS, ["honest"])):
                    for student in who:
                        result = server.call(f"formgrader/api/submission/{assignment}/{student}/autograde", "POST")
                        assert result["success"], result
                graded["formgrader views"] = {
                    "assignments": server.call("formgrader/api/assignments"),
                    "submissions": server.call(f"formgrader/api/submissions/{FORWARD}"),
                }
            finally:
                server.stop()
        graded[path] = course_dir, students, log.read_text().split()
    return graded


def test_every_path_gives_the_same_scores(three_paths):
    scores = {path: exercise_scores(course_dir, FORWARD) for path, (course_dir, _, _) in _paths(three_paths)}
    first, *others = scores.values()
    assert set(first) == set(next(iter(_paths(three_paths)))[1][1])  # every student graded
    for path, found in scores.items():
        assert found == first, path
    assert first["honest"]["conv_forward"] == 40 and first["deleted_cell"]["conv_forward"] == 0
    assert first["duplicated_cell"]["conv_forward"] == 40  # nbgrader's "old metadata" error does not happen
    assert first["kernel_death"]["pool_forward"] == 0 and first["timeout"]["conv_single_step"] == 0
    assert sum(first["honest"].values()) == 100 and sum(first["gradebook_writer"].values()) == 100  # no 1000s


def test_every_kernel_ran_in_the_sandbox(three_paths):
    for path, (course_dir, students, launched) in _paths(three_paths):
        expected = {str(course_dir / "autograded" / s / FORWARD) for s in students}
        expected.add(str(course_dir / "autograded" / "honest" / BONUS))
        assert expected <= set(launched), path
        assert set(launched) <= expected, path  # nothing else started a kernel


def test_formgrader_shows_the_grade_out_of_100_and_the_bonus_out_of_50(three_paths):
    views = three_paths["formgrader views"]
    maxima = {a["name"]: a["max_score"] for a in views["assignments"]}
    assert maxima[FORWARD] == 100 and maxima[BONUS] == 50
    honest = next(s for s in views["submissions"] if s["student"] == "honest")
    assert (honest["score"], honest["max_score"]) == (100, 100)


def _paths(three_paths):
    return [(k, v) for k, v in three_paths.items() if k != "formgrader views"]
