"""The pure pieces of the grading tool, without nbgrader runs: failure classification, the ledger
(a line cut short by a kill), the sandbox's command line and kernelspec, the report's bins."""

import json
import os
import sys

import pytest

from course import ledger, report, sandbox, sandbox_kernel
from course.jobs import FAILED, GRADED, RETRY, JobResult, classify_failure


@pytest.mark.parametrize(
    ("log", "status", "words"),
    [
        ("sqlite3.OperationalError: database is locked", RETRY, "locked"),
        ("SystemExit: error: bubblewrap (bwrap) is not installed, and grading ...", FAILED, "make sandbox-deps"),
        ("RuntimeError: Kernel died before replying to kernel_info", FAILED, "could not start"),
        ("nbformat.reader.NotJSONError: Notebook does not appear to be JSON", FAILED, "not valid JSON"),
        ("nbgrader.nbgraderformat.common.SchemaTooOldError", FAILED, "too old"),
        ("Traceback ...\nValueError: something unexpected\n", FAILED, "nbgrader failed: ValueError: something"),
        ("", FAILED, "without a message"),
    ],
)
def test_failures_are_classified_in_one_line(log, status, words):
    found, reason = classify_failure(log)
    assert found == status and words in reason and "\n" not in reason


def test_the_ledger_keeps_the_latest_result_and_ignores_a_line_cut_short(tmp_path):
    path = ledger.ledger_path(tmp_path, "a")
    ledger.append(path, JobResult(student="ann", status=FAILED, reason="locked", digest="d1"))
    ledger.append(path, JobResult(student="ann", status=GRADED, digest="d1"))
    ledger.append(path, JobResult(student="bob", status=GRADED, digest="d2"))
    with open(path, "a") as handle:
        handle.write(json.dumps({"student": "bob", "status": "failed"})[:20])  # killed mid-write
    ledger.append(path, JobResult(student="cid", status=GRADED, digest="d3"))  # the rerun after the kill
    results = ledger.latest(path)
    assert results["ann"].status == GRADED and results["bob"].status == GRADED and results["bob"].digest == "d2"
    assert results["cid"].digest == "d3"  # not glued to the line cut short
    (tmp_path / "graded").mkdir()
    (tmp_path / "graded" / "a.ipynb").write_text("{}")
    assert ledger.is_graded(results["ann"], "d1", tmp_path / "graded")
    assert not ledger.is_graded(results["ann"], "changed", tmp_path / "graded")  # a new submission
    assert not ledger.is_graded(results["ann"], "d1", tmp_path / "missing")  # its graded copy is gone


