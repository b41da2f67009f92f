"""One submission's job: autograde one student's assignment and generate their feedback, with
nbgrader's own API.

A job runs inside a long-lived worker process (forked from the grading process by course.workers's
local pool after ``preload()``, or a Dask worker on another machine), so nbgrader, nbconvert and
jsonschema are imported once rather than once per student. It
calls ``NbGraderAPI.autograde`` and ``NbGraderAPI.generate_feedback`` (what the formgrader calls
for one student), with the course's ``nbgrader_config.py`` loaded the way nbgrader's apps load it.

A job never raises for a broken submission: it returns a ``JobResult`` whose ``reason`` is one
line an instructor can act on. How a submission is graded (outside the kernel, sandboxed) comes
from the course's nbgrader_config.py, as for every other way of running nbgrader;
``JobSpec.extra_args`` (nbgrader command-line options such as ``--Execute.timeout=15``) and
``JobSpec.env`` (environment variables while the job runs, e.g. ``CNN_SANDBOX=off``) change it for
one job.
"""

import contextlib
import hashlib
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# Statuses of a JobResult.
GRADED = "graded"  # autograded (and feedback generated when asked)
FAILED = "failed"  # could not be graded; ``reason`` says why
RETRY = "retry"  # a transient failure (the SQLite gradebook was locked): run it again

# One job at a time per process: nbgrader changes the working directory and we set environment
# variables for the kernel, both process-wide. A Dask worker with several threads stays correct.
_PROCESS_LOCK = threading.Lock()


@dataclass(frozen=True)
class JobSpec:
    """What to do for one student."""

    course_dir: str
    assignment: str
    student: str
    db_url: str
    autograde: bool = True
    feedback: bool = True
    extra_args: tuple = ()  # nbgrader options, e.g. ("--Execute.timeout=30",)
    env: tuple = ()  # (("NAME", "value"), ...) set while the job runs


@dataclass
class JobResult:
    """The outcome of one job; ``seconds`` holds the time of each phase."""

    student: str
    status: str
    reason: str = ""
    notes: list = field(default_factory=list)  # graded, but worth a look (e.g. a cell timed out)
    digest: str = ""
    seconds: dict = field(default_factory=dict)
    worker: str = ""
    started: float = 0.0  # when the job started and ended (epoch seconds)
    finished: float = 0.0


def skip_unused_imports():
    """Keep jsonschema from importing ``rfc3987_syntax``, which builds a parser for RFC 3987 IRIs at
    import (3 s of CPU per process). It only serves jsonschema's optional "iri" format check, which
    nothing in grading uses: nbformat validates with fastjsonschema, nbgrader its cell metadata with
    jsonschema without format checks. Effective only before jsonschema is first imported."""
    import sys

    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules: an ImportError


SKIP_FILE = "cnn_skip_rfc3987_syntax.pth"  # in a virtual environment's site-packages (make venv)


def write_import_skip():
    """Make every Python process of this virtual environment skip ``rfc3987_syntax`` as
    ``skip_unused_imports`` does (a ``.pth`` file, run at start-up): ``nbgrader`` commands, Jupyter
    servers and formgrader import jsonschema too, and each paid 1.5 s of CPU for the parser (2.7 s
    to import nbgrader's apps, 1.1 s without). Returns the file written."""
    import site

    path = Path(site.getsitepackages()[0]) / SKIP_FILE
    path.write_text('import sys; sys.modules.setdefault("rfc3987_syntax", None)\n')
    return path


def preload():
    """Import what a job uses (nbgrader, nbconvert, nbclient, jupyter_client), so processes forked
    from this one start grading at once (course.workers's local pool)."""
    skip_unused_imports()
    import jupyter_client.manager  # noqa: F401
    import nbclient  # noqa: F401
    import nbconvert.exporters  # noqa: F401
    import nbformat.v4
    import nbformat.validator
    import nbgrader.apps  # noqa: F401
    import nbgrader.apps.api  # noqa: F401
    import nbgrader.converters  # noqa: F401
    import sqlalchemy.orm  # noqa: F401

    from . import exercises
    from .grading import setup  # noqa: F401 (the grading step, nbgrader fixes, the sandbox)

    for assignment in exercises.assignments():  # the references' expected values, computed once
        for exercise in assignment.exercises:
            exercise.expected  # noqa: B018

    # nbformat compiles a validator per notebook format version on first use (0.1 s each)
    for minor, relaxed in ((4, False), (4, True), (nbformat.v4.nbformat_minor, False)):
        nbformat.validator.get_validator(4, minor, relax_add_props=relaxed)


def submission_folder(course_dir, assignment, student):
    return Path(course_dir) / "submitted" / student / assignment


def submission_digest(folder):
    """A hash of every file of a submission folder (names and contents): it changes when a student's
    submission is collected again with different files."""
    digest = hashlib.sha256()
    folder = Path(folder)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def expected_notebooks(course_dir, assignment):
    """Names (without .ipynb) of the assignment's notebooks, from the release (else the source)."""
    for step in ("release", "source"):
        folder = Path(course_dir) / step / assignment
        names = sorted(p.stem for p in folder.glob("*.ipynb"))
        if names:
            return names
    return []


def missing_notebook_reason(spec):
    """A one-line reason when the submission lacks one of the assignment's notebooks, else ''."""
    folder = submission_folder(spec.course_dir, spec.assignment, spec.student)
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    missing = [
        f"{n}.ipynb" for n in expected_notebooks(spec.course_dir, spec.assignment) if f"{n}.ipynb" not in present
    ]
    if not missing:
        return ""
    found = f" (found: {', '.join(present)})" if present else " (no notebook at all)"
    return f"notebook {', '.join(missing)} missing from the submission{found}"


