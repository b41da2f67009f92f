"""A real JupyterLab server and helpers that drive it through Playwright, as a student would.

The server runs with its own HOME and Jupyter folders inside a temp folder; it still finds
JupyterLab's static assets and the nbgrader lab extension in the virtual environment's
``share/jupyter`` (``sys.prefix``), which Jupyter searches after ``JUPYTER_DATA_DIR``, as long as
the server runs from the venv's ``jupyter``. A student's server is configured by course.lab, as
``make lab`` configures it; ``start_course_lab`` runs ``python -m course.lab`` itself.
"""

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from course import lab as course_lab

# Chromium from Debian (Playwright's own browser download cannot work here). Without the
# background-networking flags Chromium tries to reach Google's servers and logs failures.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

USER_SETTINGS = course_lab.LAB_SETTINGS  # no news feed, no update check (no network here), as make lab

REPO = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT = 60  # seconds; a cold start on 2 busy cores takes about 3 s
KERNEL_TIMEOUT = 120_000  # milliseconds, for Playwright waits on running cells


# ----------------------------------------------------------------------------------------------
# The server
# ----------------------------------------------------------------------------------------------


@dataclass
class LabServer:
    """A running ``jupyter lab``: its base ``url`` (no trailing slash), ``token`` and ``root``."""

    url: str
    token: str
    root: Path
    home: Path
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    def lab_url(self, path="", fresh=False):
        """The Lab page for ``path`` (a file relative to ``root``, or "" for the Lab itself).
        ``fresh``: in a new workspace, so that no tab of an earlier visit is restored (``?reset``
        would do that too, but by loading the page a second time)."""
        workspace = f"/workspaces/w{secrets.token_hex(4)}" if fresh else ""
        tree = f"/tree/{urllib.parse.quote(path)}" if path else ""
        return f"{self.url}/lab{workspace}{tree}?token={self.token}"

    def api(self, endpoint, method="GET", body=None):
        """Call the REST API (``endpoint`` like "api/status") and return the decoded JSON."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/{endpoint}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def status(self, endpoint):
        """The HTTP status of GET ``endpoint`` (like "formgrader")."""
        try:
            self.api(endpoint)
            return 200
        except urllib.error.HTTPError as error:
            return error.code
        except json.JSONDecodeError:  # an HTML page
            return 200

    def log(self):
        """The server's log so far (stdout and stderr)."""
        return self.log_path.read_text(errors="replace")


