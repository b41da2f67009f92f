"""The demo class: a few submissions of every assignment, graded end to end the way an instructor
grades a class (``python -m course grade``: sandboxed, outside the kernel, with feedback), shown
as a table.

Students of the demo class:
- ``correct``       every exercise of every assignment solved (the instructor's solutions)
- ``vectorised``    correct too, written differently (the test corpus's correct variants: no loops, im2col, ...)
- ``no_bonus``      the graded assignments solved; no bonus submission at all
- ``buggy``         typical mistakes, one per exercise they touch (the test corpus's bugs), a loop version of
                    a layer that must be fast among them
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
    "conv_forward_fast__im2col_matmul",
    "conv_backward_fast__add_at_im2col",
    "pool_forward_fast__as_strided_view",
    "softmax_cross_entropy__one_hot_logsumexp",
]
BUGS = [
    "conv_forward__stride_ignored",
    "pool_forward__running_max_from_zero",
    "distribute_value__integer_division",
    "pool_backward__dA_read_at_window_start",
    "conv_forward_fast__four_loops",  # right values, too slow: only its speed part costs
    "softmax_cross_entropy__not_stabilised",
    "model_backward__relu_backward_skipped",
    "train__plain_gradient_descent",
]
STUDENTS = ("buggy", "correct", "no_bonus", "untouched", "vectorised")


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
        students["no_bonus"] = solutions
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
    """One table per assignment: its exercises down, the students across, the assignment's total (its
    grade, or the bonus) last; ``-`` where a student submitted nothing. ``scores`` maps an assignment
    name to ``gradebook.scores`` of it."""
    blocks = []
    for assignment in exercises.assignments():
        by_student = scores.get(assignment.name, {})
        students = sorted({s for graded in scores.values() for s in graded})
        total = "BONUS" if assignment.bonus else "GRADE"
        rows = [["", "max", *students]]
        for e in assignment.exercises:
            rows.append([f"{e.number:2d} {e.function}", f"{e.points:g}"])
            rows[-1] += [f"{by_student[s].exercises[e.function]:g}" if s in by_student else "-" for s in students]
        rows.append([total, f"{assignment.points:g}"])
        rows[-1] += [f"{by_student[s].total:g}" if s in by_student else "-" for s in students]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]

        def line(cells, widths=widths):
            return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

        kind = "bonus, never lowers a grade" if assignment.bonus else "graded"
        rule = "  ".join("-" * w for w in widths)
        blocks.append(
            "\n".join(
                [f"{assignment.name} ({kind}, {assignment.points:g} points)", line(rows[0]), rule]
                + [line(r) for r in rows[1:-1]]
                + [rule, line(rows[-1])]
            )
        )
    return "\n\n".join(blocks)


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
