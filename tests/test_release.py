"""The committed release is exactly what nbgrader generates (its checks' expected values within the
checks' tolerance), and nothing secret is in it."""

import json
import shutil
import subprocess

import nbformat
import numpy as np
import pytest
from helpers import ASSIGNMENTS

from course import exercises, release
from course.grading import checks
from course.layout import ROOT, release_dir, source_dir
from course.nbgrader_cli import NbgraderError, run_nbgrader


def _files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_release_matches_a_fresh_generation(fresh_course, assignment):
    fresh, committed = release_dir(assignment, fresh_course), release_dir(assignment)
    assert _files(fresh) == _files(committed), "run `make release` and commit release/"
    for relative in _files(fresh):
        if relative.suffix == ".ipynb":
            same = json.loads((fresh / relative).read_text()) == json.loads((committed / relative).read_text())
        elif relative.name == release.DATA_FILE:  # expected values: within the checks' tolerance
            same = release.visible_checks_agree(
                relative.name, (committed / relative).read_text(), (fresh / relative).read_text()
            )
        else:
            same = (fresh / relative).read_bytes() == (committed / relative).read_bytes()
        assert same, f"release/{assignment}/{relative} is out of date: run `make release` and commit release/"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_shipped_checks_agree_with_the_grader(assignment):
    """cnn_checks.py is course/grading/checks.py, and cnn_checks.json holds the exercises' visible cases
    (and expected values that agree with the grader's within the checks' tolerance)."""
    for name, content in release.visible_checks_files(assignment).items():
        committed = (source_dir(assignment) / name).read_text()
        assert release.visible_checks_agree(name, committed, content), f"run `make release`: {name} is stale"


def _with_expected(text, function, case, change):
    """A cnn_checks.json text with one expected array of ``function``'s ``case`` changed by ``change``."""
    document = json.loads(text)
    spec = document["exercises"][function]
    value = checks.decode(spec["expected"][case])
    value = change(value) if isinstance(value, np.ndarray) else (change(value[0]), *value[1:])
    spec["expected"][case] = checks.encode(value)
    return json.dumps(document, sort_keys=True) + "\n"


def test_expected_values_that_agree_within_the_tolerance_are_not_rewritten(tmp_path):
    """A cnn_checks.json whose expected values differ in their last bits (another machine's math library)
    stays as it is; one that a check would tell apart, or whose cases changed, is rewritten."""
    content = release.visible_checks_files(ASSIGNMENTS[0])[release.DATA_FILE]
    last_bit = _with_expected(content, "conv_forward", "c0", lambda a: np.nextafter(a, np.inf))
    off = _with_expected(content, "conv_forward", "c0", lambda a: a + 1e-4)
    assert last_bit != content and release.visible_checks_agree(release.DATA_FILE, last_bit, content)
    assert not release.visible_checks_agree(release.DATA_FILE, off, content)
    assert not release.visible_checks_agree(release.DATA_FILE, content.replace('"c0"', '"c9"'), content)
    assert not release.visible_checks_agree(release.DATA_FILE, "{not json", content)
    assert not release.visible_checks_agree(release.CHECKS_FILE, "# other\n", "# checks\n")
    folder = shutil.copytree(source_dir(ASSIGNMENTS[0]), tmp_path / "source" / ASSIGNMENTS[0])
    (folder / release.DATA_FILE).write_text(last_bit)
    assert release.write_visible_checks(tmp_path, ASSIGNMENTS[0]) == []
    assert (folder / release.DATA_FILE).read_text() == last_bit
    (folder / release.DATA_FILE).write_text(off)
    assert release.write_visible_checks(tmp_path, ASSIGNMENTS[0]) == [release.DATA_FILE]
    assert (folder / release.DATA_FILE).read_text() == content


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_shipped_expected_values_are_rounded_far_below_the_tolerance(assignment):
    """Floats only tolerant checks look at ship rounded to 12 significant digits (of their array's
    magnitude), so a machine's last bit does not reach the file; the rest ships exactly."""
    shipped = json.loads(release.visible_checks_files(assignment)[release.DATA_FILE])
    rounded = 0
    for function, spec in shipped["exercises"].items():
        exercise = exercises.find(function)[1]
        for cid, encoded in spec["expected"].items():
            for got, want in zip(_leaves(checks.decode(encoded)), _leaves(exercise.expected[cid])):
                assert type(got) is type(want) and np.shape(got) == np.shape(want)
                if isinstance(want, float) or isinstance(want, np.ndarray) and want.dtype == np.float64 and want.size:
                    scale = max(1.0, float(np.max(np.abs(want))))
                    assert np.max(np.abs(got - want)) <= 5e-12 * scale, (function, cid)
                    rounded += not np.array_equal(got, want)
                else:
                    assert checks._same(got, want) or (got != got and want != want), (function, cid)
    assert rounded > 0