def isolated_env(home, env=None):
    """Environment for the server: HOME and every Jupyter/IPython folder inside ``home``.

    Jupyter's and IPython's folders are set as ``make lab`` sets them (course.lab.student_env, in
    ``home/jupyter``). ``JUPYTER_PATH`` and ``JUPYTERLAB_DIR`` are removed so that the only data
    folders are the isolated one and the virtual environment's ``share/jupyter`` (Lab's assets,
    nbgrader's lab extension, the python3 kernel). ``env`` adds or overrides variables.
    """
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    inherited.pop("npm_config_cache", None)
    result = course_lab.student_env(Path(home) / "jupyter", inherited)
    folders = {
        "HOME": "",
        "MPLCONFIGDIR": ".config/matplotlib",
        "XDG_CACHE_HOME": ".cache",
        "XDG_CONFIG_HOME": ".config",
        "XDG_DATA_HOME": ".local/share",
    }
    for name, sub in folders.items():
        path = Path(home) / sub
        path.mkdir(parents=True, exist_ok=True)
        result[name] = str(path)
    result["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    result.update(env or {})
    return result


def write_config(config_dir, server_config=None, page_config=None):
    """Write the server's config files into its (isolated) ``JUPYTER_CONFIG_DIR``.

    ``server_config`` becomes ``jupyter_server_config.json``; ``page_config`` becomes
    ``labconfig/page_config.json``, e.g. ``{"disabledExtensions": {"@jupyter/nbgrader:formgrader": True}}``.
    Lab's user settings (:data:`USER_SETTINGS`) are always written.
    """
    config_dir = Path(config_dir)
    for name, settings in USER_SETTINGS.items():
        plugin_dir, file_name = name.rsplit("/", 1)
        target = config_dir / "lab" / "user-settings" / plugin_dir / file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings, indent=2))
    if server_config:
        (config_dir / "jupyter_server_config.json").write_text(json.dumps(server_config, indent=2))
    if page_config:
        (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
        (config_dir / "labconfig" / "page_config.json").write_text(json.dumps(page_config, indent=2))


def start_lab_server(root, home, *, student_exchange=None, server_config=None, page_config=None, env=None, args=()):
    """Start ``jupyter lab`` serving ``root``, with everything else inside ``home``; wait until it answers.

    ``student_exchange``: configure the server as a student's, with ``course.lab.write_student_config``
    (the configuration ``make lab`` uses) and that exchange folder; None: every nbgrader tool.
    The server listens on a free loopback port chosen by the OS (``--port=0``; the real port is
    read from the server's info file in its runtime folder). Its working folder is ``root``:
    nbgrader's Validate handler reads ``nbgrader_config.py`` from the server's working folder.
    ``args`` are extra command line options.
    """
    root, home = Path(root), Path(home)
    root.mkdir(parents=True, exist_ok=True)
    server_env = isolated_env(home, env)
    write_config(server_env["JUPYTER_CONFIG_DIR"], server_config, page_config)
    if student_exchange is not None:
        course_lab.write_student_config(server_env["JUPYTER_CONFIG_DIR"], exchange_root=student_exchange)
    token = secrets.token_hex(16)
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        *args,
    ]
    log_path = home / "jupyter-lab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=root, env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return wait_for_server(process, Path(server_env["JUPYTER_RUNTIME_DIR"]), root, home, log_path)


def start_course_lab(workspace, home, args=(), env=None):
    """Run the student setup itself, ``python -m course.lab --workspace WORKSPACE --port 0 --no-browser
    ARGS`` (what ``make lab`` runs), with HOME in ``home``; return the server once it answers.

    course.lab puts Jupyter's folders in ``jupyter/`` beside the workspace and picks the token.
    """
    workspace, home = Path(workspace), Path(home)
    home.mkdir(parents=True, exist_ok=True)
    server_env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    server_env.update({"HOME": str(home), "PYTHONWARNINGS": "ignore::DeprecationWarning", **(env or {})})
    command = [sys.executable, "-m", "course.lab", "--workspace", str(workspace), "--port", "0", "--no-browser", *args]
    log_path = home / "jupyter-lab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO, env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return wait_for_server(process, workspace.parent / "jupyter" / "runtime", workspace, home, log_path)


def wait_for_server(process, runtime_dir, root, home, log_path):
    """Wait until the server ``process`` wrote its info file (``jpserver-PID.json``: port and token)
    into ``runtime_dir`` and answers; return its :class:`LabServer`. Stops it on failure."""
    server = None
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {process.returncode}:\n{log_path.read_text()}")
        info_file = runtime_dir / f"jpserver-{process.pid}.json"
        if server is None and info_file.exists():
            try:
                info = json.loads(info_file.read_text())
            except json.JSONDecodeError:  # being written
                info = None
            if info:
                url = f"http://127.0.0.1:{info['port']}"
                server = LabServer(url, info["token"], root, home, log_path, process)
        if server is not None:
            try:
                server.api("api/status")
                return server
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
        time.sleep(0.2)
    stop_lab_server(LabServer("", "", root, home, log_path, process))
    raise RuntimeError(f"jupyter lab did not answer in {SERVER_START_TIMEOUT} s:\n{log_path.read_text()}")


