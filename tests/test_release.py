"""The committed release is exactly what nbgrader generates, and nothing secret is in it."""

import json
import shutil

import nbformat
import pytest

from course.layout import NOTEBOOK, RELEASE_DIR, ROOT, SOURCE_DIR
from course.release import release_problems


def _files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def test_committed_release_matches_a_fresh_generation(fresh_course):
    fresh = fresh_course / "release" / "cnn_step_by_step"
    assert _files(fresh) == _files(RELEASE_DIR), "run `make release` and commit release/"
    for relative in _files(fresh):
        if relative.suffix == ".ipynb":
            same = json.loads((fresh / relative).read_text()) == json.loads((RELEASE_DIR / relative).read_text())
        else:
            same = (fresh / relative).read_bytes() == (RELEASE_DIR / relative).read_bytes()
        assert same, f"release/{relative} is out of date: run `make release` and commit release/"


def test_committed_release_holds_no_solution_no_hidden_test_no_output():
    assert release_problems(RELEASE_DIR, SOURCE_DIR / NOTEBOOK) == []


def test_release_stubs_every_exercise():
    nb = nbformat.read(str(RELEASE_DIR / NOTEBOOK), as_version=4)
    stubs = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert len(stubs) == 8
    assert all("raise NotImplementedError()" in c.source for c in stubs)


@pytest.mark.parametrize("leak", ["solution", "hidden", "output"])
def test_the_leak_check_catches_leaks(tmp_path, leak):
    shutil.copytree(RELEASE_DIR, tmp_path / "release")
    path = tmp_path / "release" / NOTEBOOK
    nb = nbformat.read(str(path), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "conv_forward")
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_conv_forward")
    if leak == "solution":
        cell.source += "\n    n_H = (n_H_prev - f + 2 * pad) // stride + 1"
    elif leak == "hidden":
        test.source += "\ncard.lend(globals(), zero_pad=_hidden_zero_pad, conv_single_step=_hidden_conv_single_step)"
    else:
        test.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello")]
    nbformat.write(nb, str(path))
    assert release_problems(tmp_path / "release", SOURCE_DIR / NOTEBOOK)


def test_notebooks_in_git_have_no_outputs():
    nb = nbformat.read(str(SOURCE_DIR / NOTEBOOK), as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def test_release_folder_has_the_figures_the_notebook_shows():
    nb = nbformat.read(str(RELEASE_DIR / NOTEBOOK), as_version=4)
    shown = {part.split(")")[0] for c in nb.cells if c.cell_type == "markdown" for part in c.source.split("](")[1:]}
    assert shown, "the lesson shows figures"
    for relative in shown:
        assert (RELEASE_DIR / relative).is_file(), f"{relative} is not in the release folder"
        assert (ROOT / "source" / "cnn_step_by_step" / relative).is_file()
