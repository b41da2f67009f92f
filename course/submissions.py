"""Make submissions from a student release: its notebook with some solution cells filled.

Used by the demo class and by the tests (correct submissions, the untouched release, the bug and
forgery corpora). A solution cell is identified by its nbgrader ``grade_id``, the function's name.
"""

import shutil
from pathlib import Path

import nbformat


def solution_code(instructor_notebook):
    """``{grade_id: code}`` of every solution cell of an instructor notebook, markers removed."""
    nb = nbformat.read(str(instructor_notebook), as_version=4)
    code = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            lines = [line for line in cell.source.splitlines() if "BEGIN SOLUTION" not in line]
            lines = [line for line in lines if "END SOLUTION" not in line]
            code[meta["grade_id"]] = "\n".join(lines)
    return code


def write_submission(destination, code, release_dir):
    """Copy the release folder ``release_dir`` to ``destination`` with ``code`` filled into its
    notebook (``<assignment>.ipynb``, the assignment being the folder's name).

    ``code`` maps solution cell ids to their new source; other solution cells keep the stub.
    ``destination`` may be ``release_dir`` itself (a student filling in the folder they fetched).
    Returns the notebook path. Raises KeyError for an id that is not a solution cell.
    """
    release_dir, destination = Path(release_dir), Path(destination)
    notebook = f"{release_dir.name}.ipynb"
    nb = nbformat.read(str(release_dir / notebook), as_version=4)
    remaining = dict(code)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in remaining and cell.metadata["nbgrader"].get("solution"):
            cell.source = remaining.pop(grade_id)
    if remaining:
        raise KeyError(f"not solution cells of {notebook}: {sorted(remaining)}")
    # A student hands in the whole folder they received (notebook, cnn_checks.py and .json, images/).
    if destination.resolve() != release_dir.resolve():
        shutil.copytree(release_dir, destination, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    path = destination / notebook
    nbformat.write(nb, str(path))
    return path
