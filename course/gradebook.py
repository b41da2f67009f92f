"""nbgrader's gradebook, through nbgrader's own API: where it is, and the scores in it.

- ``resolve_url``: the one place a gradebook URL is decided (``--db``, else the course's
  ``CourseDirectory.db_url``, else ``gradebook.db``) and checked;
- ``check_assignment``: open it and make sure it knows an assignment;
- ``scores``: the one score reader: every graded submission of an assignment, exercise by exercise;
- ``export``: nbgrader's ``grades.csv`` and the course's ``grades_by_exercise.csv``.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

SQLITE_TIMEOUT = 60  # seconds a gradebook write waits for another grader's write


class GradebookError(RuntimeError):
    """The gradebook cannot be used: the message is one line for the instructor."""


def configured_url(course_dir):
    """``CourseDirectory.db_url`` from the course's nbgrader_config.py, if it sets one."""
    from traitlets.config.loader import PyFileConfigLoader

    try:
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    except Exception:
        return ""
    return config.CourseDirectory.get("db_url", "") or ""


def resolve_url(course_dir, db_url=None):
    """The gradebook URL: ``db_url``, else the course's ``CourseDirectory.db_url``, else its
    ``gradebook.db``. A SQLite URL gets a generous lock timeout; a bare ``postgresql://`` uses
    psycopg2 (the driver the course installs)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    url = db_url or configured_url(course_dir) or f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise GradebookError(f"bad database URL {url!r}: use sqlite:///path or postgresql://user@host/db") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise GradebookError(f"bad database URL {url!r}: use sqlite:///path or postgresql://user@host/db")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg2")
    if backend == "sqlite" and "timeout" not in parsed.query:
        parsed = parsed.update_query_dict({"timeout": str(SQLITE_TIMEOUT)})
    return parsed.render_as_string(hide_password=False)


def safe_url(db_url):
    """The URL with its password hidden, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(db_url).render_as_string(hide_password=True)


def check_assignment(db_url, assignment):
    """Open the gradebook (creating its tables when new) and check it knows ``assignment``."""
    from nbgrader.api import Gradebook, MissingEntry

    try:
        with Gradebook(db_url) as gradebook:
            try:
                notebooks = gradebook.find_assignment(assignment).notebooks
            except MissingEntry:
                notebooks = []
    except Exception as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise GradebookError(f"cannot open the gradebook {safe_url(db_url)}: {first}") from None
    if not notebooks:
        raise GradebookError(
            f"assignment {assignment!r} is not in the gradebook {safe_url(db_url)}: run "
            f"`nbgrader generate_assignment {assignment}` (or `make release`) first"
        )


@dataclass
class Scores:
    """A student's graded submission of an assignment: ``exercises`` maps each exercise function to
    its score; ``total`` is nbgrader's score of the submission (late penalty included), the number
    ``nbgrader export`` writes."""

    student: str
    exercises: dict
    total: float
    max_score: float


def scores(db_url, assignment):
    """``{student: Scores}`` for every submission of ``assignment`` whose notebook was autograded
    (by any path: the grading tool, ``nbgrader autograde``, formgrader)."""
    from nbgrader.api import Gradebook, MissingEntry

    from . import exercises

    functions = {e.test_cell: e.function for e in exercises.assignment(assignment).exercises}
    found = {}
    with Gradebook(db_url) as gradebook:
        try:
            submissions = gradebook.assignment_submissions(assignment)
        except MissingEntry:
            return found
        for submission in submissions:
            by_cell = {}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.auto_score is not None or grade.manual_score is not None:
                        by_cell[grade.name] = float(grade.score)
            if not by_cell:
                continue  # not autograded (yet)
            penalty = submission.late_submission_penalty or 0.0
            found[submission.student.id] = Scores(
                student=submission.student.id,
                exercises={functions[cell]: by_cell.get(cell, 0.0) for cell in functions},  # a deleted cell: 0
                total=float(submission.score) - penalty,
                max_score=float(submission.max_score),
            )
    return found


def export(course_dir, db_url):
    """Write nbgrader's ``grades.csv`` (one row per student and assignment) and the course's
    ``grades_by_exercise.csv`` (one row per student, assignment and exercise); return both paths."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    from . import exercises

    course_dir = Path(course_dir)
    with Gradebook(db_url) as gradebook:  # what `nbgrader export` runs, in this process
        CsvExportPlugin(to=str(course_dir / "grades.csv")).export(gradebook)
    path = course_dir / "grades_by_exercise.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "assignment", "exercise", "score", "max_score"])
        for assignment in exercises.assignments():
            points = {e.function: e.points for e in assignment.exercises}
            for student, row in sorted(scores(db_url, assignment.name).items()):
                for function, score in row.exercises.items():
                    writer.writerow([student, assignment.name, function, f"{score:g}", f"{points[function]:g}"])
    return course_dir / "grades.csv", path
