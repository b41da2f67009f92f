"""Fixtures for real-browser tests: a real ``jupyter lab`` server and Debian's Chromium through Playwright.

Needs ``apt-get install -y chromium`` and ``pip install playwright==1.65.2`` (tests/browser/README.md).
Every server runs with its own HOME and Jupyter folders in the test's temp folder. On a failing
test, a screenshot of the page goes to ``$BROWSER_ARTIFACTS`` (default: ``browser-artifacts`` in
pytest's temp folder); the failure report names the file.
"""

import os
import shutil
from pathlib import Path

import pytest
from lab import CHROMIUM_ARGS, REPO, start_course_lab, start_lab_server, stop_lab_server

VIEWPORT = {"width": 1280, "height": 900}
PAGE_FIXTURES = ("page", "offline_page")  # screenshot at a failure
# Console errors of JupyterLab itself that say nothing about the course: the debugger panel asks the
# kernel for its state when a notebook opens, and a Restart (and Run All) right after cancels that.
IGNORED_CONSOLE_ERRORS = ("Could not restore the debugger state: Canceled future for debug_request",)


def pytest_configure(config):
    """Register the ``browser`` marker (the repository runs pytest with ``--strict-markers``)."""
    config.addinivalue_line("markers", "browser: drives JupyterLab in headless Chromium (apt-get install chromium)")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """On a failing test, show the end of its Lab servers' logs and save a screenshot of its pages."""
    report = yield
    if report.when != "call" or not report.failed:
        return report
    for server in getattr(item, "lab_servers", []):
        tail = "\n".join(server.log().splitlines()[-30:])
        report.sections.append((f"jupyter lab log (end): {server.log_path}", tail))
    for name in PAGE_FIXTURES:
        page = getattr(item, "funcargs", {}).get(name)
        if page is None or page.is_closed():
            continue
        path = page.artifacts / f"{item.nodeid.replace('/', '_').replace('::', '__')}-{name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            report.sections.append(("browser", f"screenshot of {name} at the failure: {path}"))
        except Exception as error:  # noqa: BLE001 - a report must never fail because of a screenshot
            report.sections.append(("browser", f"no screenshot of {name} ({error})"))
        errors = getattr(page, "console_errors", [])
        if errors:
            report.sections.append((f"browser console errors ({name})", "\n".join(errors[-20:])))
    return report


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory):
    """The folder for screenshots a person may want to look at after the run: ``$BROWSER_ARTIFACTS``,
    or else ``browser-artifacts`` in pytest's temp folder (per xdist worker; pytest keeps the last 3 runs)."""
    folder = os.environ.get("BROWSER_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.getbasetemp() / "browser-artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def started_servers(item):
    """The list of the Lab servers a test started (the failure report shows their logs)."""
    if not hasattr(item, "lab_servers"):
        item.lab_servers = []
    return item.lab_servers


@pytest.fixture
def lab_server(request, tmp_path):
    """A factory that starts real ``jupyter lab`` servers; all are stopped (kernels too) after the test.

    ``lab_server(root=None, *, student_exchange=None, server_config=None, page_config=None, env=None,
    args=())`` returns a :class:`lab.LabServer` (``url``, ``token``, ``root``). ``root`` defaults to a
    new folder in the test's temp folder. ``student_exchange`` (a folder) makes it a student's
    server, configured by ``course.lab.write_student_config`` as ``make lab`` does; without it the
    server has every nbgrader tool. ``server_config`` is written as ``jupyter_server_config.json``
    and ``page_config`` as ``labconfig/page_config.json`` in the server's own config folder (e.g.
    ``{"disabledExtensions": {"@jupyter/nbgrader:formgrader": True}}``); ``env`` adds environment
    variables and ``args`` command line options.
    """
    servers = []  # this fixture's; the test's item lists every server for the failure report

    def start(root=None, *, student_exchange=None, server_config=None, page_config=None, env=None, args=()):
        number = len(servers)
        root = Path(root) if root is not None else tmp_path / f"root-{number}"
        server = start_lab_server(
            root,
            tmp_path / f"lab-home-{number}",
            student_exchange=student_exchange,
            server_config=server_config,
            page_config=page_config,
            env=env,
            args=args,
        )
        servers.append(server)
        started_servers(request.node).append(server)
        return server

    yield start
    for server in servers:
        stop_lab_server(server)


@pytest.fixture
def make_lab(request, tmp_path):
    """A factory that runs ``python -m course.lab`` (``make lab``) for a workspace; stopped after the test.

    ``make_lab(workspace, args=(), env=None)`` returns a :class:`lab.LabServer`; HOME is a temp folder,
    ``args`` more options of course.lab and ``env`` more environment variables.
    """
    servers = []  # this fixture's; the test's item lists every server for the failure report

    def start(workspace, args=(), env=None):
        server = start_course_lab(workspace, tmp_path / f"course-lab-home-{len(servers)}", args=args, env=env)
        servers.append(server)
        started_servers(request.node).append(server)
        return server

    yield start
    for server in servers:
        stop_lab_server(server)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Debian's Chromium through Playwright, one per test session (so one per xdist worker).

    Chromium gets a HOME of its own: it writes a disk cache and crash-report settings there.
    """
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: apt-get update && apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: .venv/bin/pip install playwright==1.65.2")

    home = tmp_path_factory.mktemp("chromium-home")
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, env=env)
        yield chromium
        chromium.close()


def new_page(browser, artifacts, **options):
    """A page in a fresh browser context (1280x900 unless ``options`` say otherwise), with two
    attributes for the failure report: ``console_errors`` (the browser console's errors) and
    ``artifacts`` (where the screenshot goes)."""
    context = browser.new_context(**{"viewport": VIEWPORT, **options})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.console_errors = []
    page.artifacts = artifacts

    def keep_errors(message):
        if message.type == "error" and not message.text.startswith(IGNORED_CONSOLE_ERRORS):
            page.console_errors.append(message.text)

    page.on("console", keep_errors)
    return page


@pytest.fixture
def page(browser, artifacts):
    """A fresh page in a fresh browser context (1280x900) per test."""
    page = new_page(browser, artifacts)
    yield page
    page.context.close()


@pytest.fixture
def offline_page(browser, artifacts):
    """A page in a browser context with the network off (1000x800), for files opened from disk.

    Every request that is not for a ``file:`` or ``data:`` URL is aborted and listed in
    ``offline_page.requests`` (Playwright's offline mode also fails them).
    """
    page = new_page(browser, artifacts, viewport={"width": 1000, "height": 800}, offline=True)
    page.requests = []

    def refuse(route):
        page.requests.append(route.request.url)
        route.abort()

    page.context.route(lambda url: not url.startswith(("file:", "data:")), refuse)
    yield page
    page.context.close()


@pytest.fixture(scope="session")
def readme_images(artifacts):
    """Where the README's pictures go: the repository's ``images/`` when ``CNN_README_IMAGES=1``,
    else the artifacts folder (so a normal run never changes the repository)."""
    folder = REPO / "images" if os.environ.get("CNN_README_IMAGES") == "1" else artifacts
    folder.mkdir(parents=True, exist_ok=True)
    return folder
