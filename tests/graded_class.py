"""The test session's graded class: one course copy in which every kind of submission the tests need
to read results of is written and graded once, by ``python -m course grade`` (sandboxed, scored
outside the kernel, warm kernels, feedback, export and report), as an instructor grades a class.

Students:
- the bug corpus, its correct and noisy variants (tests/corpus/; one student per variant, named
  after it, in its function's assignment) and a runaway ``conv_forward``;
- the forgery corpus (tests/forgeries.py): each forgery and its honest twin, ``honest`` (the
  instructor's solutions, graded assignment and bonus) and ``all_wrong``;
- broken and odd submissions of the graded assignment (``BROKEN``): invalid JSON, a renamed
  notebook, deleted, duplicated and retyped test cells, a kernel that dies, a runaway call, a
  gradebook writer, an LMS download collected by ``nbgrader zip_collect``, three correct students
  (one with the bonus), one untouched release and one bug.

conftest.py builds it once per test session (``graded_class``) and keeps every test that reads it
on one xdist worker (the ``xdist_group`` "graded_class"): the class is graded once, not once per
worker. Tests that change a graded class or need a class of their own grade their own.
"""

import os
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import tamper
from corpus.catalog import load_variants
from forgeries import FORGERIES
from helpers import ASSIGNMENTS, BONUS, FORWARD, FULL, cell_index, edit_notebook, exercise_scores, solutions, submit

from course import cli
from course.ledger import latest, ledger_path

TIMEOUT = 20  # seconds per cell and per exercise's calls (nbgrader_config.py sets the real one)
BUGS = load_variants("bugs")
CORRECT = load_variants("correct")
NOISY = load_variants("noisy")  # correct answers that print, write to stderr or warn
RUNAWAY = "runaway__conv_forward_infinite_loop"
RUNAWAY_CODE = '''
import numpy as np

def conv_forward(A_prev, W, b, hparameters):
    """Never returns: its calls must time out and cost conv_forward only."""
    while True:
        pass
'''
ALL_WRONG = {f: f"def {f}(*args, **kwargs):\n    return None\n" for f in FULL[FORWARD]}
FAILED = {"invalid_json", "renamed"}  # the submissions that cannot be graded


@dataclass
class GradedClass:
    """What the tests read: the course folder, ``scores[assignment][student][function]``, the jobs'
    results (``results[assignment][student]``: status, reason, notes), the folders of every kernel the
    sandbox started (``launched``), and the students of each group."""

    course_dir: Path
    scores: dict
    results: dict
    launched: list
    groups: dict = field(default_factory=dict)


