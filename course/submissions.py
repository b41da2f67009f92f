"""Make submissions from the student release: the release notebook with some solution cells filled.

Used by the demo class and by the tests (the correct submission, the untouched release, the bug
corpus). A solution cell is identified by its nbgrader ``grade_id``, which is the function name.
"""

import shutil
from pathlib import Path

import nbformat

from .layout import NOTEBOOK, RELEASE_DIR, SOURCE_DIR


def solution_code(instructor_notebook=SOURCE_DIR / NOTEBOOK):
    """``{grade_id: code}`` of every solution cell of the instructor notebook, markers removed."""
    nb = nbformat.read(str(instructor_notebook), as_version=4)
    code = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            lines = [
                line for line in cell.source.splitlines() if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line
            ]
            code[meta["grade_id"]] = "\n".join(lines)
    return code


def write_submission(destination, code, release_dir=RELEASE_DIR):
    """Copy the release folder to ``destination`` with ``code`` filled into its notebook.

    ``code`` maps solution cell ids to their new source; other solution cells keep the stub.
    Returns the notebook path. Raises KeyError for an id that is not a solution cell.
    """
    nb = nbformat.read(str(Path(release_dir) / NOTEBOOK), as_version=4)
    remaining = dict(code)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in remaining and cell.metadata["nbgrader"].get("solution"):
            cell.source = remaining.pop(grade_id)
    if remaining:
        raise KeyError(f"not solution cells of the release: {sorted(remaining)}")
    destination = Path(destination)
    # A student hands in the whole folder they received (notebook, cnn_checks.py, images/).
    shutil.copytree(
        release_dir, destination, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    )
    path = destination / NOTEBOOK
    nbformat.write(nb, str(path))
    return path
