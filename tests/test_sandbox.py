"""The grading sandbox against the tamper corpus (tests/tamper.py): real ``nbgrader autograde`` runs
in the course directory (nbgrader_config.py puts every kernel under bubblewrap), attackers graded in
the same batch as honest students."""

import hashlib
import socket
import threading

import pytest
import tamper
from helpers import FORWARD, FULL, autograde, course_copy, exercise_scores, solutions, submit

from course import cli, sandbox
from course.nbgrader_cli import run_nbgrader

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

SECRET = "VICTIM-SECRET-5b1e0c"  # in the victim's submission only
FULL = FULL[FORWARD]


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.5)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self):
        self.stop.set()
        self.thread.join()
        self.server.close()


def loot(course_dir, student):
    path = course_dir / "autograded" / student / FORWARD / "loot.txt"
    return path.read_text() if path.exists() else ""


def with_attack(solutions, attack, cell="zero_pad", **fill):
    """The correct submission with ``attack`` run at the top of one solution cell."""
    return {**solutions, cell: attack.format(**fill) + "\n" + solutions[cell]}


@pytest.fixture(scope="module")
def sandbox_batch(fresh_course, tmp_path_factory):
    course_dir = course_copy(fresh_course, tmp_path_factory.mktemp("sandboxed") / "course")
    correct = solutions(course_dir, FORWARD)
    listener = Listener()
    fill = dict(course=course_dir, port=listener.port, victim="victim")
    checks_hash = hashlib.sha256((course_dir / "source" / FORWARD / "cnn_checks.py").read_bytes()).hexdigest()
    students = {
        "honest": correct,
        "victim": {**correct, "zero_pad": f"# {SECRET}\n" + correct["zero_pad"]},
        "reader": with_attack(correct, tamper.READ, **fill),
        "writer": with_attack(correct, tamper.WRITE, **fill),
        "network": with_attack(correct, tamper.NETWORK, **fill),
        "memory": with_attack(correct, tamper.MEMORY, **fill),
        "forker": with_attack(correct, tamper.FORK, **fill),
        "hard_exit": with_attack(correct, tamper.HARD_EXIT, cell="conv_forward"),
        "sys_exit": with_attack(correct, tamper.SYS_EXIT, cell="conv_forward"),
    }
    for student, code in students.items():
        submit(course_dir, student, FORWARD, code)
    log = course_dir / "sandbox-launches.log"
    try:
        autograde(course_dir, FORWARD, env={"CNN_SANDBOX_LOG": str(log)})
    finally:
        listener.close()
    scores = exercise_scores(course_dir, FORWARD)
    return dict(course_dir=course_dir, scores=scores, listener=listener, checks_hash=checks_hash, log=log)


def test_every_kernel_ran_in_the_sandbox(sandbox_batch):
    launched = sandbox_batch["log"].read_text().split()
    assert sorted(launched) == sorted(
        str(sandbox_batch["course_dir"] / "autograded" / s / FORWARD) for s in sandbox_batch["scores"]
    )


def test_honest_students_get_full_marks_in_the_sandbox(sandbox_batch):
    assert sandbox_batch["scores"]["honest"] == FULL
    assert sandbox_batch["scores"]["victim"] == FULL


def test_course_files_and_other_submissions_are_invisible(sandbox_batch):
    text = loot(sandbox_batch["course_dir"], "reader")
    assert "DENIED" in text and "LISTING" in text  # the attack ran
    assert "READ " not in text.replace("READ cnn_step_by_step.ipynb", "")  # only its own, emptied notebook
    for secret in (SECRET, "SQLite format", "### BEGIN SOLUTION", "def conv_forward(A_prev, W, b, hparameters):\n"):
        assert secret not in text  # no other submission, no gradebook, no solution, no reference
    assert "gradebook.db" not in text.split("LISTING", 1)[1]
    assert sandbox_batch["scores"]["reader"] == FULL  # its own honest work still counts


def test_gradebook_sources_and_other_folders_cannot_be_written(sandbox_batch):
    course_dir = sandbox_batch["course_dir"]
    text = loot(course_dir, "writer")
    assert "WROTE" not in text and text.count("DENIED") == 5
    checks = course_dir / "source" / FORWARD / "cnn_checks.py"
    assert hashlib.sha256(checks.read_bytes()).hexdigest() == sandbox_batch["checks_hash"]
    assert "tampered" not in (course_dir / "autograded" / "victim" / FORWARD / "cnn_checks.py").read_text()
    assert sandbox_batch["scores"]["writer"] == FULL and sandbox_batch["scores"]["honest"] == FULL


def test_no_network_not_even_loopback(sandbox_batch):
    text = loot(sandbox_batch["course_dir"], "network")
    assert "CONNECTED" not in text and text.count("DENIED") == 2
    assert sandbox_batch["listener"].connections == 0


def test_memory_is_limited(sandbox_batch):
    text = loot(sandbox_batch["course_dir"], "memory")
    assert "DENIED memory after" in text
    assert int(text.split("DENIED memory after ")[1].split()[0]) <= sandbox.LIMITS["memory_mb"]
    assert sandbox_batch["scores"]["memory"] == FULL


def test_process_count_is_limited(sandbox_batch):
    text = loot(sandbox_batch["course_dir"], "forker")
    assert "DENIED fork after" in text
    assert int(text.split("DENIED fork after ")[1].split(":")[0]) < sandbox.LIMITS["nproc"]
    assert sandbox_batch["scores"]["forker"] == FULL


def test_exiting_the_kernel_earns_nothing_and_the_class_is_still_graded(sandbox_batch):
    scores = sandbox_batch["scores"]
    assert scores["hard_exit"] == {**FULL, "conv_forward": 0.0, "pool_forward": 0.0}  # died in conv_forward's cell
    assert scores["sys_exit"]["conv_forward"] == 0 and scores["sys_exit"]["zero_pad"] == 10
    assert scores["honest"] == FULL


def test_nbgrader_autograde_without_bwrap_stops_with_the_fix(fresh_course, tmp_path):
    course_dir = course_copy(fresh_course, tmp_path / "course")
    submit(course_dir, "alice", FORWARD, {})
    venv_only = str(sandbox.Path(sandbox.sys.executable).parent)  # no /usr/bin: no bwrap
    result = run_nbgrader(course_dir, "autograde", FORWARD, env={"PATH": venv_only}, check=False)
    assert result.returncode != 0
    assert "error: bubblewrap (bwrap) is not installed" in result.stderr and "make sandbox-deps" in result.stderr
    assert exercise_scores(course_dir, FORWARD) == {}  # nothing graded unsandboxed


def test_missing_bwrap_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SystemExit, match="make sandbox-deps"):
        sandbox.require()


def test_grading_tool_opt_out_warns_and_says_so_to_every_job(fresh_course, capsys):
    args = cli.grade_parser().parse_args([FORWARD, "--course-dir", str(fresh_course), "--no-sandbox"])
    (batch,) = cli.make_batches(args)
    assert batch.env == (("CNN_SANDBOX", "off"),)
    assert "WARNING: grading WITHOUT the sandbox" in capsys.readouterr().err


def test_grading_tool_without_bwrap_is_a_one_line_error(fresh_course, monkeypatch, capsys):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)  # bwrap not installed
    assert cli.grade_main([FORWARD, "--course-dir", str(fresh_course), "-q"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "make sandbox-deps" in error