def write_broken(course_dir, correct):
    """The broken and odd submissions of the graded assignment; returns their names."""

    def put(student, code):
        return submit(course_dir, student, FORWARD, code)

    for student in ("correct_1", "correct_2", "correct_3"):
        put(student, correct)
    put("untouched", {})
    put("buggy", {**correct, "pool_forward": correct["pool_forward"].replace("np.max", "np.min")})
    put("invalid_json", correct).write_text('{"cells": [ this is not json')
    renamed = put("renamed", correct)
    renamed.rename(renamed.with_name("my_copy.ipynb"))
    edit_notebook(put("deleted_cell", correct), lambda nb: nb.cells.pop(cell_index(nb, "test_zero_pad")))
    edit_notebook(
        put("deleted_conv_forward_cell", correct), lambda nb: nb.cells.pop(cell_index(nb, "test_conv_forward"))
    )

    def duplicate(grade_id):
        def change(nb):
            copy = nbformat.from_dict(nb.cells[cell_index(nb, grade_id)])
            copy.id = "a-copy"
            nb.cells.insert(cell_index(nb, grade_id), copy)

        return change

    edit_notebook(put("duplicated_cell", correct), duplicate("test_zero_pad"))
    edit_notebook(put("duplicated_conv_forward_cell", correct), duplicate("test_conv_forward"))

    def retype(nb):
        index = cell_index(nb, "test_conv_single_step")
        nb.cells[index] = nbformat.v4.new_markdown_cell(nb.cells[index].source, metadata=nb.cells[index].metadata)

    edit_notebook(put("retyped_cell", correct), retype)
    put("kernel_death", {**correct, "conv_forward": correct["conv_forward"] + "\nimport os\nos._exit(1)"})
    put("timeout", {**correct, "conv_single_step": "def conv_single_step(a, W, b):\n    while True:\n        pass"})
    # writes 1000 into every score of the gradebook, and into the course's files, if it can reach them
    attack = tamper.WRITE.format(course=course_dir, port=0, victim="honest")
    put("gradebook_writer", {**correct, "zero_pad": attack + "\n" + correct["zero_pad"]})
    submit(course_dir, "correct_1", BONUS, solutions(course_dir, BONUS))

    # one LMS download: a zip of files named STUDENT_NOTEBOOK.ipynb, collected by nbgrader zip_collect
    archive = Path(course_dir) / "downloaded" / FORWARD / "archive"
    archive.mkdir(parents=True)
    staged = put("zipped", correct)
    with zipfile.ZipFile(archive / "lms_download.zip", "w") as zipped:
        zipped.write(staged, f"zipped_{FORWARD}.ipynb")
    shutil.rmtree(Path(course_dir) / "submitted" / "zipped")
    return sorted(
        [
            "correct_1",
            "correct_2",
            "correct_3",
            "untouched",
            "buggy",
            *FAILED,
            "deleted_cell",
            "deleted_conv_forward_cell",
            "duplicated_cell",
            "duplicated_conv_forward_cell",
            "retyped_cell",
            "kernel_death",
            "timeout",
            "gradebook_writer",
            "zipped",
        ]
    )


def write_class(course_dir):
    """Write every submission of the class; returns ``{group: [students]}``."""
    groups = {"bugs": [], "correct": [], "forgeries": [], "broken": []}
    for variant in BUGS + CORRECT + NOISY:
        code = {**solutions(course_dir, variant.assignment), variant.function: variant.source}
        submit(course_dir, variant.name, variant.assignment, code)
        groups["bugs" if variant in BUGS else "correct"].append(variant.name)
    submit(course_dir, RUNAWAY, FORWARD, {**solutions(course_dir, FORWARD), "conv_forward": RUNAWAY_CODE})
    groups["bugs"].append(RUNAWAY)
    correct = solutions(course_dir, FORWARD)
    submit(course_dir, "honest", FORWARD, correct)
    submit(course_dir, "honest", BONUS, solutions(course_dir, BONUS))
    submit(course_dir, "all_wrong", FORWARD, ALL_WRONG)
    for forgery in FORGERIES:
        submit(course_dir, forgery.name, FORWARD, {**correct, forgery.function: forgery.forged})
        submit(course_dir, f"{forgery.name}__twin", FORWARD, {**correct, forgery.function: forgery.honest})
        groups["forgeries"] += [forgery.name, f"{forgery.name}__twin"]
    groups["broken"] = write_broken(course_dir, correct)
    return groups


def grade(course_dir, workers=None):
    """``python -m course grade`` on the whole class (every assignment, feedback, export, report),
    every kernel's folder logged; returns the GradedClass."""
    course_dir = Path(course_dir)
    groups = write_class(course_dir)
    log = course_dir / "sandbox-launches.log"
    os.environ["CNN_SANDBOX_LOG"] = str(log)  # the tool's workers are forked from this process
    try:
        options = ["--course-dir", str(course_dir), "-q", f"--nbgrader-arg=--Execute.timeout={TIMEOUT}"]
        status = cli.grade_main(options + (["--workers", str(workers)] if workers else []))
    finally:
        del os.environ["CNN_SANDBOX_LOG"]
    assert status == 0, f"python -m course grade exited with {status}"
    scores = {a: exercise_scores(course_dir, a) for a in ASSIGNMENTS}
    results = {a: latest(ledger_path(course_dir, a)) for a in ASSIGNMENTS}
    return GradedClass(course_dir, scores, results, log.read_text().split(), groups)