def stop_lab_server(server, timeout=30):
    """Stop the server and its kernels: SIGTERM (the server shuts its kernels down), then SIGKILL.

    Kernels run in sessions of their own, so the server's process group does not hold them: the
    server's child processes are noted first, and any still alive at the end are killed.
    """
    process = server.process
    children = child_pids(process.pid)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def child_pids(pid):
    """The ids of the processes whose parent is ``pid`` (read from /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[1]) == pid:  # the fields after "pid (name)" are: state, ppid, ...
            children.append(int(stat.parent.name))
    return children


def lab_page_config(server):
    """The page config JSON embedded in the Lab page (federated extensions, disabled plugins, ...)."""
    request = urllib.request.Request(server.lab_url())
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
    match = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
    assert match, "no jupyter-config-data in the Lab page"
    return json.loads(match.group(1))


# ----------------------------------------------------------------------------------------------
# Driving JupyterLab in the browser
# ----------------------------------------------------------------------------------------------

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in the current main-area tab


def notebook_panel(page):
    """The notebook panel shown in the main area."""
    return page.locator(PANEL)


def open_notebook(page, server, path, timeout=60_000):
    """Open ``path`` (relative to the server root) in a freshly loaded Lab with no other tab; return
    its panel once the markdown is rendered and the kernel is idle."""
    page.goto(server.lab_url(path, fresh=True))
    return wait_for_notebook(page, timeout)


def wait_for_notebook(page, timeout=60_000):
    """Wait until the notebook in the current tab shows its cells, rendered, with an idle kernel."""
    panel = notebook_panel(page)
    panel.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=timeout)
    wait_for_markdown_rendered(page, timeout)
    wait_for_kernel_idle(page, timeout)
    return panel


def wait_for_markdown_rendered(page, timeout=30_000):
    """Wait until every markdown cell shows its rendered HTML (Lab renders them asynchronously)."""
    page.wait_for_function(
        """(panel) => {
            const cells = [...document.querySelectorAll(panel + ' .jp-MarkdownCell')];
            return cells.every(cell => {
                const rendered = cell.querySelector('.jp-RenderedMarkdown');
                return rendered && rendered.childElementCount > 0;
            });
        }""",
        arg=PANEL,
        timeout=timeout,
    )


def wait_for_kernel_idle(page, timeout=KERNEL_TIMEOUT):
    """Wait until the notebook has a kernel, the kernel is idle and no cell shows a ``[*]`` prompt.

    The state is the ``data-status`` of the notebook toolbar's execution indicator (the circle at
    the right of the toolbar). It stays "busy" while Run All still has cells queued (the status
    bar's kernel status flickers to "Idle" between cells), but it also says "idle" before the
    kernel exists, while the toolbar's kernel name still reads "No Kernel"; hence both checks.
    """
    page.wait_for_function(
        """(panel) => {
            const root = document.querySelector(panel);
            const name = root && root.querySelector('.jp-KernelName');
            if (!name || ['', 'No Kernel'].includes(name.textContent.trim())) return false;
            const indicator = root.querySelector('.jp-Notebook-ExecutionIndicator');
            if (!indicator || indicator.dataset.status !== 'idle') return false;
            return ![...root.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'));
        }""",
        arg=PANEL,
        timeout=timeout,
    )


def restart_and_run_all(page, timeout=KERNEL_TIMEOUT):
    """Kernel > Restart Kernel and Run All Cells..., confirm, and wait until every cell has run.

    A MutationObserver notes the moment a ``[*]`` prompt appears, so the wait cannot end on the
    state from before the restart, however fast the cells run.
    """
    page.evaluate(
        """(panel) => {
            const notebook = document.querySelector(panel + ' .jp-Notebook');
            const running = () => [...notebook.querySelectorAll('.jp-InputPrompt')].some(
                p => p.textContent.includes('*'));
            window.__labRunSeen = false;
            const observer = new MutationObserver(() => {
                if (running()) { window.__labRunSeen = true; observer.disconnect(); }
            });
            observer.observe(notebook, {subtree: true, childList: true, characterData: true});
        }""",
        PANEL,
    )
    click_menu(page, "Kernel", "Restart Kernel and Run All Cells")
    dialog = page.locator(".jp-Dialog")
    dialog.locator(".jp-mod-accept").click()
    dialog.wait_for(state="detached")
    page.wait_for_function("() => window.__labRunSeen === true", timeout=timeout)
    wait_for_kernel_idle(page, timeout)


def click_menu(page, menu, item):
    """Click ``item`` (its label, e.g. "Save Notebook"; a trailing "…" may be left out) in the main menu ``menu``."""
    exactly = re.compile(rf"^{re.escape(menu)}$")
    page.locator(".lm-MenuBar-item").filter(has_text=exactly).click()
    label = re.compile(rf"^{re.escape(item)}…?$")
    page.locator(".lm-Menu:visible .lm-Menu-itemLabel").filter(has_text=label).click()


def wait_for_lab(page, timeout=60_000):
    """Wait until Lab has restored its layout: its splash screen, shown until then, is gone. Before,
    the panels it restores take the focus, and a command palette that loses the focus closes."""
    page.wait_for_function(
        "() => document.querySelector('#jp-main-dock-panel') && !document.querySelector('#jupyterlab-splash')",
        timeout=timeout,
    )


def palette_commands(page, query, attempts=3):
    """The labels of the commands the command palette lists for ``query`` (it matches loosely). The
    palette closes when anything takes the focus from it; it is opened again if that happens before
    its list was read."""
    wait_for_lab(page)
    search = page.locator(".lm-CommandPalette-input")
    for attempt in range(1, attempts + 1):
        click_menu(page, "View", "Activate Command Palette")
        try:
            search.fill(query, timeout=5_000)
            page.wait_for_timeout(200)  # the palette filters as one types
            labels = page.locator(".lm-CommandPalette-item .lm-CommandPalette-itemLabel").all_inner_texts()
            if search.is_visible() and search.input_value() == query:  # read while open, for this query
                break
        except PlaywrightTimeoutError:
            pass
        if attempt == attempts:
            raise AssertionError(f"the command palette closed {attempts} times before it listed {query!r}")
    page.keyboard.press("Escape")
    search.wait_for(state="hidden")
    return labels


def cells(page):
    """All cells of the current notebook, in notebook order (Lab attaches every cell by default)."""
    return notebook_panel(page).locator(".jp-Notebook .jp-Cell")


def cell_output_html(page, index):
    """The HTML of the output area of cell ``index`` (0-based, as in the .ipynb file)."""
    return cells(page).nth(index).locator(".jp-OutputArea").inner_html()


def code_cell_prompts(page):
    """The input prompts of the code cells, e.g. ["[1]:", "[2]:", "[ ]:"].

    Uses textContent: ``inner_text`` is empty for cells that Lab skips rendering off screen
    (its default windowing mode, "contentVisibility").
    """
    prompts = notebook_panel(page).locator(".jp-CodeCell .jp-InputPrompt").all_text_contents()
    return [text.strip() for text in prompts]


def save_notebook(page, timeout=30_000):
    """Ctrl+S in the notebook; return once the server answered the save and the tab shows no unsaved changes."""

    def is_save(response):
        return "/api/contents/" in response.url and response.request.method == "PUT"

    notebook_panel(page).locator(".jp-Notebook").focus()
    with page.expect_response(is_save, timeout=timeout) as saved:
        page.keyboard.press("Control+s")
    assert saved.value.ok, f"saving failed: HTTP {saved.value.status}"
    page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").wait_for(state="detached", timeout=timeout)


# Scroll a scrollable element until the end of the first occurrence of a text is at its bottom.
REVEAL_TEXT = """(box, text) => {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent.indexOf(text);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + text.length);
        box.scrollTop += range.getBoundingClientRect().bottom - box.getBoundingClientRect().bottom + 8;
        return;
    }
    throw new Error('not in the dialog: ' + text);
}"""


def validate(page, timeout=KERNEL_TIMEOUT, screenshot=None, reveal=None):
    """Click nbgrader's Validate button, return the text of its result dialog, and close it.

    The button saves the notebook, then the server runs it with ``nbgrader validate``; the
    dialog's title is "Validation Results" (or "Validation failed" / "Version Mismatch").
    ``screenshot``: a path for a PNG of the dialog, its text scrolled to show ``reveal`` if given.
    """
    notebook_panel(page).locator(".validate-button").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=timeout)
    text = dialog.locator(".jp-Dialog-header").inner_text() + "\n" + dialog.locator(".jp-Dialog-body").inner_text()
    if screenshot:
        if reveal:  # scroll the dialog's text until the end of ``reveal`` is at its bottom
            dialog.locator(".jp-Dialog-body").evaluate(REVEAL_TEXT, reveal)
        dialog.locator(".jp-Dialog-content").screenshot(path=str(screenshot), animations="disabled")
    dialog.locator(".jp-mod-accept").click()
    dialog.wait_for(state="detached")
    return text


def reload_from_disk(page, timeout=60_000):
    """File > Reload Notebook from Disk (the notebook has no unsaved change); wait until it is shown."""
    click_menu(page, "File", "Reload Notebook from Disk")
    return wait_for_notebook(page, timeout)


def check_images_loaded(page, expected=None, timeout=30_000):
    """Assert that every <img> in the notebook loaded; return [(src, naturalWidth), ...].

    Waits until there are at least ``expected`` images (if given) and all finished loading, then
    checks that each has ``naturalWidth > 0`` (a missing file gives 0) and the ``expected`` count.
    """
    panel = notebook_panel(page)
    page.wait_for_function(
        """([panel, expected]) => {
            const images = [...document.querySelectorAll(panel + ' img')];
            return (expected === null || images.length >= expected) && images.every(img => img.complete);
        }""",
        arg=[PANEL, expected],
        timeout=timeout,
    )
    images = panel.locator("img").evaluate_all("imgs => imgs.map(img => [img.getAttribute('src'), img.naturalWidth])")
    broken = [src for src, width in images if width == 0]
    assert not broken, f"images that did not load: {broken}"
    if expected is not None:
        assert len(images) == expected, f"{len(images)} images, {expected} expected"
    return [tuple(image) for image in images]


def check_math_rendered(page, expected=None, timeout=30_000):
    """Assert that MathJax rendered every formula of the rendered markdown; return their count.

    Waits until the number of ``mjx-container`` elements stops changing for 1 s (3 s while it is
    not the ``expected`` count; MathJax typesets asynchronously). Then checks that no ``$...$`` is
    left in the markdown's text (code excluded; MathJax leaves a formula it cannot parse, like
    ``$a_{b$``, as text), that MathJax reported no TeX error nor undefined macro, and, if given,
    the ``expected`` count.
    """
    panel = notebook_panel(page)
    count, stable_since = -1, time.monotonic()
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        now = panel.locator(".jp-RenderedMarkdown mjx-container").count()
        if now != count:
            count, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since > (1.0 if expected in (None, count) else 3.0):
            break
        time.sleep(0.2)
    leftovers = panel.locator(".jp-RenderedMarkdown").evaluate_all(
        """nodes => nodes.map(node => {
            const copy = node.cloneNode(true);
            copy.querySelectorAll('mjx-container, code, pre').forEach(e => e.remove());
            return copy.textContent.match(/\\$[^$]+\\$/g) || [];
        }).flat()"""
    )
    # A TeX error becomes <mjx-merror>; an undefined macro is shown as red text.
    errors = panel.locator("mjx-container").evaluate_all(
        """containers => containers
            .filter(c => c.querySelector("mjx-merror, mjx-mtext[style*='color: red']"))
            .map(c => {
                const error = c.querySelector('mjx-merror');
                const tex = c.querySelector('mjx-assistive-mml');
                return (error ? error.dataset.mjxError : 'undefined macro') + ': ' + (tex ? tex.textContent : '');
            })"""
    )
    problems = []
    if leftovers:
        problems.append(f"formulas left as raw TeX: {leftovers[:10]}")
    if errors:
        problems.append(f"MathJax errors: {errors[:10]}")
    if expected is not None and count != expected:
        problems.append(f"{count} formulas rendered, {expected} expected")
    assert not problems, "; ".join(problems)
    return count


def count_math(markdown):
    """The number of formulas (``$...$`` and ``$$...$$``) in a markdown text, code excluded."""
    text = re.sub(r"```.*?```", "", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", "", text)
    text = text.replace(r"\$", "")
    display = re.findall(r"\$\$.+?\$\$", text, flags=re.S)
    text = re.sub(r"\$\$.+?\$\$", "", text, flags=re.S)
    return len(display) + len(re.findall(r"\$[^$]+?\$", text, flags=re.S))


def screenshot_notebook(page, path, max_height=20_000):
    """Save a PNG of the whole notebook panel, not only what fits on screen."""
    with tall_viewport(page, max_height):
        notebook_panel(page).screenshot(path=str(path))


@contextlib.contextmanager
def tall_viewport(page, max_height=20_000):
    """Within the block, the viewport is as tall as the whole notebook (at most ``max_height``
    pixels) and the notebook scrolled to its top, so every cell is laid out where it stays.

    Lab scrolls inside the notebook panel, so a "full page" screenshot is only the viewport; and
    with its default windowing mode, off-screen cells have an estimated height until they are
    shown, so an element scrolled into view moves again while the cells above it are laid out.
    """
    size = page.viewport_size
    height = page.evaluate("(panel) => document.querySelector(panel + ' .jp-WindowedPanel-outer').scrollHeight", PANEL)
    page.set_viewport_size({"width": size["width"], "height": min(size["height"] + height, max_height)})
    try:
        page.evaluate("(panel) => document.querySelector(panel + ' .jp-WindowedPanel-outer').scrollTo(0, 0)", PANEL)
        page.wait_for_timeout(500)  # layout and images of the newly visible cells
        yield
    finally:
        page.set_viewport_size(size)


# ----------------------------------------------------------------------------------------------
# The course's scorecards
# ----------------------------------------------------------------------------------------------

ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


@dataclass
class Scorecard:
    """A scorecard (``div.cnn-scorecard``) as shown in the notebook."""

    cell: int  # the index of its test cell
    headline: str
    color: str  # the headline's colour, as the browser computes it: "rgb(207, 34, 46)"
    text: str  # the whole card's text
    error: str  # the text of the cell's error output, "" when it has none


def exercise_cells(path):
    """``[(cell index, function)]`` of the test cells (grade_id ``test_<function>``) of a notebook file."""
    cells = json.loads(Path(path).read_text())["cells"]
    ids = [(i, cell["metadata"].get("nbgrader", {}).get("grade_id", "")) for i, cell in enumerate(cells)]
    return [(i, grade_id.removeprefix("test_")) for i, grade_id in ids if grade_id.startswith("test_")]


def run_all(page, path):
    """Restart and Run All the open notebook (``path``: its file); check that every code cell ran, in
    order (a failing check does not stop the run); return ``{function: Scorecard}``, one card per
    test cell."""
    restart_and_run_all(page)
    code_cells = [cell for cell in json.loads(Path(path).read_text())["cells"] if cell["cell_type"] == "code"]
    assert code_cell_prompts(page) == [f"[{number}]:" for number in range(1, len(code_cells) + 1)]
    functions = dict(exercise_cells(path))
    cards = scorecards(page)
    assert [card.cell for card in cards] == list(functions), "one scorecard per test cell, in its test cell"
    return {functions[card.cell]: card for card in cards}


def scorecards(page):
    """The scorecards of the current notebook, in cell order (at most one per cell)."""
    cards = page.evaluate(
        """([panel, errorOutput]) => [...document.querySelectorAll(panel + ' .jp-Notebook .jp-Cell')]
            .map((cell, index) => {
                const card = cell.querySelector('.cnn-scorecard');
                if (!card) return null;
                const headline = card.querySelector('b');
                const errors = [...cell.querySelectorAll(errorOutput)].map(e => e.textContent);
                return {cell: index, headline: headline.textContent, color: getComputedStyle(headline).color,
                        text: card.textContent, error: errors.join('\\n')};
            })
            .filter(card => card !== null)""",
        [PANEL, ERROR_OUTPUT],
    )
    return [Scorecard(**card) for card in cards]


def flat(text):
    """``text`` with every run of whitespace made one space: the card's text as an error (and in
    Validate's dialog) is wrapped into lines, its HTML is not."""
    return " ".join(text.split())


