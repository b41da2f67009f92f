"""The lesson in JupyterLab: every notebook of the course (the committed releases, and the instructor's
source notebooks) opens with every figure loaded and every formula rendered by MathJax, and
opening then saving it without an edit leaves the file byte for byte as committed."""

import difflib
import json
import shutil

import lab
import pytest
from coursework import APPLICATION, BONUS, FORWARD, REPO, notebook

pytestmark = pytest.mark.browser

NOTEBOOKS = [
    f"{kind}/{assignment}/{notebook(assignment)}"
    for kind in ("release", "source")
    for assignment in (FORWARD, BONUS, APPLICATION)
]
LESSON_CELL = "conv-step-text"  # the README's picture: one step of convolution, a formula and the animation


def diff(before, after, name):
    """A unified diff of two versions of a file, at most 40 lines."""
    lines = difflib.unified_diff(
        before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True), name, f"{name} (saved)"
    )
    return "".join(list(lines)[:40])


def test_lesson_notebooks(lab_server, page, tmp_path, readme_images):
    root = tmp_path / "course"
    for path in NOTEBOOKS:
        folder = (REPO / path).parent
        if not (root / folder.relative_to(REPO)).exists():
            ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
            shutil.copytree(folder, root / folder.relative_to(REPO), ignore=ignore)
    server = lab_server(root, student_exchange=tmp_path / "exchange")

    for path in NOTEBOOKS:
        cells = json.loads((REPO / path).read_text())["cells"]
        markdown = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]
        lab.open_notebook(page, server, path)
        assert page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count() == 0, f"{path}: modified by opening"

        figures = lab.check_images_loaded(page, expected=sum(text.count("![") for text in markdown))
        formulas = lab.check_math_rendered(page, expected=sum(lab.count_math(text) for text in markdown))
        assert formulas > (50 if f"{FORWARD}/" in path else 20), path
        assert figures or BONUS in path, path  # the optional assignment has no figure

        if path == f"release/{FORWARD}/{notebook(FORWARD)}":
            lab.scroll_to_cell(page, next(i for i, cell in enumerate(cells) if cell.get("id") == LESSON_CELL))
            page.screenshot(path=str(readme_images / "lesson.png"), animations="disabled")

        lab.save_notebook(page)
        committed, saved = (REPO / path).read_bytes(), (root / path).read_bytes()
        assert saved == committed, f"{path} changed when saved without an edit:\n{diff(committed, saved, path)}"
    assert not page.console_errors, page.console_errors
