"""The test harness itself: a Lab server with isolated folders still finds its assets and nbgrader's
extensions (all of them: the control for test_student_setup), and the figure and formula checks
fail when they should."""

import json
import sys
from pathlib import Path

import lab
import pytest

pytestmark = pytest.mark.browser


def test_lab_serves_nbgrader_extension(lab_server, page):
    """With isolated Jupyter folders, Lab still finds its assets and nbgrader's lab and server extensions."""
    server = lab_server(env={"CNN_BROWSER_TEST": "1"}, args=["--LabApp.expose_app_in_browser=True"])
    config = lab.lab_page_config(server)
    assert "@jupyter/nbgrader" in [extension["name"] for extension in config["federated_extensions"]]
    assert server.api("nbgrader_version?version=0.9.6")["success"]  # the validate server extension
    assert server.status("formgrader") == 200  # a plain server has every nbgrader tool
    assert server.status("formgraders") == 200
    for folder in ("userSettingsDir", "workspacesDir"):  # Lab's own state lives in the isolated home
        assert Path(config[folder]).is_relative_to(server.home), config[folder]
    assert Path(config["staticDir"]).is_relative_to(sys.prefix)  # its assets come from the venv
    environ = dict(
        line.split("=", 1) for line in Path(f"/proc/{server.process.pid}/environ").read_text().split("\0") if line
    )
    assert environ["HOME"] == str(server.home) and environ["CNN_BROWSER_TEST"] == "1"

    page.goto(server.lab_url())
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").wait_for()
    page.wait_for_function("() => window.jupyterapp !== undefined")  # the extra command line option
    plugins = page.evaluate("() => window.jupyterapp.listPlugins()")
    names = ("validate-assignment", "create-assignment", "formgrader", "course-list", "assignment-list")
    assert {f"@jupyter/nbgrader:{name}" for name in names} <= set(plugins)


def test_checks_catch_broken_figures_and_formulas(lab_server, page, tmp_path):
    """The figure and formula checks fail on a missing image, a TeX error and TeX that MathJax left as text."""
    markdown = r"![missing](images/missing.png), $x^2$, a TeX error $\frac{1}$ and unbalanced braces $$a_{b$$"
    notebook = {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": markdown}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    server = lab_server(tmp_path / "broken")
    (server.root / "broken.ipynb").write_text(json.dumps(notebook))
    lab.open_notebook(page, server, "broken.ipynb")

    with pytest.raises(AssertionError, match="images that did not load: .*missing.png"):
        lab.check_images_loaded(page, expected=1)
    with pytest.raises(AssertionError) as failure:
        lab.check_math_rendered(page, expected=3)
    assert "formulas left as raw TeX: ['$a_{b$']" in str(failure.value)
    assert r"MathJax errors: ['Missing argument for \\frac: \\frac{1}']" in str(failure.value)
    assert "2 formulas rendered, 3 expected" in str(failure.value)
    assert lab.count_math(markdown) == 3


def test_offline_page_records_requests(offline_page, tmp_path):
    """The offline page (used for feedback pages) lists every request for the network, and loads none."""
    page = tmp_path / "page.html"
    page.write_text(
        '<link rel="stylesheet" href="https://cdn.example.org/style.css">'
        '<img src="http://example.org/figure.png"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    )
    offline_page.goto(page.as_uri(), wait_until="load")
    assert sorted(offline_page.requests) == ["http://example.org/figure.png", "https://cdn.example.org/style.css"]
