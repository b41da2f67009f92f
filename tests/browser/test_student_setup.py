"""The student's JupyterLab as ``make lab`` starts it (``python -m course.lab``, run for real): the
Assignments panel and the Validate button, and none of the instructor's tools (Formgrader, Create
Assignment, the course list: no menu item, sidebar, command or server endpoint); only the python3
kernel, even with the grading sandbox's kernelspec on JUPYTER_PATH; nothing written into HOME."""

import json
import subprocess
import sys
from pathlib import Path

import lab
import pytest
from coursework import BONUS, FORWARD, REPO, notebook

from course import lab as course_lab
from course import sandbox

pytestmark = pytest.mark.browser

INSTRUCTOR_WORDS = ("Formgrader", "Create Assignment", "Create assignment", "Course List", "Courses")


def sandbox_kernel_on_path(data_dir):
    """A Jupyter data folder holding the grading sandbox's kernelspec (as course.sandbox installs it);
    check that Jupyter lists it when the folder is on JUPYTER_PATH."""
    kernel = Path(data_dir) / "kernels" / sandbox.KERNEL_NAME
    kernel.mkdir(parents=True)
    spec = sandbox.kernelspec()
    # Outside a grading process Jupyter hides it anyway (its kernel provisioner is unknown there);
    # without that metadata it would be listed: the test checks the students' Lab still does not offer it.
    del spec["metadata"]["kernel_provisioner"]
    (kernel / "kernel.json").write_text(json.dumps(spec))
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(data_dir), "JUPYTER_PATH": str(data_dir)}
    listed = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter"), "kernelspec", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert sandbox.KERNEL_NAME in json.loads(listed.stdout)["kernelspecs"]
    return data_dir


def test_student_setup(make_lab, page, tmp_path):
    data_dir = sandbox_kernel_on_path(tmp_path / "sandbox-data")
    workspace, exchange = tmp_path / "lab" / "student", tmp_path / "exchange"
    server = make_lab(workspace, args=["--exchange", str(exchange)], env={"JUPYTER_PATH": str(data_dir)})

    # The workspace holds a copy of each release; Jupyter's folders are beside it.
    for assignment in (FORWARD, BONUS):
        copy, committed = (
            workspace / assignment / notebook(assignment),
            REPO / "release" / assignment / notebook(assignment),
        )
        assert copy.read_bytes() == committed.read_bytes()
    config = tmp_path / "lab" / "jupyter" / "config"
    assert f"c.Exchange.root = {str(exchange)!r}" in (config / "nbgrader_config.py").read_text()

    # The server: the student's nbgrader endpoints only, the python3 kernel only.
    assert server.api("assignments?course_id=cnn_step_by_step")["success"]
    assert server.api("nbgrader_version?version=0.9.6")["success"]
    assert server.status("formgrader") == 404
    assert server.status("formgrader/api/assignments") == 404
    assert server.status("formgraders") == 404  # the course list
    assert list(server.api("api/kernelspecs")["kernelspecs"]) == ["python3"]
    page_config = lab.lab_page_config(server)
    for key in ("disabledExtensions", "lockedExtensions"):  # locked: the Plugin Manager cannot turn them on
        value = page_config[key]  # a list, or a {plugin: bool} mapping
        names = set(value) if isinstance(value, list) else {name for name, on in value.items() if on}
        assert set(course_lab.INSTRUCTOR_PLUGINS) <= names, (key, value)

    page.goto(server.lab_url(fresh=True))
    lab.wait_for_lab(page)
    # The Nbgrader menu holds the Assignment List only.
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
    items = page.locator(".lm-Menu:visible .lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel")
    assert items.all_inner_texts() == ["Assignment List"]
    page.keyboard.press("Escape")
    # No instructor command in the command palette.
    for word in INSTRUCTOR_WORDS:
        found = lab.palette_commands(page, word)
        assert not [label for label in found if word.lower() in label.lower()], (word, found)
    assert "Assignment List" in lab.palette_commands(page, "Assignment List")
    # No Create Assignment panel in the right sidebar; the launcher offers the python3 kernel only.
    titles = page.locator(".jp-SideBar .lm-TabBar-tab").evaluate_all(
        "tabs => tabs.map(t => (t.title || '') + ' ' + t.textContent)"
    )
    assert not [title for title in titles if any(word in title for word in INSTRUCTOR_WORDS)], titles
    assert page.locator("#nbgrader-create_assignemnt, #formgrader").count() == 0  # nbgrader's widget ids
    for category in ("Notebook", "Console"):
        cards = page.locator(f".jp-LauncherCard[data-category='{category}']").evaluate_all(
            "cards => cards.map(card => card.title || card.textContent)"
        )
        assert cards == ["Python 3 (ipykernel)"], (category, cards)  # not "Python 3 (sandboxed grading)"

    # The Assignments panel works; a notebook has the Validate button and the python3 kernel.
    panel = lab.open_assignments(page)
    assert panel.locator(".list_error:visible").count() == 0
    assert panel.locator("#course_list_default").inner_text() == "No courses found."  # nothing released yet
    nb = lab.open_notebook(page, server, f"{FORWARD}/{notebook(FORWARD)}")
    assert nb.locator(".validate-button").is_visible()
    assert nb.locator(".jp-KernelName").inner_text().startswith("Python 3")
    assert not page.console_errors, page.console_errors

    # Nothing of Jupyter's in HOME; a second start keeps the student's work.
    written = sorted(str(path.relative_to(server.home)) for path in server.home.rglob("*"))
    assert [path for path in written if path != "jupyter-lab.log"] == []
    (workspace / FORWARD / notebook(FORWARD)).write_text("{}")
    assert course_lab.copy_releases(workspace) == []
    assert (workspace / FORWARD / notebook(FORWARD)).read_text() == "{}"
