"""The whole exchange loop with a student in JupyterLab: the instructor releases with nbgrader's own
commands in a course directory; the student, in a Lab configured by course.lab (exchange root = that
course's exchange folder), fetches from the Assignments panel, solves, submits; the instructor
collects, autogrades, generates and releases feedback; the student fetches the feedback."""

import getpass
import json

import helpers
import lab
import pytest
from coursework import FORWARD, instructor, notebook, solved_code, student

from course import gradebook

pytestmark = [pytest.mark.browser, pytest.mark.sandbox]  # the instructor grades in the bubblewrap sandbox


def test_exchange_loop(fresh_course, lab_server, page, tmp_path):
    course_dir = helpers.course_copy(fresh_course, tmp_path / "course")
    exchange = course_dir / "exchange"
    instructor(course_dir, "release_assignment", FORWARD)
    assert (exchange / FORWARD / "outbound" / FORWARD / notebook(FORWARD)).is_file()

    server = lab_server(tmp_path / "student", student_exchange=exchange)
    page.goto(server.lab_url(fresh=True))
    lab.open_assignments(page)
    lab.assignment_action(page, "released", FORWARD, "Fetch")
    fetched = lab.assignment_row(page, "fetched", FORWARD)
    fetched.wait_for()
    path = server.root / FORWARD / notebook(FORWARD)
    assert path.read_bytes() == (course_dir / "release" / FORWARD / notebook(FORWARD)).read_bytes()

    # The student opens the notebook from the panel and solves it: the solutions are written through
    # the contents API (as an editor would save them), the notebook reloaded, run and saved.
    fetched.locator(".assignment-notebooks-link").click()
    fetched.locator(".nested_list_item .item_name a", has_text=FORWARD).click()
    lab.wait_for_notebook(page)
    solved = json.loads(student(tmp_path / "solved", FORWARD, solved_code(FORWARD)).read_text())
    server.api(
        f"api/contents/{FORWARD}/{notebook(FORWARD)}", "PUT", {"type": "notebook", "format": "json", "content": solved}
    )
    lab.reload_from_disk(page)
    cards = lab.run_all(page, path)
    assert all("the checks here pass" in card.headline for card in cards.values()), [c.headline for c in cards.values()]
    lab.save_notebook(page)

    lab.open_assignments(page)  # back to the panel's tab
    lab.assignment_action(page, "fetched", FORWARD, "Submit")
    lab.assignment_row(page, "submitted", FORWARD).wait_for()
    student_id = getpass.getuser()  # the local exchange knows a student by their OS user
    [inbound] = (exchange / FORWARD / "inbound").iterdir()
    assert inbound.name.startswith(f"{student_id}+{FORWARD}+")
    assert json.loads((inbound / notebook(FORWARD)).read_text())["cells"] == json.loads(path.read_text())["cells"]

    for command in ("collect", "autograde", "generate_feedback", "release_feedback"):
        instructor(course_dir, command, FORWARD)
    graded = gradebook.scores(gradebook.resolve_url(course_dir), FORWARD)[student_id]
    assert (graded.total, graded.max_score) == (100, 100), graded
    assert graded.exercises == helpers.FULL[FORWARD]

    lab.refresh_assignments(page)
    submitted = lab.assignment_row(page, "submitted", FORWARD)
    assert "(feedback available to fetch)" in submitted.inner_text()
    lab.assignment_action(page, "submitted", FORWARD, "Fetch Feedback")
    view = submitted.locator("a", has_text="(view feedback)")
    view.wait_for()
    [feedback] = (server.root / FORWARD / "feedback").glob(f"*/{FORWARD}.html")
    assert feedback.read_bytes() == (course_dir / "feedback" / student_id / FORWARD / f"{FORWARD}.html").read_bytes()
    assert '<h4 class="cnn-score">Grade: 100 / 100</h4>' in feedback.read_text()
    view.click()  # the file browser shows the feedback's folder
    page.locator(".jp-DirListing-item", has_text=f"{FORWARD}.html").wait_for()
    assert not page.console_errors, page.console_errors