def css_rgb(hex_color):
    """``"#cf222e"`` as a browser's computed style spells it: ``"rgb(207, 34, 46)"``."""
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def screenshot_scorecard(page, cell, path):
    """Save a PNG of the scorecard of cell ``cell``: its output (the card and Lab's padding around it)."""
    output = cells(page).nth(cell).locator(".jp-OutputArea-output", has=page.locator(".cnn-scorecard"))
    with tall_viewport(page):
        output.screenshot(path=str(path), animations="disabled")


# ----------------------------------------------------------------------------------------------
# nbgrader's Assignments panel (Nbgrader > Assignment List)
# ----------------------------------------------------------------------------------------------

ASSIGNMENTS = "#nbgrader-assignment-list"


def open_assignments(page):
    """Nbgrader > Assignment List; return the panel once its lists are loaded."""
    click_menu(page, "Nbgrader", "Assignment List")
    panel = page.locator(ASSIGNMENTS)
    panel.wait_for()
    wait_for_assignments(page)
    return panel


def wait_for_assignments(page, timeout=60_000):
    """Wait until no list of the panel is loading and no button is busy ("fetching...")."""
    page.wait_for_function(
        """(panel) => {
            const root = document.querySelector(panel);
            if (!root) return false;
            if ([...root.querySelectorAll('.list_loading')].some(e => !e.hidden)) return false;
            return ![...root.querySelectorAll('button')].some(b => b.disabled);
        }""",
        arg=ASSIGNMENTS,
        timeout=timeout,
    )


