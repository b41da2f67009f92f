"""Shared fixtures. Every test runs with HOME and the Jupyter folders inside a temp folder, so
nothing leaks into the user's home or the repository; a session that changed the repository's
``git status`` fails (the tests must leave a checkout as they found it)."""

import hashlib
import os
import subprocess
import tempfile
import warnings

import pytest

from course import release
from course.layout import ROOT

GIT_STATUS = pytest.StashKey[str | None]()  # the repository's `git status --porcelain` when the session started
CHANGED = pytest.StashKey[list]()  # the lines of `git status --porcelain` the session changed


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    for name, sub in [
        ("HOME", ""),
        ("JUPYTER_CONFIG_DIR", ".jupyter"),
        ("JUPYTER_DATA_DIR", ".local/share/jupyter"),
        ("JUPYTER_RUNTIME_DIR", ".local/share/jupyter/runtime"),
        ("IPYTHONDIR", ".ipython"),
        ("MPLCONFIGDIR", ".matplotlib"),
    ]:
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(path)
    os.environ.pop("JUPYTER_PATH", None)
    os.environ.pop("CNN_SANDBOX", None)
    os.environ["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    yield home
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def fresh_course(tmp_path_factory):
    """A copy of the course (config, course package, source/) in a temp folder, with every
    assignment's release generated and recorded in its gradebook. Copy it before grading in it
    (helpers.course_copy)."""
    course_dir = release.copy_course(tmp_path_factory.mktemp("course"))
    release.build(course_dir)
    return course_dir


@pytest.fixture(scope="session")
def graded_class(fresh_course, tmp_path_factory):
    """The session's graded class (tests/graded_class.py), graded once: read it, do not change it."""
    import graded_class
    from helpers import course_copy

    claim_once_per_session(tmp_path_factory, "graded_class")
    return graded_class.grade(course_copy(fresh_course, tmp_path_factory.mktemp("class") / "course"))


def claim_once_per_session(tmp_path_factory, name):
    """Fail if another xdist worker of this session already built the fixture ``name``: it is meant to
    be built once per session (the tests that use it share one worker, see below), and a second build
    doubles the suite's time without failing anything (it happened: pytest 9.2 broke xdist's groups)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return  # one process: a session fixture is built once anyway
    claim = tmp_path_factory.getbasetemp().parent / f"built-once-{name}"  # shared by this session's workers
    try:
        fd = os.open(claim, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        pytest.fail(
            f"{name} is being built a second time in this session ({worker}; first by "
            f"{claim.read_text() or 'another worker'}): run pytest with --dist loadgroup (the Makefile does), "
            f"with the pytest and pytest-xdist pinned in requirements-dev.txt"
        )
    with os.fdopen(fd, "w") as f:
        f.write(worker)


def pytest_collection_modifyitems(config, items):
    """Tests that share an expensive fixture run on one xdist worker (``--dist loadgroup``, set in the
    Makefile), so it is built once per session, not once per worker: every test that reads the graded
    class, and the tests of a module that has a module-scoped fixture (a course graded for that module)."""
    for item in items:
        if "graded_class" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("graded_class"))
        elif uses_a_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


def uses_a_module_fixture(item):
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    return any(d.scope == "module" for defs in definitions.values() for d in defs)


def pytest_configure(config):
    # test_bug_corpus.py writes its table variant -> points here (workers inherit the variable).
    if "CNN_CORPUS_TABLE" not in os.environ:
        os.environ["CNN_CORPUS_TABLE"] = os.path.join(tempfile.mkdtemp(prefix="cnn-corpus-"), "table.txt")


def git_status(root=ROOT):
    """``git status --porcelain`` of ``root`` (untracked files listed one by one), each line with a
    digest of the file's content (so rewriting a file already modified counts as a change), or None
    when ``root`` is not a git checkout (or git is missing)."""
    if not (root / ".git").exists():
        return None
    try:
        command = ["git", "status", "--porcelain", "--untracked-files=all"]
        lines = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return None
    status = []
    for line in lines:
        path = root / line[3:].split(" -> ")[-1].strip('"')
        digest = hashlib.sha1(path.read_bytes()).hexdigest()[:12] if path.is_file() else "absent"
        status.append(f"{line}  [{digest}]")
    return "\n".join(status)


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller only (xdist workers share its checkout)
        session.config.stash[GIT_STATUS] = git_status()


def pytest_sessionfinish(session):
    """Fail the session when its tests changed the repository: a tracked file modified or deleted, or a
    file git does not ignore left behind."""
    before = session.config.stash.get(GIT_STATUS, None)
    after = git_status() if before is not None else None
    if after is None:
        return
    old, new = (set(status.splitlines()) - set(_intended(status)) for status in (before, after))
    if old != new:
        session.config.stash[CHANGED] = [f"now:    {line}" for line in sorted(new - old)] + [
            f"before: {line}" for line in sorted(old - new)
        ]
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _intended(status):
    """The lines of ``status`` that a run may change on purpose: the README's pictures in ``images/``
    when ``CNN_README_IMAGES=1`` (``make readme-images``)."""
    if os.environ.get("CNN_README_IMAGES") != "1":
        return []
    return [line for line in status.splitlines() if line[3:].startswith("images/")]


def pytest_terminal_summary(terminalreporter):
    path = os.environ.get("CNN_CORPUS_TABLE")
    if path and os.path.exists(path) and not hasattr(terminalreporter.config, "workerinput"):
        terminalreporter.section("bug corpus: points per exercise (variant = student)")
        with open(path) as handle:
            terminalreporter.write(handle.read())
    changed = terminalreporter.config.stash.get(CHANGED, [])
    if changed:
        terminalreporter.section("the tests changed the repository (git status --porcelain)", red=True)
        terminalreporter.write_line("\n".join(changed), red=True)
        terminalreporter.write_line("FAILED: a test run must leave the checkout as it found it", red=True, bold=True)