def test_the_kernelspec_carries_the_limits_set_in_one_place(tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    spec = sandbox.kernelspec()
    assert spec["argv"][:2] == [sys.executable, str(sandbox.LAUNCHER)] and spec["interrupt_mode"] == "message"
    assert {
        f"--memory-mb={sandbox.LIMITS['memory_mb']}",
        f"--nproc={sandbox.LIMITS['nproc']}",
        f"--cpu-seconds={sandbox.LIMITS['cpu_seconds']}",
    } <= set(spec["argv"])
    data_dir = sandbox.install_kernelspec(tmp_path)
    assert json.loads((data_dir / "kernels" / sandbox.KERNEL_NAME / "kernel.json").read_text()) == spec
    assert os.environ["JUPYTER_PATH"].split(os.pathsep)[0] == str(data_dir)
    with pytest.raises(SystemExit):
        sandbox_kernel._parse(["{connection_file}"])  # the launcher has no limits of its own


def test_the_sandbox_command_line_isolates_the_kernel(tmp_path):
    workdir = tmp_path / "autograded" / "ann" / "a"
    workdir.mkdir(parents=True)
    (workdir / "a.ipynb").write_text("{}")
    (workdir / "cnn_checks.py").write_text("")
    args = sandbox_kernel._parse(["--memory-mb=2048", "--nproc=64", "--cpu-seconds=600", "conn.json"])
    line = sandbox_kernel.command(args, str(workdir), "/tmp/private", 200123)
    text = " ".join(line)
    assert line[0] == "bwrap" and "--unshare-net" in line and "--unshare-pid" in line and "--die-with-parent" in line
    assert "--clearenv" in line and f"--bind {workdir} {workdir}" in text and "--chdir" in line
    assert f"--ro-bind /dev/null {workdir / 'a.ipynb'}" in text  # the notebook reads as empty
    assert f"--ro-bind {workdir / 'cnn_checks.py'} {workdir / 'cnn_checks.py'}" in text  # nbgrader's files: read-only
    bound = [line[i + 2] for i, a in enumerate(line) if a in ("--bind", "--ro-bind")]
    assert all(not b.startswith(str(tmp_path)) or b.startswith(str(workdir)) for b in bound)  # no other course file
    shim = line.index("-c") + 2
    assert line[shim : shim + 5] == ["200123", "64", str(2048 * 2**20), "600", sys.executable]


def test_histogram_bins_end_at_the_maximum():
    assert report.bins(100) == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert report.bins(50)[-1] == 50


def test_a_first_submission_is_recorded_without_sqlalchemy_warnings(tmp_path):
    """nbgrader's add_submission, as the course's config leaves it: no warning, every row recorded."""
    import warnings

    from nbgrader.api import Gradebook

    from course import nbgrader_fixes

    nbgrader_fixes.add_submission_without_autoflush()
    nbgrader_fixes.add_submission_without_autoflush()  # the config may be loaded twice in a process
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        gb.add_assignment("a")
        gb.add_notebook("nb", "a")
        gb.add_grade_cell("test_f", "nb", "a", max_score=10, cell_type="code")
        gb.add_solution_cell("f", "nb", "a")
        gb.add_student("alice")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            gb.add_submission("a", "alice")
        submitted = gb.find_submission("a", "alice")
        assert [n.name for n in submitted.notebooks] == ["nb"]
        assert [g.name for g in submitted.notebooks[0].grades] == ["test_f"]
        assert [c.name for c in submitted.notebooks[0].comments] == ["f"]


def test_the_cpu_clock_counts_work_done_below_the_process_and_not_waiting(tmp_path):
    """A child that waits while its own child (detached into a new session) does 0.3 s of work:
    the tree's CPU time counts that work; the waiting (1 s of sleep) counts nothing."""
    import subprocess
    import time

    from course.grading import cpu_clock

    script = (
        "import os, subprocess, sys, time\n"
        "burn = 'import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.3: pass\\n'\n"
        "child = subprocess.Popen([sys.executable, '-c', burn], start_new_session=True)\n"
        "print('started', flush=True)\n"
        "child.wait()\n"
        "print('reaped', flush=True)\n"
        "time.sleep(1)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "started"
    before = cpu_clock.tree_seconds(process.pid)
    assert process.stdout.readline().strip() == "reaped"  # the grandchild's work is done; the child sleeps
    after = cpu_clock.tree_seconds(process.pid)
    time.sleep(0.5)  # the child sleeps too
    later = cpu_clock.tree_seconds(process.pid)
    process.wait()
    assert 0.25 <= after - before <= 0.6, (before, after)
    assert later - after < 0.05, (after, later)
    assert cpu_clock.tree_seconds(process.pid) == 0.0  # ended: nothing to read


def test_the_hub_closes_its_checkout_to_others_and_leaves_what_is_inside(tmp_path):
    from course import hub

    checkout = tmp_path / "checkout"
    (checkout / "source").mkdir(parents=True)
    checkout.chmod(0o755)
    (checkout / "source").chmod(0o755)
    settings = hub.Settings(state=tmp_path / "state", prefix="cnn-unit-test-nobody", course=tmp_path / "course")
    assert hub.close_checkout(settings, checkout) == 0o750
    assert (checkout.stat().st_mode & 0o777, (checkout / "source").stat().st_mode & 0o777) == (0o750, 0o755)
    assert hub.close_checkout(settings, checkout) is None  # already closed: nothing to do


def test_stale_socket_folders_are_removed_and_a_process_keeps_one(tmp_path, monkeypatch):
    import tempfile
    import time

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(sandbox, "_PROCESS_IPC_DIRS", {})
    parent = tmp_path / f"cnn-sandbox-ipc-{os.getuid()}"
    stale, recent = parent / "stale", parent / "recent"
    for folder in (stale / "work-1", recent):
        folder.mkdir(parents=True)
    (stale / "kernel-1").symlink_to(stale / "gone")
    (stale / "kernel.json").write_text("{}")
    old = time.time() - 7200
    for path in (stale / "work-1", stale / "kernel.json", stale):
        os.utime(path, (old, old))
    os.utime(stale / "kernel-1", (old, old), follow_symlinks=False)
    mine = sandbox.process_ipc_dir()
    assert not stale.exists() and recent.exists()  # a folder untouched for an hour (a killed grader's) goes
    assert sandbox.process_ipc_dir() == mine  # one per process, however often the config is loaded
    mine.rmdir()
    assert sandbox.process_ipc_dir() != mine  # removed meanwhile (as stale): a new one


def test_the_course_environment_skips_the_iri_parser_and_jsonschema_still_checks_formats():
    """make venv's .pth (course.jobs.write_import_skip): no process of the venv builds rfc3987_syntax's
    parser (1.5 s of CPU each), and jsonschema's other format checks work as before."""
    import subprocess

    code = (
        "import sys, jsonschema\n"
        "checker = jsonschema.Draft7Validator.FORMAT_CHECKER\n"
        "v = jsonschema.Draft7Validator({'format': 'date'}, format_checker=checker)\n"
        "print(sys.modules['rfc3987_syntax'] is None, v.is_valid('2026-12-06'), v.is_valid('yesterday'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "False"]


def test_feedback_templates_compile_once_per_process_and_again_when_they_change(tmp_path):
    import jinja2

    from course import feedback_page

    cache = feedback_page._CompiledTemplates()
    (tmp_path / "page.j2").write_text("{{ score }} of {{ max_score }}")

    def render():  # a new environment each time, as nbgrader makes a new exporter for every student
        environment = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path), bytecode_cache=cache)
        return environment.get_template("page.j2").render(score=7, max_score=10)

    assert render() == "7 of 10" and len(cache.compiled) == 1
    compiled = dict(cache.compiled)
    assert render() == "7 of 10" and cache.compiled == compiled  # the second environment reused the code
    (tmp_path / "page.j2").write_text("{{ score }}/{{ max_score }}")
    assert render() == "7/10"  # a changed template is compiled again
    exporter = feedback_page.FeedbackExporter()
    assert exporter.environment.bytecode_cache is feedback_page.COMPILED_TEMPLATES


def test_a_released_feedback_page_gets_an_acl_for_its_student_and_nobody_else(tmp_path):
    import pwd

    from course import exchange

    page = tmp_path / "a1b2.html"
    page.write_text("<html>feedback</html>")
    page.chmod(0o644)  # as nbgrader's release_feedback leaves it
    releaser = exchange.PrivateReleaseFeedback()
    assert not releaser.restrict(str(page), "no-such-account-cnn-test")  # not an account: left as it was
    assert page.stat().st_mode & 0o777 == 0o644
    if not releaser.restrict(str(page), pwd.getpwuid(os.getuid()).pw_name):
        pytest.skip("this file system has no POSIX ACLs")
    assert page.stat().st_mode & 0o777 == 0o640  # others: nothing; the named student reads through the ACL
    assert os.getxattr(page, exchange.ACL_XATTR) == exchange.readable_by(os.getuid())
