"""Shared fixtures. Every test runs with HOME and the Jupyter folders inside a temp folder, so
nothing leaks into the user's home or the repository."""

import os
import tempfile
import warnings

import pytest

from course import release


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

    return graded_class.grade(course_copy(fresh_course, tmp_path_factory.mktemp("class") / "course"))


def pytest_collection_modifyitems(config, items):
    """Every test that reads the graded class runs on the same xdist worker (``--dist loadgroup``,
    set in the Makefile), so the class is graded once per session, not once per worker."""
    for item in items:
        if "graded_class" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("graded_class"))


def pytest_configure(config):
    # test_bug_corpus.py writes its table variant -> points here (workers inherit the variable).
    if "CNN_CORPUS_TABLE" not in os.environ:
        os.environ["CNN_CORPUS_TABLE"] = os.path.join(tempfile.mkdtemp(prefix="cnn-corpus-"), "table.txt")


def pytest_terminal_summary(terminalreporter):
    path = os.environ.get("CNN_CORPUS_TABLE")
    if path and os.path.exists(path) and not hasattr(terminalreporter.config, "workerinput"):
        terminalreporter.section("bug corpus: points per exercise (variant = student)")
        with open(path) as handle:
            terminalreporter.write(handle.read())