def assignment_row(page, section, assignment):
    """The row of ``assignment`` in a section of the panel: "released", "fetched" or "submitted"."""
    # not a longer name that starts the same (cnn_step_by_step_bonus for cnn_step_by_step)
    name = page.locator(".col-md-12 > .item_name", has_text=re.compile(rf"^{re.escape(assignment)}(?!\w)"))
    return page.locator(f"{ASSIGNMENTS} #{section}_assignments_list > .list_item").filter(has=name)


def assignment_action(page, section, assignment, button):
    """Click ``button`` ("Fetch", "Submit", "Fetch Feedback") on the row of ``assignment`` in ``section``;
    wait until the panel has reloaded its lists."""
    assignment_row(page, section, assignment).locator("button", has_text=re.compile(rf"^{button}$")).click()
    wait_for_assignments(page)


def refresh_assignments(page):
    """The panel's refresh button."""
    page.locator(f"{ASSIGNMENTS} #refresh_assignments_list").click()
    wait_for_assignments(page)


def scroll_to_cell(page, index, timeout=10):
    """Scroll the notebook until cell ``index`` stays at the top of the panel (cells above it get
    their real height only once shown, which moves it again)."""
    script = """([panel, index]) => {
        const cell = document.querySelectorAll(panel + ' .jp-Notebook .jp-Cell')[index];
        const outer = document.querySelector(panel + ' .jp-WindowedPanel-outer');
        const offset = () => cell.getBoundingClientRect().top - outer.getBoundingClientRect().top;
        if (Math.abs(offset()) > 1) outer.scrollTop += offset();
        return Math.round(offset());
    }"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.evaluate(script, [PANEL, index])
        page.wait_for_timeout(300)
        if abs(page.evaluate(script, [PANEL, index])) <= 1:
            return
    raise AssertionError(f"cell {index} does not stay at the top of the notebook")
