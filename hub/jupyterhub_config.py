"""JupyterHub configuration of the cnn-step-by-step course: the one `make hub` runs and the hub tests
(tests/browser/test_hub.py) start; docs/jupyterhub.md explains it line by line.

Run as root (the Hub starts each person's server as their own Unix user):
    jupyterhub -f hub/jupyterhub_config.py
The values a class changes come from the environment (set by `python -m course.hub`, `make hub`):

CNN_HUB_STATE     the Hub's own files: database, cookie secret, tokens, servers' configuration (default: CNN_HUB_HOME)
CNN_HUB_HOME      what the accounts run, outside the checkout: venv/, node_modules/ (default: /opt/cnn-hub)
CNN_HUB_PORT      the public port (default 8000); the Hub's API, the proxy's API and formgrader use the next 3
CNN_HUB_PREFIX    account names: PREFIX-instructor, PREFIX-student-a, PREFIX-student-b (default: cnn)
CNN_HUB_COURSE    the instructor's course directory (default: ~PREFIX-instructor/cnn-step-by-step)
CNN_HUB_EXCHANGE  nbgrader's shared exchange folder (default: /srv/nbgrader/exchange)
"""

import pwd
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from course import hub as course_hub  # noqa: E402

settings = course_hub.Settings.from_env()
BIN = Path(sys.executable).parent  # the course's virtual environment: the Hub, every server and nbgrader

# --- The Hub and its proxy --------------------------------------------------------------------
c.JupyterHub.ip = "127.0.0.1"  # put a TLS proxy (nginx, Caddy) in front for a real class
c.JupyterHub.port = settings.port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings.port + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.port + 2}"
c.ConfigurableHTTPProxy.command = [str(settings.proxy)]  # configurable-http-proxy, pinned, from npm
c.ConfigurableHTTPProxy.auth_token = settings.secret("proxy_token")
private = settings.make_private()  # root only (700): the students' servers can reach STATE's config folders
c.JupyterHub.cookie_secret_file = str(private / "jupyterhub_cookie_secret")
c.JupyterHub.db_url = f"sqlite:///{private / 'jupyterhub.sqlite'}"
c.JupyterHub.pid_file = str(private / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the Hub stops every server it started
c.JupyterHub.cleanup_proxy = True

# --- Who may log in: real Unix accounts, their own passwords (PAM) -------------------------------
# The accounts and passwords are the machine's (`python -m course.hub users` creates them for this
# demo class); nothing outside the machine is asked. Only the class's accounts are allowed.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # no login session (utmp, systemd-logind) per server
c.Authenticator.allowed_users = set(settings.users)
c.Authenticator.admin_users = set()  # nobody administers the Hub from the web

# --- Every person's server: their own Unix user, JupyterLab, only the student's nbgrader tools -----
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120  # two busy cores
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "PATH": f"{BIN}:/usr/bin:/bin",
    # read before the environment's own files: the Assignments panel and Validate on the shared
    # exchange; Formgrader, Create Assignment and the course list off (course/lab.py writes them)
    "JUPYTER_CONFIG_PATH": str(settings.student_config),
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}

# --- The instructor's formgrader: a Hub service, run as the instructor in the course directory ----
# nbgrader's documented pattern: the service is a Jupyter server started in the course directory, so
# formgrader reads the course's nbgrader_config.py (which points at the shared exchange). It is at
# /services/<course>/formgrader, for the instructor only.
instructor_home = pwd.getpwnam(settings.instructor).pw_dir if settings.has_users() else "/"
c.JupyterHub.services = [
    {
        "name": course_hub.COURSE_ID,
        "url": f"http://127.0.0.1:{settings.port + 3}",
        "command": [str(BIN / "jupyterhub-singleuser"), "--ServerApp.default_url=/formgrader"],
        "user": settings.instructor,
        "cwd": str(settings.course),
        "oauth_no_confirm": True,
        "environment": {
            "PATH": f"{BIN}:/usr/bin:/bin",
            "HOME": instructor_home,
            "USER": settings.instructor,
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
            "JUPYTER_CONFIG_PATH": str(settings.service_config),  # what formgrader does not use, off
            "PYTHONWARNINGS": "ignore::DeprecationWarning",
        },
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "instructor",
        "description": "Formgrader of the course",
        "users": [settings.instructor],
        "scopes": [f"access:services!service={course_hub.COURSE_ID}", "list:services"],
    },
]
