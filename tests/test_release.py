"""The committed release is exactly what nbgrader generates, and nothing secret is in it."""

import json
import shutil

import nbformat
import pytest
from helpers import ASSIGNMENTS

from course import exercises, release
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
        else:
            same = (fresh / relative).read_bytes() == (committed / relative).read_bytes()
        assert same, f"release/{assignment}/{relative} is out of date: run `make release` and commit release/"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_shipped_checks_agree_with_the_grader(assignment):
    """cnn_checks.py is course/grading/checks.py, and cnn_checks.json holds the exercises' visible cases."""
    for name, content in release.visible_checks_files(assignment).items():
        assert (source_dir(assignment) / name).read_text() == content, f"run `make release`: {name} is stale"


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
