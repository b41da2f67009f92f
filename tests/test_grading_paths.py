"""Every grading path grades the same way: formgrader's Autograde button (its HTTP API, in a real
Jupyter server started in the course directory), ``nbgrader autograde`` by hand, and
``python -m course grade``, on the same class of bugs, forgeries and broken submissions (over 40
notebooks): identical scores, and every kernel ran in the sandbox. ``python -m course grade``'s
grades are the session's graded class (tests/graded_class.py, warm kernels); ``nbgrader autograde``
grades its copy of these students one notebook after the other with every kernel started cold
(``CNN_WARM_KERNELS=off``), as nbgrader did before warm kernels; formgrader with warm kernels.
Formgrader shows the grade out of 100 and the bonus out of 50."""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from forgeries import FORGERIES
from graded_class import BUGS, FAILED, TIMEOUT, write_broken
from helpers import BONUS, FORWARD, autograde, course_copy, exercise_scores, solutions, submit

from course.nbgrader_cli import nbgrader_env

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

BROKEN = ("untouched", "deleted_conv_forward_cell", "duplicated_conv_forward_cell", "kernel_death", "gradebook_writer")
BROKEN += ("timeout",)


def write_class(course_dir):
    """The graded class's students of these paths, written into ``course_dir``: honest, every bug of
    the graded assignment, every other forgery, broken notebooks; honest's bonus. Returns them."""
    correct = solutions(course_dir, FORWARD)
    students = {"honest": correct}
    students.update({v.name: {**correct, v.function: v.source} for v in BUGS if v.assignment == FORWARD})
    students.update({f.name: {**correct, f.function: f.forged} for f in FORGERIES[::2]})
    for student, code in students.items():
        submit(course_dir, student, FORWARD, code)
    write_broken(course_dir, correct)  # then keep only those of BROKEN
    for folder in (course_dir / "submitted").iterdir():
        if folder.name not in students and folder.name not in BROKEN:
            shutil.rmtree(folder)
    shutil.rmtree(course_dir / "downloaded")
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
def three_paths(graded_class, fresh_course, tmp_path_factory):
    """``{path: (course_dir, students, launched kernel folders)}`` for the three ways of grading."""
    graded = {}
    for path in ("nbgrader autograde", "formgrader"):
        course_dir = course_copy(fresh_course, tmp_path_factory.mktemp("path") / "course")
        students = write_class(course_dir)
        log = course_dir / "sandbox-launches.log"
        env = {"CNN_SANDBOX_LOG": str(log)}
        if path == "nbgrader autograde":  # one notebook after the other, every kernel started cold
            for assignment in (FORWARD, BONUS):
                autograde(
                    course_dir, assignment, f"--Execute.timeout={TIMEOUT}", env={**env, "CNN_WARM_KERNELS": "off"}
                )
        else:
            with open(course_dir / "nbgrader_config.py", "a") as config:
                config.write(f"\nc.Execute.timeout = {TIMEOUT}\n")
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
    tool_dir = graded_class.course_dir
    graded["python -m course grade"] = tool_dir, students, graded_class.launched
    return graded


def test_every_path_gives_the_same_scores(three_paths):
    students = three_paths["nbgrader autograde"][1]
    assert len(students) >= 40
    scores = {
        path: {s: row for s, row in exercise_scores(course_dir, FORWARD).items() if s in students}
        for path, (course_dir, _, _) in _paths(three_paths)
    }
    first = scores["nbgrader autograde"]
    assert set(first) == set(students)  # every student graded
    for path, found in scores.items():
        assert found == first, path
    bonus = {path: exercise_scores(course_dir, BONUS)["honest"] for path, (course_dir, _, _) in _paths(three_paths)}
    assert len(set(map(str, bonus.values()))) == 1, bonus
    assert first["honest"]["conv_forward"] == 40 and first["deleted_conv_forward_cell"]["conv_forward"] == 0
    assert (
        first["duplicated_conv_forward_cell"]["conv_forward"] == 40
    )  # nbgrader's "old metadata" error does not happen
    assert first["kernel_death"]["pool_forward"] == 0 and first["timeout"]["conv_single_step"] == 0
    assert sum(first["honest"].values()) == 100 and sum(first["gradebook_writer"].values()) == 100  # no 1000s


def test_every_kernel_ran_in_the_sandbox(three_paths):
    for path, (course_dir, students, launched) in _paths(three_paths):
        expected = {str(course_dir / "autograded" / s / FORWARD) for s in students}
        expected.add(str(course_dir / "autograded" / "honest" / BONUS))
        assert expected <= set(launched), path
        if path != "python -m course grade":  # the graded class has more students than these
            assert set(launched) <= expected, path  # nothing else started a kernel
        graded = {str(p) for p in (course_dir / "autograded").glob("*/*") if p.parent.name not in FAILED}
        assert graded <= set(launched), path  # every notebook graded in the class ran sandboxed


def test_formgrader_shows_the_grade_out_of_100_and_the_bonus_out_of_50(three_paths):
    views = three_paths["formgrader views"]
    maxima = {a["name"]: a["max_score"] for a in views["assignments"]}
    assert maxima[FORWARD] == 100 and maxima[BONUS] == 50
    honest = next(s for s in views["submissions"] if s["student"] == "honest")
    assert (honest["score"], honest["max_score"]) == (100, 100)


def _paths(three_paths):
    return [(k, v) for k, v in three_paths.items() if k != "formgrader views"]
