"""Everything the course's ``nbgrader_config.py`` switches on, so that every way of running nbgrader
in the course directory (``nbgrader autograde`` by hand, formgrader's buttons, ``python -m course
grade``) grades the same way:

- autograde runs ``ExecuteAndScore`` in place of nbgrader's ``Execute``: test cells of course
  exercises are scored outside the student's kernel;
- every kernel nbgrader starts here runs in the bubblewrap sandbox (course.sandbox), unless
  ``sandbox=False`` or the environment variable ``CNN_SANDBOX=off`` opts out, which every graded
  notebook then reports;
- nbgrader's sanitizing steps with the course's fixes (course.nbgrader_fixes);
- generate_assignment writes each assignment's ``cnn_checks.json`` from the exercise modules first,
  and refuses a release that holds a solution or hidden-test line (course.release);
- feedback pages that name each exercise, show the grade or the bonus, and render formulas
  without network (course.feedback_page);
- a local exchange folder (``exchange/`` in the course directory), which needs no root;
- the files the checks write (save_params's) are never copied from a submission into the grading
  folder, nor from there into the feedback.
"""

import os
from pathlib import Path

import nbgrader
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    ClearOutput,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from course import exchange as course_exchange
from course import exercises, feedback_page, nbgrader_fixes, sandbox

from .autograde import ExecuteAndScore


def configure(c, root, sandboxed=None):
    """Fill the nbgrader config ``c`` of the course directory ``root``. ``sandboxed`` defaults to
    on unless the environment says ``CNN_SANDBOX=off``."""
    from course import release

    if sandboxed is None:
        sandboxed = os.environ.get("CNN_SANDBOX", "on").lower() != "off"
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", *files_the_checks_write()]
    c.Exchange.root = os.path.join(str(root), "exchange")
    course_exchange.configure(c)  # collect refuses links, impostors and oversized submissions
    c.Autograde.sanitize_preprocessors = [
        ClearOutput,
        nbgrader_fixes.DeduplicateIdsDroppingMetadata,
        OverwriteKernelspec,
        OverwriteCells,
        nbgrader_fixes.CheckCellMetadataOnce,
    ]
    c.Autograde.autograde_preprocessors = [
        ExecuteAndScore,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        nbgrader_fixes.CheckCellMetadataOnce,
    ]
    sandbox.configure(c, root, sandboxed)
    nbgrader_fixes.add_submission_without_autoflush()
    c.GenerateAssignment.pre_convert_hook = release.write_visible_checks_hook
    c.GenerateAssignment.preprocessors = release.generate_steps()
    configure_feedback(c)
    return c


def files_the_checks_write():
    """The files (glob patterns) the exercises' checks write in the notebook's folder (Exercise.writes)."""
    return sorted({pattern for a in exercises.assignments() for e in a.exercises for pattern in e.writes})


def configure_feedback(c):
    """Feedback pages (course.feedback_page): formulas as MathML (no network), figures that fit the
    column, a heading with the grade or the bonus, each test cell named after its exercise."""
    c.GenerateFeedback.preprocessors = [
        GetGrades,
        feedback_page.FeedbackHeading,
        feedback_page.RenderMath,
        CSSHTMLHeaderPreprocessor,
    ]
    c.GenerateFeedback.exporter_class = feedback_page.FeedbackExporter
    c.HTMLExporter.template_name = "cnn_feedback"
    c.HTMLExporter.extra_template_basedirs = [
        str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"),
        str(Path(feedback_page.__file__).parent / "templates"),
    ]
    c.FeedbackHeading.titles = {
        a.name: (
            {"title": "Bonus", "note": "Optional, reported on its own: it never lowers your grade."}
            if a.bonus
            else {"title": "Grade", "note": f"Your grade for {a.name}, out of {a.points:g}."}
        )
        for a in exercises.assignments()
    }
