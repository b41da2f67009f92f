"""Build the student release from the instructor notebook, and check that nothing leaks into it.

``nbgrader generate_assignment`` does the work (solutions replaced by stubs, hidden tests removed,
outputs cleared, test cells recorded in the gradebook so autograde can restore them); this module
runs it and then checks its result.
"""

import shutil
from pathlib import Path

import nbformat

from .layout import ASSIGNMENT, NOTEBOOK, ROOT
from .nbgrader_cli import run_nbgrader

REGIONS = (("BEGIN SOLUTION", "END SOLUTION"), ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))


def copy_course(destination, root=ROOT):
    """Copy what an nbgrader course needs (config and source/) to ``destination``; return it."""
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", destination / "nbgrader_config.py")
    shutil.copytree(
        root / "source",
        destination / "source",
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
    )
    return destination


def generate(course_dir=ROOT):
    """Run ``nbgrader generate_assignment`` in ``course_dir``; return the release folder."""
    run_nbgrader(course_dir, "generate_assignment", ASSIGNMENT, "--force")
    return Path(course_dir) / "release" / ASSIGNMENT


def hidden_lines(instructor_notebook):
    """Lines of the instructor notebook that must never reach students: distinctive lines (12+
    characters, not comments) inside solution or hidden-test regions that appear nowhere else."""
    nb = nbformat.read(str(instructor_notebook), as_version=4)
    secret, public = set(), set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if any(begin in line for begin, _ in REGIONS):
                inside = True
            elif any(end in line for _, end in REGIONS):
                inside = False
            elif inside and len(line.strip()) >= 12 and not line.strip().startswith("#"):
                secret.add(line.strip())
            elif not inside:
                public.add(line.strip())
    return secret - public


def release_problems(release_dir, instructor_notebook):
    """Everything wrong with a release folder: leaked solution or hidden-test lines, outputs."""
    problems = []
    nb = nbformat.read(str(Path(release_dir) / NOTEBOOK), as_version=4)
    secret = hidden_lines(instructor_notebook)
    for index, cell in enumerate(nb.cells):
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            if marker in cell.source:
                problems.append(f"cell {index}: the marker {marker!r} reached the release")
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            if line.strip() in secret:
                problems.append(f"cell {index}: solution or hidden-test line leaked: {line.strip()!r}")
        if cell.get("outputs") or cell.get("execution_count") is not None:
            problems.append(f"cell {index}: has outputs")
    for path in Path(release_dir).rglob("*"):
        if path.is_file() and path.suffix != ".ipynb":
            text = path.read_bytes()
            if b"BEGIN SOLUTION" in text or b"BEGIN HIDDEN TESTS" in text:
                problems.append(f"{path.name}: holds solution or hidden-test markers")
    return problems


def build(course_dir=ROOT):
    """Regenerate the release in ``course_dir`` and check it; raise if anything leaked."""
    course_dir = Path(course_dir)
    release_dir = generate(course_dir)
    problems = release_problems(release_dir, course_dir / "source" / ASSIGNMENT / NOTEBOOK)
    if problems:
        raise SystemExit("release check failed:\n  " + "\n  ".join(problems))
    return release_dir
