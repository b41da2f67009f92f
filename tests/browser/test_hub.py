"""The course on its JupyterHub (``make hub``: hub/jupyterhub_config.py), instructor and students as
separate Unix users, in Chromium through the Hub's login page:

1. the instructor releases both assignments in formgrader (the Hub service);
2. student A fetches both in the Assignments panel, solves them, runs the forward one, Validates,
   submits both; student B fetches, solves and submits the forward one;
3. B attacks before the collection: ``nbgrader submit`` of a folder with a link to /etc/shadow or a
   1 GB file, a submission forged in A's name, a submission of links (gradebook, solutions,
   /etc/shadow) and a 1 GB file;
4. the instructor collects, autogrades (sandboxed), generates and releases feedback in formgrader:
   A gets 100 and the bonus 50, B 100, the same scores ``python -m course grade`` gives on the same
   notebooks; nothing B planted reached the course directory;
5. A fetches the feedback and reads "Grade: 100 / 100" and "Bonus: 50 / 50"; B sees only B's own;
6. B, as its Unix user and from its kernel, tries to read A's work, the course's solutions, grades
   and gradebook, and to write into A's folders: every attempt is listed (the table is printed and
   saved as hub-isolation.txt in the artifacts folder; docs/jupyterhub.md shows it).

One test, so that one Hub serves the whole story (xdist would split tests of a module).
"""

import getpass
import json
import os
import shutil

import helpers
import hub_attacks
import hub_server as hubs
import lab
import pytest
from conftest import new_page
from coursework import BONUS, FORWARD, notebook, solved_code, student

from course import cli, gradebook
from course import hub as course_hub

pytestmark = [
    pytest.mark.browser,
    pytest.mark.hub,
    pytest.mark.sandbox,
    pytest.mark.skipif(getpass.getuser() != "root", reason="the Hub runs as root (make test runs as root)"),
]

ASSIGNMENTS = (FORWARD, BONUS)
# What each attempt of B must meet (hub_attacks.targets); anything else fails the test.
# Nothing: nbgrader's release_feedback left A's page readable by every account (644, its name a hash of A's
# submission secret); course.exchange.PrivateReleaseFeedback gives it an ACL for A (and the instructor) only.
EXPECTED = {}


def scores(hub, assignment):
    url = f"sqlite:///{hub.course / 'gradebook.db'}"
    return {s: found.exercises for s, found in gradebook.scores(url, assignment).items()}


def table(rows):
    width = max(len(row[0]) for row in rows)
    lines = [f"{'attempt by student B':<{width}}  {'how':<10}  outcome", "-" * (width + 40)]
    lines += [f"{attempt:<{width}}  {how:<10}  {outcome}" for attempt, how, outcome in rows]
    return "\n".join(lines)


def test_hub_class(browser, artifacts, readme_images, fresh_course, tmp_path, capsys):
    with hubs.running_hub(tmp_path) as hub:
        try:
            run_class(hub, browser, artifacts, readme_images, fresh_course, tmp_path, capsys)
        except BaseException:
            print(f"--- jupyterhub log (end): {hub.log_path}\n" + "\n".join(hub.log().splitlines()[-60:]))
            raise