# Failure classification: the first pattern found in nbgrader's log/traceback gives the reason.
_FAILURES = (
    ("database is locked", RETRY, "the SQLite gradebook was locked by another job"),
    ("bubblewrap (bwrap) is not installed", FAILED, "bubblewrap is not installed: run `make sandbox-deps`"),
    ("Kernel died before replying", FAILED, "the kernel could not start"),
    ("DeadKernelError", FAILED, "the kernel died (the code ended Python, e.g. os._exit, or crashed it)"),
    ("UnresponsiveKernelError", FAILED, "the kernel stopped responding and could not be interrupted"),
    ("NotJSONError", FAILED, "the notebook file is not valid JSON"),
    ("JSONDecodeError", FAILED, "the notebook file is not valid JSON"),
    ("NBFormatError", FAILED, "the notebook file does not follow the notebook format"),
    ("ValidationError", FAILED, "the notebook file does not follow the notebook format"),
    ("SchemaTooOldError", FAILED, "the notebook's nbgrader metadata is too old (run nbgrader update)"),
    ("SchemaTooNewError", FAILED, "the notebook's nbgrader metadata is newer than this nbgrader"),
    ("OperationalError", FAILED, "the gradebook database could not be used"),
)


def classify_failure(text):
    """``(status, one-line reason)`` for the log and traceback of a failed nbgrader call."""
    for pattern, status, reason in _FAILURES:
        if pattern in text:
            return status, reason
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line or "Exception" in line]
    last = (errors or lines or ["nbgrader failed without a message"])[-1]
    return FAILED, f"nbgrader failed: {last[:200]}"


def graded_notes(autograded_notebook):
    """What the grader noted about a graded notebook (course.grading.autograde): calls that timed
    out, a kernel that died, results it could not read."""
    import nbformat

    try:
        nb = nbformat.read(str(autograded_notebook), as_version=4)
    except Exception:  # the notebook was graded; a note is not worth failing for
        return []
    return list(nb.metadata.get("cnn_grading", {}).get("notes", []))


@contextlib.contextmanager
def _job_environment(course_dir, env):
    """Run in the course directory with ``env`` set; restore both afterwards."""
    saved_cwd, saved_env = os.getcwd(), {k: os.environ.get(k) for k, _ in env}
    os.chdir(course_dir)
    os.environ.update(dict(env))
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _nbgrader_api(spec):
    """nbgrader's API for the course: its nbgrader_config.py loaded as nbgrader's apps load it,
    then ``extra_args`` and the gradebook URL on top."""
    from nbgrader.apps import NbGrader
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    app = NbGrader()
    app.log.setLevel("WARN")
    app.load_config_file()
    if spec.extra_args:
        app.parse_command_line(list(spec.extra_args))
    config = app.config
    config.CourseDirectory.root = str(spec.course_dir)
    config.CourseDirectory.db_url = spec.db_url
    config.NbGraderAPI.log_level = "WARN"
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _call(function, *args, **kwargs):
    """Call an NbGraderAPI method; return ``''`` on success or its log and traceback (also written
    to stderr: the local pool's workers.log)."""
    result = function(*args, **kwargs)
    if result.get("success"):
        return ""
    problem = (result.get("log") or "") + "\n" + (result.get("error") or "")
    print(f"--- {function.__name__} {args}: failed\n{problem}", file=sys.stderr, flush=True)
    return problem


def run_job(spec):
    """Autograde one student's assignment and generate their feedback; return a ``JobResult``
    (never raises for a broken submission)."""
    result = JobResult(
        student=spec.student, status=GRADED, worker=f"{os.uname().nodename}:{os.getpid()}", started=time.time()
    )
    _run(spec, result)
    result.finished = time.time()
    return result


def _run(spec, result):
    """run_job's work: fill in ``result``."""
    folder = submission_folder(spec.course_dir, spec.assignment, spec.student)
    with _PROCESS_LOCK:
        if not folder.is_dir():
            return _failed(result, f"no submission folder {folder}")
        result.digest = submission_digest(folder)
        reason = missing_notebook_reason(spec)
        if reason:
            return _failed(result, reason)
        with _job_environment(spec.course_dir, spec.env):
            try:
                started = time.perf_counter()
                api = _nbgrader_api(spec)
                result.seconds["setup"] = time.perf_counter() - started
                if spec.autograde:
                    started = time.perf_counter()
                    problem = _call(api.autograde, spec.assignment, spec.student, force=True, create=True)
                    result.seconds["autograde"] = time.perf_counter() - started
                    if problem:
                        result.status, result.reason = classify_failure(problem)
                        return result
                if spec.feedback:
                    started = time.perf_counter()
                    problem = _call(api.generate_feedback, spec.assignment, spec.student, force=True)
                    result.seconds["feedback"] = time.perf_counter() - started
                    if problem:
                        status, reason = classify_failure(problem)
                        result.status, result.reason = status, f"graded, but no feedback: {reason}"
                        return result
            except Exception as error:  # a bug or a broken environment: report it, keep the batch
                return _failed(result, f"{type(error).__name__}: {error}"[:200])
        autograded = Path(spec.course_dir) / "autograded" / spec.student / spec.assignment
        for notebook in sorted(autograded.glob("*.ipynb")):
            result.notes += graded_notes(notebook)
    return result


def _failed(result, reason):
    result.status, result.reason = FAILED, reason
    return result
