"""The course's JupyterHub for the hub tests: started as ``make hub`` starts it (``course.hub``'s setup,
then ``jupyterhub -f hub/jupyterhub_config.py``), with accounts of its own (``cnnt-instructor``,
``cnnt-student-a``, ``cnnt-student-b``), a state folder and exchange of its own under
``/srv/nbgrader/``, on free ports; and helpers that drive it in Chromium as each person would.

Needs root (the Hub starts each server as its own Unix user) and ``make hub-deps``.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import lab

from course import hub as course_hub

PREFIX = "cnnt"  # the tests' accounts, apart from make hub's (cnn-*)
START_TIMEOUT = 120  # seconds, for the Hub, a server or the formgrader service on two busy cores
SERVICE = f"services/{course_hub.COURSE_ID}"


def free_port_base(count=4, attempts=200):
    """A port p such that p .. p+count-1 are free on the loopback (the Hub uses four in a row)."""
    for _ in range(attempts):
        base = 20000 + secrets.randbelow(30000)
        sockets = []
        try:
            for port in range(base, base + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no 4 free ports in a row")


def descendants(pid):
    """Every process below ``pid`` (read from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Hub:
    """A running Hub of the course: ``url``, ``settings`` (course_hub.Settings), ``passwords``."""

    def __init__(self, settings, process, log_path):
        self.settings, self.process, self.log_path = settings, process, log_path
        self.url = settings.url
        self.passwords = settings.passwords()

    @property
    def instructor(self):
        return self.settings.instructor

    @property
    def students(self):
        return self.settings.students

    @property
    def course(self):
        return self.settings.course

    def home(self, user):
        import pwd

        return Path(pwd.getpwnam(user).pw_dir)

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_until_up(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api/", timeout=5) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the Hub did not answer in {START_TIMEOUT} s:\n{self.log()[-3000:]}")

    def stop(self, timeout=30):
        """SIGTERM (the Hub stops its servers, the service and the proxy), then SIGKILL what is left."""
        below = descendants(self.process.pid)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        below += [p for pid in below for p in descendants(pid)]
        for pid in below:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def reset_accounts(settings):
    """Empty the test accounts' homes and remove their course directory, so every run starts anew."""
    import pwd

    for user in settings.users:
        try:
            home = Path(pwd.getpwnam(user).pw_dir)
        except KeyError:
            continue
        if home.is_dir():
            for child in home.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()


@contextmanager
def running_hub(work):
    """Set up and start the course's Hub (as ``make hub`` does) for the tests; stop it and remove its
    state (and exchange) afterwards. ``work``: a folder for the Hub's log."""
    state = Path("/srv/nbgrader") / f"cnn-hub-test-{secrets.token_hex(4)}"
    settings = course_hub.Settings(state=state, port=free_port_base(), prefix=PREFIX, exchange=state / "exchange")
    reset_accounts(settings)
    env = course_hub.hub_env(settings)
    log_path = Path(work) / "jupyterhub.log"
    hub = None
    try:
        setup = subprocess.run(
            [str(course_hub.HUB_PYTHON), "-m", "course.hub", "setup"],
            cwd=course_hub.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert setup.returncode == 0, f"python -m course.hub setup failed:\n{setup.stdout}\n{setup.stderr}"
        settings = course_hub.Settings(state=state, port=settings.port, prefix=PREFIX, exchange=state / "exchange")
        for attempt in (1, 2):  # JupyterHub stops when its formgrader service is not up in 10 s (a cold start)
            with open(log_path, "wb") as log:
                process = subprocess.Popen(
                    course_hub.command(settings),
                    cwd=state,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            hub = Hub(settings, process, log_path)
            try:
                hub.wait_until_up()
                break
            except RuntimeError:
                if attempt == 2 or "Cannot connect to" not in hub.log():
                    raise
                hub.stop()
        yield hub
    finally:
        if hub is not None:
            hub.stop()
        shutil.rmtree(state, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# In the browser
# ----------------------------------------------------------------------------------------------


def log_in(page, hub, user):
    """Log ``user`` in on the Hub's login page, start their server, wait for their JupyterLab."""
    page.goto(f"{hub.url}/hub/login")
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(hub.passwords[user])
    page.locator("#login_submit").click()
    page.wait_for_url(lambda url: "/hub/login" not in url, timeout=START_TIMEOUT * 1000)


def open_lab(page, hub, user, path=""):
    """``user``'s JupyterLab (their server started if needed), in a fresh workspace, at ``path``."""
    tree = f"/tree/{path}" if path else ""
    page.goto(f"{hub.url}/user/{user}/lab/workspaces/w{secrets.token_hex(4)}{tree}", timeout=START_TIMEOUT * 1000)
    page.wait_for_url(f"**/user/{user}/lab/**", timeout=START_TIMEOUT * 1000)
    lab.wait_for_lab(page, timeout=START_TIMEOUT * 1000)


FETCH = """async ([url, method, body]) => {
    const match = document.cookie.match(/(?:^|; )_xsrf=([^;]*)/);
    const headers = {'Content-Type': 'application/json'};
    if (match) headers['X-XSRFToken'] = match[1];
    const response = await fetch(url, {method, headers, body: body === null ? undefined : body,
                                       credentials: 'same-origin'});
    return {status: response.status, text: await response.text()};
}"""


def call(page, url, method="GET", body=None):
    """An HTTP request from the page, as its own JavaScript would send it (the person's cookie and
    the server's XSRF token); returns the decoded JSON. Raises on an HTTP error."""
    data = None if body is None else json.dumps(body)
    result = page.evaluate(FETCH, [url, method, data])
    assert 200 <= result["status"] < 300, f"{method} {url}: HTTP {result['status']}: {result['text'][:2000]}"
    return json.loads(result["text"]) if result["text"] else None


def status(page, url):
    """The HTTP status of GET ``url`` from the page."""
    return page.evaluate(FETCH, [url, "GET", None])["status"]


def put_notebook(page, hub, user, path, notebook):
    """Save ``notebook`` (a dict) as ``path`` in ``user``'s home, through their server's contents API."""
    body = {"type": "notebook", "format": "json", "content": notebook}
    return call(page, f"{hub.url}/user/{user}/api/contents/{path}", "PUT", body)


def open_formgrader(page, hub):
    """The instructor's formgrader (the Hub service), its Manage Assignments page."""
    page.goto(f"{hub.url}/{SERVICE}/formgrader", timeout=START_TIMEOUT * 1000)
    page.wait_for_url(f"**/{SERVICE}/formgrader**", timeout=START_TIMEOUT * 1000)
    page.locator("text=Manage Assignments").first.wait_for(timeout=START_TIMEOUT * 1000)


def formgrader(page, hub, endpoint, method="POST"):
    """Formgrader's HTTP API (what its buttons call), from the instructor's page; fails with
    formgrader's own error (a traceback) when the answer says it did not succeed."""
    result = call(page, f"{hub.url}/{SERVICE}/formgrader/api/{endpoint}", method)
    if isinstance(result, dict) and result.get("success") is False:
        raise AssertionError(f"formgrader {endpoint}:\n{result.get('error', '')}\n{result.get('log', '')}")
    return result