def run_class(hub, browser, artifacts, readme_images, fresh_course, tmp_path, capsys):
    a, b = hub.students
    rows = []
    teacher, page_a, page_b = (new_page(browser, artifacts) for _ in range(3))

    # 1. The instructor logs in and releases both assignments in formgrader.
    hubs.log_in(teacher, hub, hub.instructor)
    hubs.open_formgrader(teacher, hub)
    for assignment in ASSIGNMENTS:
        assert hubs.formgrader(teacher, hub, f"assignment/{assignment}/release")["success"]
    outbound = hub.settings.exchange / course_hub.COURSE_ID / "outbound"
    assert sorted(p.name for p in outbound.iterdir()) == sorted(ASSIGNMENTS)

    # B's nbgrader submit of a folder with a link or a 1 GB file (before B's own Submit: a failed
    # submit may leave a partial folder, which B's later submissions replace).
    for kind, label in (("link", "a link to /etc/shadow"), ("big", "a 1 GB file")):
        status, line = hub_attacks.nbgrader_submit(hub, b, hub.course / "release" / FORWARD, FORWARD, kind)
        outcome = f"refused: exit {status}: {line}" if status else f"ALLOWED: {line}"
        rows.append((f"nbgrader submit of {label}", "submit", outcome))
        assert status != 0, (kind, line)

    # 2. Student A: log in, fetch both in the Assignments panel, solve, run, validate, submit.
    hubs.log_in(page_a, hub, a)
    hubs.open_lab(page_a, hub, a)
    lab.open_assignments(page_a)
    for assignment in ASSIGNMENTS:
        lab.assignment_action(page_a, "released", assignment, "Fetch")
        lab.assignment_row(page_a, "fetched", assignment).wait_for()
        solved = json.loads(student(tmp_path / "a" / assignment, assignment, solved_code(assignment)).read_text())
        hubs.put_notebook(page_a, hub, a, f"{assignment}/{notebook(assignment)}", solved)
    path = hub.home(a) / FORWARD / notebook(FORWARD)
    hubs.open_lab(page_a, hub, a, f"{FORWARD}/{notebook(FORWARD)}")
    lab.wait_for_notebook(page_a, timeout=hubs.START_TIMEOUT * 1000)
    cards = lab.run_all(page_a, path)
    assert all("the checks here pass" in card.headline for card in cards.values()), [c.headline for c in cards.values()]
    lab.save_notebook(page_a)
    assert "Success! Your notebook passes all the tests." in lab.validate(page_a)
    lab.open_assignments(page_a)
    for assignment in ASSIGNMENTS:
        lab.assignment_action(page_a, "fetched", assignment, "Submit")
        lab.assignment_row(page_a, "submitted", assignment).wait_for()
    # the student's server has the student's tools only: no formgrader, no course list
    for endpoint in ("formgrader", "formgraders"):
        assert hubs.status(page_a, f"{hub.url}/user/{a}/{endpoint}") == 404, endpoint

    # Student B: fetch, solve and submit the forward assignment.
    hubs.log_in(page_b, hub, b)
    hubs.open_lab(page_b, hub, b)
    lab.open_assignments(page_b)
    lab.assignment_action(page_b, "released", FORWARD, "Fetch")
    solved_b = student(tmp_path / "b" / FORWARD, FORWARD, solved_code(FORWARD))
    hubs.put_notebook(page_b, hub, b, f"{FORWARD}/{notebook(FORWARD)}", json.loads(solved_b.read_text()))
    lab.assignment_action(page_b, "fetched", FORWARD, "Submit")
    lab.assignment_row(page_b, "submitted", FORWARD).wait_for()

    # 3. B forges a submission in A's name and plants one of links and a 1 GB file (newest: collected).
    for attempt, outcome in hub_attacks.plant(hub, FORWARD, hub.home(b) / FORWARD / notebook(FORWARD)):
        rows.append((attempt, "exchange", outcome))

    # 4. The instructor collects, autogrades, generates and releases feedback in formgrader.
    hubs.open_formgrader(teacher, hub)
    for assignment in ASSIGNMENTS:
        result = hubs.formgrader(teacher, hub, f"assignment/{assignment}/collect")
        assert result["success"], result
        if assignment == FORWARD:
            log = result.get("log", "")
            assert f"Refusing {hub.settings.exchange}" in log and f"names {a} but belongs to {b}" in log, log
            rows[-2] = (rows[-2][0], "exchange", rows[-2][2] + "; collect refused it (not owned by A)")
            assert "a symbolic link" in log and "over 20000 kB" in log, log
            rows[-1] = (rows[-1][0], "exchange", rows[-1][2] + "; collect skipped the links and the 1 GB file")
        for who in (a, b) if assignment == FORWARD else (a,):
            result = hubs.formgrader(teacher, hub, f"submission/{assignment}/{who}/autograde")
            assert result["success"], result
        for step in ("generate_feedback", "release_feedback"):
            result = hubs.formgrader(teacher, hub, f"assignment/{assignment}/{step}")
            assert result["success"], (step, result)
    collected = hub.course / "submitted" / b / FORWARD
    kept = sorted(p.name for p in collected.iterdir())
    assert kept == [notebook(FORWARD), "submission_secret.txt", "timestamp.txt"], kept
    forward, bonus = scores(hub, FORWARD), scores(hub, BONUS)
    assert forward == {a: helpers.FULL[FORWARD], b: helpers.FULL[FORWARD]}, forward
    assert bonus == {a: helpers.FULL[BONUS]}, bonus
    teacher.goto(f"{hub.url}/{hubs.SERVICE}/formgrader/gradebook/{FORWARD}/{FORWARD}")
    teacher.locator("td", has_text=a).first.wait_for()
    teacher.screenshot(path=str(readme_images / "hub-formgrader.png"))

    # The same notebooks graded by `python -m course grade` in a course of one user: the same scores.
    single = helpers.course_copy(fresh_course, tmp_path / "single-user")
    for who, assignment in ((a, FORWARD), (b, FORWARD), (a, BONUS)):
        # new files of this course's owner (root), as a single user's own: the Hub's are the
        # instructor's, 640, which a kernel sandboxed as root (a user namespace) cannot read
        source, target = hub.course / "submitted" / who / assignment, single / "submitted" / who / assignment
        shutil.copytree(source, target, copy_function=shutil.copyfile)
    assert cli.grade_main(["--course-dir", str(single), "-q"]) == 0
    assert helpers.exercise_scores(single, FORWARD) == forward
    assert helpers.exercise_scores(single, BONUS) == bonus

    # 5. A fetches the feedback: forward out of 100, bonus out of 50.
    # The report is read in a tab of its own: the Lab's tab keeps its Assignments panel.
    lab.refresh_assignments(page_a)
    report = page_a.context.new_page()
    for assignment, heading in ((FORWARD, "Grade: 100 / 100"), (BONUS, "Bonus: 50 / 50")):
        submitted = lab.assignment_row(page_a, "submitted", assignment)
        lab.assignment_action(page_a, "submitted", assignment, "Fetch Feedback")
        submitted.locator("a", has_text="(view feedback)").wait_for()
        [feedback] = (hub.home(a) / assignment / "feedback").glob(f"*/{assignment}.html")
        expected = hub.course / "feedback" / a / assignment / f"{assignment}.html"
        assert feedback.read_bytes() == expected.read_bytes()
        relative = feedback.relative_to(hub.home(a))
        report.goto(f"{hub.url}/user/{a}/files/{relative}")
        assert report.locator("h4.cnn-score").inner_text() == heading
    report.close()
    page_a.screenshot(path=str(readme_images / "hub-student.png"))

    # B sees B's own submission and feedback only.
    lab.refresh_assignments(page_b)
    lab.assignment_action(page_b, "submitted", FORWARD, "Fetch Feedback")
    [feedback_b] = (hub.home(b) / FORWARD / "feedback").glob(f"*/{FORWARD}.html")
    assert feedback_b.read_bytes() == (hub.course / "feedback" / b / FORWARD / f"{FORWARD}.html").read_bytes()
    assert lab.assignment_row(page_b, "submitted", BONUS).count() == 0
    listed = hubs.call(page_b, f"{hub.url}/user/{b}/assignments?course_id={course_hub.COURSE_ID}")
    owners = {entry.get("student_id", b) for entry in listed["value"]}
    assert owners <= {b}, listed

    # 6. B, as its Unix user and from its kernel, against A, the instructor and the exchange.
    inbound = hub.settings.exchange / course_hub.COURSE_ID / "inbound"
    [a_inbound] = [p.name for p in inbound.iterdir() if p.name.startswith(f"{a}+{FORWARD}+") and "forged" not in p.name]
    from nbgrader.utils import notebook_hash  # the name release_feedback gives A's feedback

    secret = (hub.course / "submitted" / a / FORWARD / "submission_secret.txt").read_text()
    a_feedback = (
        hub.settings.exchange
        / course_hub.COURSE_ID
        / "feedback"
        / f"{notebook_hash(secret=secret, notebook_id=FORWARD)}.html"
    )
    assert a_feedback.is_file(), a_feedback
    found = hub_attacks.targets(hub, FORWARD, a_inbound, a_feedback)
    as_user = dict(hub_attacks.probe_as(b, found))
    probe = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "probe", "metadata": {}, "outputs": []}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    probe["cells"][0]["source"] = hub_attacks.probe_source(found)
    hubs.put_notebook(page_b, hub, b, "probe.ipynb", probe)
    hubs.open_lab(page_b, hub, b, "probe.ipynb")
    lab.wait_for_notebook(page_b, timeout=hubs.START_TIMEOUT * 1000)
    lab.restart_and_run_all(page_b)
    output = lab.cells(page_b).nth(0).locator(".jp-OutputArea").text_content()
    from_kernel = dict(json.loads(output.strip().splitlines()[-1]))
    for label, _, _ in found:
        rows.append((label, "runuser", as_user[label]))
        rows.append((label, "B's kernel", from_kernel[label]))
    text = table(rows)
    (artifacts / "hub-isolation.txt").write_text(text + "\n")
    with capsys.disabled():
        print("\n" + text)
    for attempt, how, outcome in rows:
        allowed = outcome.startswith("ALLOWED")
        expected_allowed = EXPECTED.get(attempt) == "ALLOWED" or attempt.startswith("a submission")
        assert allowed == expected_allowed, (attempt, how, outcome)
        if "checkout" in attempt:  # the path exists (root reads it): denied by the closed checkout, not absent
            assert outcome.startswith("denied"), (attempt, how, outcome)
    # the exchange still works for A: A's submission is intact and its feedback was fetched
    assert (inbound / a_inbound / notebook(FORWARD)).read_bytes() == path.read_bytes()
    for page in (teacher, page_a, page_b):
        page.context.close()
    assert os.environ["HOME"] != "/root"  # the test process kept its temp HOME
