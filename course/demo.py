"""The demo class: a few submissions of every assignment, graded end to end the way an instructor
grades a class (``python -m course grade``: sandboxed, outside the kernel, with feedback), shown
as a table.

Students of the demo class:
- ``correct``       every exercise of every assignment solved (the instructor's solutions)
- ``vectorised``    correct too, written without loops (the test corpus's correct variants)
- ``forward_only``  the graded assignment solved; no bonus submission at all
- ``buggy``         typical mistakes, one per exercise they touch (the test corpus's bugs)
- ``untouched``     the releases exactly as handed out
"""

import shutil
from pathlib import Path

from . import batch, exercises, gradebook, release, report
from .layout import ROOT, release_dir, source_dir
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
STUDENTS = ("buggy", "correct", "forward_only", "untouched", "vectorised")


def corpus_code(kind, names):
    """``{function: source}`` of corpus variants ``tests/corpus/<kind>/<function>__<slug>.py``."""
    return {name.split("__")[0]: (CORPUS / kind / f"{name}.py").read_text() for name in names}


def demo_class(course_dir, assignment):
    """``{student: {solution cell id: code}}`` of the demo students who submit ``assignment``
    (a missing id keeps the release's stub)."""
    solutions = solution_code(source_dir(assignment.name, course_dir) / assignment.notebook)

    def mine(code):
        return {f: c for f, c in code.items() if f in solutions}

    students = {
        "correct": solutions,
        "vectorised": {**solutions, **mine(corpus_code("correct", VECTORISED))},
        "buggy": {**solutions, **mine(corpus_code("bugs", BUGS))},
        "untouched": {},
    }
    if not assignment.bonus:
        students["forward_only"] = solutions
    return students


def lay_out(course_dir):
    """Write the demo submissions under ``submitted/`` (only the demo students' folders)."""
    for assignment in exercises.assignments():
        for student, code in demo_class(course_dir, assignment).items():
            folder = Path(course_dir) / "submitted" / student / assignment.name
            if folder.exists():
                shutil.rmtree(folder)
            write_submission(folder, code, release_dir(assignment.name, course_dir))


def format_table(scores):
    """Students x exercises, with each assignment's total (its grade, or the bonus) in a column of its
    own. ``scores`` maps an assignment name to ``gradebook.scores`` of it."""
    short = {"create_mask_from_window": "mask", "distribute_value": "distrib", "conv_single_step": "conv_step"}
    headers, maxima, columns = ["student"], ["(max)"], []
    for assignment in exercises.assignments():
        for e in assignment.exercises:
            headers.append(short.get(e.function, e.function))
            maxima.append(f"{e.points:g}")
            columns.append((assignment.name, e.function))
        headers.append(f"{'BONUS' if assignment.bonus else 'GRADE'}/{assignment.points:g}")
        maxima.append(f"{assignment.points:g}")
        columns.append((assignment.name, None))
    rows = [maxima]
    for student in sorted({s for by_student in scores.values() for s in by_student}):
        row = [student]
        for name, function in columns:
            graded = scores.get(name, {}).get(student)
            value = None if graded is None else graded.total if function is None else graded.exercises[function]
            row.append("-" if value is None else f"{value:g}")
        rows.append(row)
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *map(line, rows)])


def run(course_dir=ROOT, workers=0):
    """Build the releases, lay out the class, grade it as ``python -m course grade --force`` does
    (sandboxed, with feedback), export grades once, write the report, print the table. Returns
    ``{assignment: gradebook.scores}`` of the demo students."""
    course_dir = Path(course_dir)
    print("building the releases ...", flush=True)
    release.build(course_dir)
    lay_out(course_dir)
    db_url = gradebook.resolve_url(course_dir)
    names = [a.name for a in exercises.assignments()]
    for name in names:
        print(f"grading the demo class's {name} ...", flush=True)
        outcome = batch.run(
            batch.Batch(
                course_dir=course_dir, assignment=name, db_url=db_url, force=True, workers=workers, progress=False
            )
        )
        if outcome.failed:
            raise SystemExit("could not grade: " + "; ".join(f"{s}: {r}" for s, r in outcome.failed))
    gradebook.export(course_dir, db_url)
    report.write(course_dir, db_url)
    scores = {name: gradebook.scores(db_url, name) for name in names}
    print()
    print(format_table(scores))
    print()
    print(f"nbgrader's export (one row per student and assignment): {course_dir / 'grades.csv'}")
    print(f"per exercise: {course_dir / 'grades_by_exercise.csv'}; class report: {course_dir / 'reports'}/")
    print(f"feedback for students: {course_dir / 'feedback'}/<student>/<assignment>/<assignment>.html")
    return scores
