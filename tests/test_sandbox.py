"""The grading sandbox against the tamper corpus (tests/tamper.py): real ``nbgrader autograde`` runs,
every kernel under bubblewrap, attackers graded in the same batch as honest students."""

import hashlib
import shutil
import socket
import threading

import pytest
import tamper

from course import sandbox
from course.gradebook import default_db_url, exercise_scores
from course.layout import ASSIGNMENT, EXERCISES
from course.nbgrader_cli import run_nbgrader
from course.submissions import solution_code, write_submission

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

FULL = {e.function: float(e.points) for e in EXERCISES}
SECRET = "VICTIM-SECRET-5b1e0c"  # in the victim's submission only


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


def grade_sandboxed(course_dir, students, one_by_one=()):
    """Write ``{student: code}`` submissions and autograde every submission sandboxed: one nbgrader
    run for the batch, then one run per student of ``one_by_one`` (as the grading tool does:
    a notebook whose nbgrader metadata is broken makes nbgrader abandon the rest of a batch)."""
    for student, code in students.items():
        write_submission(course_dir / "submitted" / student / ASSIGNMENT, code, course_dir / "release" / ASSIGNMENT)
    results = []
    for student in [None, *one_by_one]:
        args, env = sandbox.nbgrader_options(course_dir)
        selection = (
            ["--student", student] if student else [f"--CourseDirectory.student_id_exclude={','.join(one_by_one)}"]
        )
        results.append(
            run_nbgrader(
                course_dir, "autograde", ASSIGNMENT, "--force", *selection, *args, env=env, check=False, timeout=1800
            )
        )
    return exercise_scores(default_db_url(course_dir)), results


def loot(course_dir, student):
    path = course_dir / "autograded" / student / ASSIGNMENT / "loot.txt"
    return path.read_text() if path.exists() else ""


def with_attack(solutions, attack, cell="zero_pad", **fill):
    """The correct submission with ``attack`` run at the top of one solution cell."""
    return {**solutions, cell: attack.format(**fill) + "\n" + solutions[cell]}


@pytest.fixture(scope="module")
def sandbox_batch(fresh_course, tmp_path_factory):
    course_dir = tmp_path_factory.mktemp("sandboxed") / "course"
    shutil.copytree(fresh_course, course_dir, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback"))
    solutions = solution_code(course_dir / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    listener = Listener()
    fill = dict(course=course_dir, port=listener.port, victim="victim")
    checks_hash = hashlib.sha256((course_dir / "source" / ASSIGNMENT / "cnn_checks.py").read_bytes()).hexdigest()
    students = {
        "honest": solutions,
        "victim": {**solutions, "zero_pad": f"# {SECRET}\n" + solutions["zero_pad"]},
        "reader": with_attack(solutions, tamper.READ, **fill),
        "writer": with_attack(solutions, tamper.WRITE, **fill),
        "network": with_attack(solutions, tamper.NETWORK, **fill),
        "memory": with_attack(solutions, tamper.MEMORY, **fill),
        "forker": with_attack(solutions, tamper.FORK, **fill),
        "hard_exit": with_attack(solutions, tamper.HARD_EXIT, cell="conv_forward"),
        "sys_exit": with_attack(solutions, tamper.SYS_EXIT, cell="conv_forward"),
    }
    try:
        scores, result = grade_sandboxed(course_dir, students)
    finally:
        listener.close()
    return dict(course_dir=course_dir, scores=scores, result=result, listener=listener, checks_hash=checks_hash)


def test_honest_students_get_full_marks_in_the_sandbox(sandbox_batch):
    assert sandbox_batch["scores"]["honest"] == FULL
    assert sandbox_batch["scores"]["victim"] == FULL


def test_course_files_and_other_submissions_are_invisible(sandbox_batch):
    text = loot(sandbox_batch["course_dir"], "reader")
    assert "DENIED" in text and "LISTING" in text  # the attack ran
    assert "READ " not in text.replace("READ cnn_step_by_step.ipynb", "")  # only its own, emptied notebook
    for secret in (SECRET, "BEGIN HIDDEN TESTS", "_hidden_", "SQLite format", "### BEGIN SOLUTION"):
        assert secret not in text
    assert "gradebook.db" not in text.split("LISTING", 1)[1]
    assert sandbox_batch["scores"]["reader"] == FULL  # its own honest work still counts


def test_gradebook_sources_and_other_folders_cannot_be_written(sandbox_batch):
    course_dir = sandbox_batch["course_dir"]
    text = loot(course_dir, "writer")
    assert "WROTE" not in text and text.count("DENIED") == 5
    checks = course_dir / "source" / ASSIGNMENT / "cnn_checks.py"
    assert hashlib.sha256(checks.read_bytes()).hexdigest() == sandbox_batch["checks_hash"]
    assert "tampered" not in (course_dir / "autograded" / "victim" / ASSIGNMENT / "cnn_checks.py").read_text()
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
    assert sum(scores.get("hard_exit", {}).values()) == 0  # the kernel died: nothing to grade
    assert scores["sys_exit"]["conv_forward"] == 0 and scores["sys_exit"]["zero_pad"] == 10
    assert scores["honest"] == FULL


def test_missing_bwrap_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(sandbox.SandboxUnavailable, match="make sandbox-deps"):
        sandbox.nbgrader_options(tmp_path)


def test_grading_tool_sandboxes_by_default(fresh_course):
    from course import grade

    batch = grade.make_batch(grade.parser().parse_args([ASSIGNMENT, "--course-dir", str(fresh_course), "-q"]))
    args, env = batch.job_options("anyone")
    assert f"--Execute.kernel_name={sandbox.KERNEL_NAME}" in args and "--KernelManager.transport=ipc" in args
    assert "JUPYTER_PATH" in env


def test_grading_tool_opt_out_warns(fresh_course, capsys):
    from course import grade

    batch = grade.make_batch(grade.parser().parse_args([ASSIGNMENT, "--course-dir", str(fresh_course), "--no-sandbox"]))
    assert batch.job_options("anyone") == ((), {})
    assert "WARNING: grading without the sandbox" in capsys.readouterr().err


def test_grading_tool_without_bwrap_is_a_one_line_error(fresh_course, monkeypatch, capsys):
    from course import grade

    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)  # bwrap not installed
    assert grade.main([ASSIGNMENT, "--course-dir", str(fresh_course), "-q"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "make sandbox-deps" in error and "--no-sandbox" in error
