"""A student's notebook in JupyterLab, configured as ``make lab`` configures it: Restart and Run All,
the scorecards it shows, and nbgrader's Validate button. One test per student: untouched, solved
(the graded assignment only: the optional bonus is left untouched), buggy, and the application
solved (its data read, its network trained, its pictures drawn)."""

import lab
import pytest
from coursework import APPLICATION, BONUS, BUGS, FORWARD, HINTS, buggy_code, notebook, solved_code, student
from lab import flat

from course.grading.checks import GREEN, GREY, RED

pytestmark = pytest.mark.browser

SUCCESS = "Success! Your notebook passes all the tests."


def test_untouched_notebook(lab_server, page, tmp_path):
    """The release as fetched: every card says the exercise is not attempted; for a graded exercise
    that is an error, so Validate lists every test cell, with the card's words."""
    path = student(tmp_path / "work" / FORWARD, FORWARD)
    server = lab_server(tmp_path / "work", student_exchange=tmp_path / "exchange")
    lab.open_notebook(page, server, f"{FORWARD}/{notebook(FORWARD)}")

    cards = lab.run_all(page, path)
    assert list(cards) == ["zero_pad", "conv_single_step", "conv_forward", "pool_forward"]
    for function, card in cards.items():
        assert card.headline.startswith(f"{function} (exercise ")
        assert "not attempted yet. Replace `raise NotImplementedError()` with your code." in card.headline
        assert card.color == lab.css_rgb(GREY), function
        assert flat(card.error).startswith(card.headline), f"{function}: a graded exercise not attempted is an error"

    lab.save_notebook(page)
    saved = server.api(f"api/contents/{FORWARD}/{notebook(FORWARD)}")["content"]
    assert all(saved["cells"][card.cell]["outputs"] for card in cards.values()), "the scorecards were not saved"

    dialog = flat(lab.validate(page))
    assert dialog.startswith("Validation Results")
    assert dialog.count("The following cell failed:") == len(cards)
    for function, card in cards.items():
        assert f'check("{function}")' in dialog
        assert card.headline in dialog  # the card's words, not only the test's source
    assert not page.console_errors, page.console_errors


def test_solved_forward_student(lab_server, page, tmp_path):
    """A student who solved the graded assignment and left the optional one untouched: every card of
    the first is green and it validates; the second's cards say "not attempted" without any error
    (an optional exercise left alone is no failure), and it validates too."""
    forward = student(tmp_path / "work" / FORWARD, FORWARD, solved_code(FORWARD))
    bonus = student(tmp_path / "work" / BONUS, BONUS)
    server = lab_server(tmp_path / "work", student_exchange=tmp_path / "exchange")

    lab.open_notebook(page, server, f"{FORWARD}/{notebook(FORWARD)}")
    cards = lab.run_all(page, forward)
    assert len(cards) == 4
    for function, card in cards.items():
        assert "the checks here pass" in card.headline, card.text
        assert card.color == lab.css_rgb(GREEN), function
        assert card.error == "", f"{function}: a passing card shows no error"
    assert lab.validate(page) == f"Validation Results\n{SUCCESS}"

    lab.open_notebook(page, server, f"{BONUS}/{notebook(BONUS)}")
    cards = lab.run_all(page, bonus)
    assert list(cards) == ["conv_backward", "create_mask_from_window", "distribute_value", "pool_backward"]
    for function, card in cards.items():
        assert f"{function} (exercise " in card.headline and ", optional)" in card.headline
        assert "not attempted yet" in card.headline
        assert card.color == lab.css_rgb(GREY), function
        assert card.error == "", f"{function}: an optional exercise left untouched is not an error"
    assert lab.validate(page) == f"Validation Results\n{SUCCESS}"
    assert not page.console_errors, page.console_errors


def test_buggy_notebook(lab_server, page, tmp_path, readme_images):
    """Two traps of the lesson (conv_forward ignores the stride, pool_forward's running maximum
    starts at 0): exactly their cards are red, each with the trap's hint, the others green; Run
    All still runs every cell; Validate fails on those two test cells and shows the cards' hints."""
    path = student(tmp_path / "work" / FORWARD, FORWARD, buggy_code())
    server = lab_server(tmp_path / "work", student_exchange=tmp_path / "exchange")
    lab.open_notebook(page, server, f"{FORWARD}/{notebook(FORWARD)}")

    cards = lab.run_all(page, path)
    for function, card in cards.items():
        if function in BUGS:
            assert "checks here fail" in card.headline, card.text
            assert card.color == lab.css_rgb(RED), function
            assert HINTS[function] in card.text, card.text
            assert flat(card.error).startswith(card.headline) and HINTS[function] in flat(card.error)
        else:
            assert "the checks here pass" in card.headline, card.text
            assert card.color == lab.css_rgb(GREEN), function
            assert card.error == ""
    lab.screenshot_scorecard(page, cards["conv_forward"].cell, readme_images / "scorecard.png")

    dialog = flat(lab.validate(page, screenshot=readme_images / "validate.png", reveal="of the PADDED input."))
    assert dialog.startswith("Validation Results")
    assert dialog.count("The following cell failed:") == len(BUGS)
    for function in cards:
        assert (f'check("{function}")' in dialog) == (function in BUGS), function
    for function in BUGS:
        assert cards[function].headline in dialog  # the card's text, not only the test's source
        assert HINTS[function] in dialog
    assert not page.console_errors, page.console_errors


def test_solved_application_student(lab_server, page, tmp_path):
    """The application solved, in JupyterLab: the data file read, every card green, the network trained in the
    notebook, the pictures a student wants to see drawn (examples, curves, filters, feature maps, mistakes), and
    it validates; the visible save check leaves no file behind."""
    path = student(tmp_path / "work" / APPLICATION, APPLICATION, solved_code(APPLICATION))
    server = lab_server(tmp_path / "work", student_exchange=tmp_path / "exchange")
    lab.open_notebook(page, server, f"{APPLICATION}/{notebook(APPLICATION)}")

    cards = lab.run_all(page, path)
    assert len(cards) == 14
    for function, card in cards.items():
        assert "the checks here pass" in card.headline, card.text
        assert card.color == lab.css_rgb(GREEN), function
    plots = lab.notebook_panel(page).locator(".jp-OutputArea-output img")
    assert plots.count() >= 6, "the digits, the curves, the filters, the feature maps, the mistakes"
    lab.check_images_loaded(page)
    assert lab.validate(page) == f"Validation Results\n{SUCCESS}"
    assert not (path.parent / "params_check.h5").exists()
    assert not page.console_errors, page.console_errors
