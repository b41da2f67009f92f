"""The feedback pages students receive, opened from disk in Chromium with the network off: formulas
drawn as MathML, figures embedded, no hidden test or reference solution, a 1000 px wide window is
enough, and the header says the grade (or the bonus) and names each exercise.

The instructor grades one student with nbgrader's own commands: on the graded assignment, correct
solutions written unlike the reference (tests/corpus/correct) and two traps (tests/corpus/bugs);
on the bonus, two exercises solved that way and two left untouched."""

import re

import helpers
import lab
import nbformat
import pytest
from coursework import BONUS, BUGS, FORWARD, REPO, corpus, instructor, notebook

from course import exercises, gradebook, release

pytestmark = [pytest.mark.browser, pytest.mark.sandbox]  # the instructor grades in the bubblewrap sandbox

STUDENT = "ada"
SUBMISSIONS = {
    FORWARD: {
        "zero_pad": corpus("correct", "zero_pad__zeros_and_slice_assignment"),
        "conv_single_step": corpus("correct", "conv_single_step__tensordot"),
        **{function: corpus("bugs", name) for function, name in BUGS.items()},
    },
    BONUS: {
        "conv_backward": corpus("correct", "conv_backward__sliding_window_dW"),
        "distribute_value": corpus("correct", "distribute_value__ones_over_size"),
    },
}
HEADINGS = {FORWARD: "Grade", BONUS: "Bonus"}
WIDTH = 1000  # the page must fit a window this wide


@pytest.fixture(scope="module")
def feedback_pages(fresh_course, tmp_path_factory):
    """``{assignment: feedback page}`` of one student graded by nbgrader (autograde, generate_feedback)
    in a copy of the course; and the course directory."""
    course_dir = helpers.course_copy(fresh_course, tmp_path_factory.mktemp("feedback") / "course")
    for assignment, code in SUBMISSIONS.items():
        helpers.submit(course_dir, STUDENT, assignment, code)
        instructor(course_dir, "autograde", assignment)
        instructor(course_dir, "generate_feedback", assignment)
    pages = {a: course_dir / "feedback" / STUDENT / a / f"{a}.html" for a in SUBMISSIONS}
    return pages, course_dir


def secret_lines(assignment, submitted_code):
    """Lines the page must not hold: hidden-test and solution lines of the instructor's notebook, and
    lines of the grader's reference solutions; minus the lines the student wrote themselves."""
    secret = release.hidden_lines(REPO / "source" / assignment / notebook(assignment)) | release.reference_lines()
    written = {line.strip() for code in submitted_code.values() for line in code.splitlines()}
    return secret - written


@pytest.mark.parametrize("assignment", [FORWARD, BONUS])
def test_feedback_page_offline(feedback_pages, offline_page, assignment, readme_images):
    pages, course_dir = feedback_pages
    page = offline_page
    page.goto(pages[assignment].as_uri(), wait_until="load")
    nb = nbformat.read(str(REPO / "release" / assignment / notebook(assignment)), as_version=4)
    markdown = [cell.source for cell in nb.cells if cell.cell_type == "markdown"]

    # Every formula is MathML the browser drew; no TeX is left.
    formulas = page.locator("math")
    assert formulas.count() == sum(lab.count_math(text) for text in markdown)
    sizes = formulas.evaluate_all("all => all.map(m => m.getBoundingClientRect().width)")
    assert all(width > 0 for width in sizes), "a formula was not drawn"
    prose = page.evaluate(
        """() => {
            const copy = document.body.cloneNode(true);
            copy.querySelectorAll('math, pre, code, script, style').forEach(e => e.remove());
            return copy.textContent;
        }"""
    )
    assert not re.findall(r"\$[^$\s][^$]*\$", prose), "TeX left as text"
    assert not re.findall(r"\\(?:frac|sum|times|cdot|begin)\b", prose), "TeX commands left as text"

    # Every figure is embedded (a data: URL) and loaded.
    figures = page.locator("img").evaluate_all(
        "imgs => imgs.map(img => [img.getAttribute('src').slice(0, 22), img.complete && img.naturalWidth > 0])"
    )
    assert len(figures) == sum(text.count("![") for text in markdown)
    assert all(src.startswith("data:image/") and loaded for src, loaded in figures), figures

    # Nothing the student must not see.
    text = page.evaluate("() => document.documentElement.textContent")
    lines = {line.strip() for line in text.splitlines()}
    leaked = sorted(lines & secret_lines(assignment, SUBMISSIONS[assignment]))
    assert not leaked, f"hidden test or reference solution lines in the page: {leaked[:5]}"
    for marker in release.MARKERS:
        assert marker not in text

    # The page fits the window.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH

    # The header: the grade (or the bonus), and a table of contents naming each exercise.
    scores = gradebook.scores(gradebook.resolve_url(course_dir), assignment)[STUDENT]
    total = exercises.assignment(assignment).points
    heading = page.locator("h4.cnn-score").inner_text()
    assert heading == f"{HEADINGS[assignment]}: {scores.total:g} / {total:g}"
    assert 0 < scores.total < total  # neither empty nor full: the page shows red and green cards
    toc = {link.get_attribute("href"): link.inner_text() for link in page.locator("#toc a[href^='#test_']").all()}
    functions = [e.function for e in exercises.assignment(assignment).exercises]
    assert toc == {f"#test_{function}": function for function in functions}

    assert page.requests == [], f"the page asked the network for {page.requests}"
    assert not page.console_errors, page.console_errors
    if assignment == FORWARD:
        page.screenshot(path=str(readme_images / "feedback.png"))