def _leaves(value):
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_release_holds_no_solution_no_hidden_test_no_output(assignment):
    assert release.release_problems(release_dir(assignment), source_dir(assignment)) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_stubs_every_exercise_and_its_test_cells_have_the_exercises_points(assignment):
    nb = nbformat.read(str(release_dir(assignment) / f"{assignment}.ipynb"), as_version=4)
    stubs = {c.metadata.nbgrader["grade_id"]: c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}
    tests = {c.metadata.nbgrader["grade_id"]: c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    found = exercises.assignment(assignment).exercises
    then = {case.then[0] for e in found for case in e.cases.values() if case.then}  # load_params: its own stub
    assert sorted(stubs) == sorted({e.function for e in found} | then)
    assert all("raise NotImplementedError()" in c.source for c in stubs.values())
    assert {gid: c.metadata.nbgrader["points"] for gid, c in tests.items()} == {e.test_cell: e.points for e in found}
    assert all(f'check("{gid[5:]}")' in c.source for gid, c in tests.items())


@pytest.mark.parametrize("leak", ["solution", "hidden", "output"])
def test_the_leak_check_catches_leaks(tmp_path, leak):
    shutil.copytree(release_dir(ASSIGNMENTS[0]), tmp_path / "release")
    path = tmp_path / "release" / f"{ASSIGNMENTS[0]}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "conv_forward")
    if leak == "solution":
        cell.source += "\n    n_H = (n_H_prev - f + 2 * pad) // stride + 1"
    elif leak == "hidden":
        cell.source += "\n### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS"
    else:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello")]
    nbformat.write(nb, str(path))
    assert release.release_problems(tmp_path / "release", source_dir(ASSIGNMENTS[0]))


def test_generation_refuses_a_release_that_would_leak(fresh_course, tmp_path):
    """However the release is generated (formgrader's Generate button runs the same steps), a file of
    the assignment's folder holding a reference solution stops it (nbgrader itself refuses solution
    and hidden-test regions outside their cells)."""
    course_dir = tmp_path / "course"
    shutil.copytree(fresh_course, course_dir, ignore=shutil.ignore_patterns("release", "gradebook.db"))
    _, conv_forward = exercises.find("conv_forward")
    (source_dir(ASSIGNMENTS[0], course_dir) / "my_notes.py").write_text(conv_forward.reference_source())
    with pytest.raises(NbgraderError, match="the release would leak: my_notes.py: holds a line of a reference"):
        run_nbgrader(course_dir, "generate_assignment", ASSIGNMENTS[0], "--force")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebooks_are_stored_as_jupyterlab_saves_them(assignment):
    """nbformat 4.5 with cell ids, the metadata the kernel reports: opening and saving changes nothing."""
    for path in (source_dir(assignment) / f"{assignment}.ipynb", release_dir(assignment) / f"{assignment}.ipynb"):
        nb = nbformat.read(str(path), as_version=4)
        assert (nb.nbformat, nb.nbformat_minor) == (4, 5) and all("id" in c for c in nb.cells)
        assert path.read_text() == nbformat.writes(nb) + "\n"  # Jupyter's own serialisation
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_folder_has_the_figures_the_notebook_shows(assignment):
    nb = nbformat.read(str(release_dir(assignment) / f"{assignment}.ipynb"), as_version=4)
    shown = {part.split(")")[0] for c in nb.cells if c.cell_type == "markdown" for part in c.source.split("](")[1:]}
    for relative in shown:
        assert (release_dir(assignment) / relative).is_file(), f"{relative} is not in the release folder"
        assert (ROOT / "source" / assignment / relative).is_file()


def _git(folder, *args):
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs a git checkout of the course")
def test_building_the_release_leaves_a_checkout_unchanged(tmp_path):
    """`make demo` (and `make release`) build the release in the repository itself: on a checkout of the
    tracked files (as they are in the working tree), the build rewrites nothing and leaves nothing
    untracked, on any machine (cnn_checks.json holds values that agree within the checks' tolerance)."""
    checkout = tmp_path / "checkout"
    for relative in _git(ROOT, "ls-files", "-z").split("\0"):
        if relative and (ROOT / relative).is_file():
            (checkout / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / relative, checkout / relative)
    _git(checkout, "init", "--quiet")
    _git(checkout, "add", "--all")
    _git(checkout, "-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "--quiet", "-m", "tracked")
    assert _git(checkout, "status", "--porcelain") == ""
    release.build(checkout)
    assert _git(checkout, "status", "--porcelain") == "", "building the release changed the checkout"
