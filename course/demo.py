"""The demo class: five submissions, graded end to end with nbgrader, shown as a table.

Students of the demo class:
- ``correct``       every exercise solved (the instructor's solutions)
- ``vectorised``    correct too, written without loops (from the test corpus's correct variants)
- ``forward_only``  the graded forward part solved, the optional backward part left untouched
- ``buggy``         typical mistakes, one per exercise they touch (from the test corpus's bugs)
- ``untouched``     the release exactly as handed out
"""

import shutil
from pathlib import Path

from . import release
from .gradebook import default_db_url, exercise_scores, format_table, write_exercise_csv
from .layout import ASSIGNMENT, EXERCISES, ROOT
from .nbgrader_cli import run_nbgrader
from .submissions import solution_code, write_submission

CORPUS = ROOT / "tests" / "corpus"
VECTORISED = [
    "conv_forward__sliding_window_einsum",
    "pool_forward__sliding_window",
    "conv_backward__einsum_per_position",
    "pool_backward__batch_vectorised",
]
BUGS = [
    "conv_forward__stride_ignored",
    "pool_forward__running_max_from_zero",
    "distribute_value__integer_division",
    "pool_backward__dA_read_at_window_start",
]


def _corpus_code(kind, names):
    return {name.split("__")[0]: (CORPUS / kind / f"{name}.py").read_text() for name in names}


def demo_class(course_dir=ROOT):
    """``{student: {solution cell id: code}}`` for the demo students (missing ids keep the stub)."""
    solutions = solution_code(Path(course_dir) / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    forward = {e.function: solutions[e.function] for e in EXERCISES if e.part == "forward"}
    return {
        "correct": solutions,
        "vectorised": {**solutions, **_corpus_code("correct", VECTORISED)},
        "forward_only": forward,
        "buggy": {**solutions, **_corpus_code("bugs", BUGS)},
        "untouched": {},
    }


def lay_out(course_dir=ROOT):
    """Write the demo submissions under ``submitted/`` (only the demo students' folders)."""
    course_dir = Path(course_dir)
    release_dir = course_dir / "release" / ASSIGNMENT
    students = demo_class(course_dir)
    for student, code in students.items():
        folder = course_dir / "submitted" / student / ASSIGNMENT
        if folder.exists():
            shutil.rmtree(folder)
        write_submission(folder, code, release_dir)
    return sorted(students)


def run(course_dir=ROOT, grade=None):
    """Build the release, lay out the class, autograde, feedback, export; print the table.

    ``grade(course_dir, students)`` autogrades; by default plain ``nbgrader autograde``.
    """
    course_dir = Path(course_dir)
    print("building the release ...", flush=True)
    release.build(course_dir)
    students = lay_out(course_dir)
    print(f"autograding {len(students)} demo submissions ...", flush=True)
    if grade is None:
        run_nbgrader(course_dir, "autograde", ASSIGNMENT, "--force")
    else:
        grade(course_dir, students)
    print("generating feedback and exporting grades ...", flush=True)
    run_nbgrader(course_dir, "generate_feedback", ASSIGNMENT, "--force")
    run_nbgrader(course_dir, "export", "--to", "grades.csv")
    scores = {s: v for s, v in exercise_scores(default_db_url(course_dir)).items() if s in students}
    write_exercise_csv(scores, course_dir / "grades_by_exercise.csv")
    print()
    print(format_table(scores))
    print()
    print(f"nbgrader's export: {course_dir / 'grades.csv'}")
    print(f"per exercise, with forward and optional totals: {course_dir / 'grades_by_exercise.csv'}")
    print(f"feedback for students: {course_dir / 'feedback'}/<student>/{ASSIGNMENT}/{ASSIGNMENT}.html")
    return scores
