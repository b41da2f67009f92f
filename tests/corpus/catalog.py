"""Catalogue of the autograder test corpus.

``tests/corpus/bugs/<function>__<slug>.py`` holds realistic *wrong* student solutions and
``tests/corpus/correct/<function>__<slug>.py`` holds *correct* solutions written differently
from the reference.  Each file is the source of one student solution cell: a one-line module
docstring describing the variant, ``import numpy as np``, and exactly one top-level function
named after the exercise.  The function may call the other exercises by name (``zero_pad``,
``conv_single_step``, ``create_mask_from_window``, ``distribute_value``, the application's layers) through
globals; ``h5py`` and the instructor's ``load_params`` are there too, as the application's notebook has them.

    >>> from tests.corpus.catalog import load_variants      # or: from corpus.catalog import ...
    >>> [v.name for v in load_variants("bugs")][:1]
    ['conv_backward__dA_assigned_not_accumulated']
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from course import exercises

CORPUS_DIR = Path(__file__).resolve().parent
KINDS = ("bugs", "correct", "noisy")  # noisy: correct, but prints or warns
EXERCISES = tuple(e.function for a in exercises.assignments() for e in a.exercises)


@dataclass(frozen=True)
class Variant:
    name: str  # file stem, e.g. "conv_forward__missing_bias"
    function: str  # exercise the variant replaces, e.g. "conv_forward"
    path: Path
    description: str  # first line of the module docstring
    source: str  # full file text: the replacement for the solution cell

    def __str__(self) -> str:  # nicer pytest ids / messages
        return self.name

    @property
    def assignment(self) -> str:
        """The assignment whose notebook holds this function."""
        return exercises.find(self.function)[0].name


def _parse(path: Path) -> Variant:
    name = path.stem
    function, sep, slug = name.partition("__")
    if not sep or not slug:
        raise ValueError(f"{path}: file name must be <function>__<slug>.py")
    if function not in EXERCISES:
        raise ValueError(f"{path}: unknown exercise {function!r}")
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    doc = ast.get_docstring(tree)
    if not doc:
        raise ValueError(f"{path}: missing module docstring")
    defs = [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if defs != [function]:
        raise ValueError(f"{path}: expected exactly one top-level function {function!r}, found {defs}")
    return Variant(
        name=name, function=function, path=path, description=doc.strip().splitlines()[0].strip(), source=source
    )


def load_variants(kind: str) -> list[Variant]:
    """All variants of one kind ("bugs", "correct" or "noisy"), sorted by name."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return [_parse(p) for p in sorted((CORPUS_DIR / kind).glob("*.py"))]


def make_namespace(variant: Variant | None = None) -> dict:
    """A fresh globals dict holding every exercise's reference (course/exercises), with ``variant``
    exec'd on top.

    This mimics the notebook: one namespace where the student's cell for ``variant.function``
    replaces the reference one while the other exercises keep correct versions.
    """
    import h5py
    import numpy as np

    from course.exercises.cnn_application.save_params import load_params

    ns: dict = {"__name__": "corpus_namespace", "np": np, "h5py": h5py, "load_params": load_params}
    for assignment in exercises.assignments():
        for exercise in assignment.exercises:
            exec(compile(exercise.reference_source(), exercise.function, "exec"), ns)
    if variant is not None:
        exec(compile(variant.source, str(variant.path), "exec"), ns)
    return ns
