"""Building the student release from the instructor notebooks, and keeping secrets out of it.

``nbgrader generate_assignment`` does the work (solutions replaced by stubs, outputs cleared, test
cells recorded in the gradebook so autograde can restore them). The course's configuration adds
two steps to it, so they run however the release is generated (``make release``, formgrader's
Generate button, ``nbgrader generate_assignment``):

- before: ``cnn_checks.py`` (a copy of course/grading/checks.py) and ``cnn_checks.json`` (the
  visible cases and expected values of the assignment's exercises) are written into
  ``source/<assignment>/``, so the release ships checks that agree with the grader; a
  ``cnn_checks.json`` whose expected values agree within the checks' tolerance is kept as it is,
  so a release built on another machine (another math library) rewrites nothing;
- after: ``RefuseLeaks`` fails the generation if a solution or hidden-test line, a marker or an
  output reached the student's notebook.
"""

import json
import shutil
from pathlib import Path

import nbformat
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import NbGraderPreprocessor

from . import exercises
from .grading import checks
from .layout import ROOT
from .nbgrader_cli import run_nbgrader

REGIONS = (("BEGIN SOLUTION", "END SOLUTION"), ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
MARKERS = tuple(marker for region in REGIONS for marker in region)
CHECKS_FILE, DATA_FILE = "cnn_checks.py", checks.DATA_FILE


def visible_checks_files(assignment):
    """``{file name: content}`` of the checks an assignment ships, or {} for an assignment that is
    not one of the course's."""
    try:
        exercises.assignment(assignment)
    except KeyError:
        return {}
    data = json.dumps(exercises.visible_checks(assignment), indent=None, sort_keys=True)
    return {CHECKS_FILE: Path(checks.__file__).read_text(encoding="utf-8"), DATA_FILE: data + "\n"}


def visible_checks_agree(name, old, new):
    """Whether the content ``old`` of a checks file can stay in place of a fresh ``new`` one.
    ``cnn_checks.py`` must be the same text; ``cnn_checks.json`` the same document except for the
    expected values, which may differ as far as the checks allow: each visible check of each case
    passes on the old value against the new one and the other way round (the grader's own
    comparison, ``checks.compare``, with the case's tolerance). Floats computed by another
    machine's math library may differ in their last bit; that alone never rewrites a committed
    file."""
    if old == new or name != DATA_FILE:
        return old == new
    try:
        old, new = json.loads(old), json.loads(new)
        if _without_expected(old) != _without_expected(new):
            return False
        for function, fresh in new["exercises"].items():
            kept, fresh = checks.spec_from_json(old["exercises"][function]), checks.spec_from_json(fresh)
            if set(kept["expected"]) != set(fresh["expected"]):
                return False
            for part in fresh["parts"]:
                for cid in part["cases"]:
                    tolerance = fresh["cases"][cid].get("tolerance", {})
                    for check in part["checks"]:
                        got = checks.pick(kept["expected"][cid], check.get("pick", []), "", function)
                        want = checks.pick(fresh["expected"][cid], check.get("pick", []), "", function)
                        checks.compare({**check, **tolerance}, got, want, function)
                        checks.compare({**check, **tolerance}, want, got, function)  # at_least: both ways
    except (ValueError, KeyError, TypeError, checks.CheckFailed):  # Malformed is a ValueError
        return False
    return True


def _without_expected(document):
    """A cnn_checks.json document without its expected values."""
    specs = {f: {k: v for k, v in spec.items() if k != "expected"} for f, spec in document["exercises"].items()}
    return {**document, "exercises": specs}


def write_visible_checks(course_dir, assignment):
    """Write an assignment's checks into ``source/<assignment>/`` when they do not agree with what
    is there (``visible_checks_agree``); return the names of the files written."""
    written = []
    for name, content in visible_checks_files(assignment).items():
        path = Path(course_dir) / "source" / assignment / name
        if not path.exists() or not visible_checks_agree(name, path.read_text(encoding="utf-8"), content):
            path.write_text(content, encoding="utf-8")
            written.append(name)
    return written


def write_visible_checks_hook(assignment, student, notebooks):
    """GenerateAssignment's pre_convert_hook (nbgrader runs it in the course directory)."""
    write_visible_checks(Path.cwd(), assignment)


def hidden_lines(instructor_notebook):
    """Lines of an instructor notebook that must never reach students: distinctive lines (12+
    characters, not comments) inside solution or hidden-test regions that appear nowhere else."""
    nb = nbformat.read(str(instructor_notebook), as_version=4)
    secret, public = set(), set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if any(begin in line for begin, _ in REGIONS):
                inside = True
            elif any(end in line for _, end in REGIONS):
                inside = False
            elif inside and len(line.strip()) >= 12 and not line.strip().startswith("#"):
                secret.add(line.strip())
            elif not inside:
                public.add(line.strip())
    return secret - public


def notebook_problems(nb, secret):
    """What must not be in a student notebook: markers, ``secret`` lines, outputs."""
    problems = []
    for index, cell in enumerate(nb.cells):
        for marker in MARKERS:
            if marker in cell.source:
                problems.append(f"cell {index}: the marker {marker!r} reached the release")
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            if line.strip() in secret:
                problems.append(f"cell {index}: solution or hidden-test line leaked: {line.strip()!r}")
        if cell.get("outputs") or cell.get("execution_count") is not None:
            problems.append(f"cell {index}: has outputs")
    return problems


def reference_lines():
    """Distinctive lines (20+ characters, not comments) of every exercise's reference solution."""
    lines = set()
    for assignment in exercises.assignments():
        for exercise in assignment.exercises:
            for line in exercise.reference_source().splitlines()[1:]:
                if len(line.strip()) >= 20 and not line.strip().startswith("#"):
                    lines.add(line.strip())
    return lines


def file_problems(folder):
    """What must not be in the files an assignment ships besides its notebooks: solution or
    hidden-test markers, and lines of the grader's reference solutions."""
    problems, secret = [], reference_lines()
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file() or path.suffix == ".ipynb" or "__pycache__" in path.parts:
            continue
        data = path.read_bytes()
        if any(marker.encode() in data for marker in MARKERS):
            problems.append(f"{path.name}: holds solution or hidden-test markers")
        text = data.decode("utf-8", errors="ignore")
        leaked = sorted({line.strip() for line in text.splitlines()} & secret)
        if leaked:
            problems.append(f"{path.name}: holds a line of a reference solution: {leaked[0]!r}")
    return problems


def release_problems(release_dir, source_dir):
    """Everything wrong with a release folder: leaks in its notebooks or files, missing notebooks."""
    problems = []
    for source in sorted(Path(source_dir).glob("*.ipynb")):
        released = Path(release_dir) / source.name
        if not released.exists():
            problems.append(f"{source.name}: missing from the release")
            continue
        nb = nbformat.read(str(released), as_version=4)
        problems += [f"{source.name}: {p}" for p in notebook_problems(nb, hidden_lines(source))]
    return problems + file_problems(release_dir)


class RefuseLeaks(NbGraderPreprocessor):
    """The last step of generate_assignment: fail when the student's notebook would hold a
    solution line, a hidden-test line, a marker or an output, or when a file the release copies
    from the source folder holds a marker or a line of a reference solution."""

    def preprocess(self, nb, resources):
        folder = Path(resources["metadata"]["path"])
        source = folder / f"{resources['nbgrader']['notebook']}.ipynb"
        problems = notebook_problems(nb, hidden_lines(source)) + file_problems(folder)
        if problems:
            raise ValueError("the release would leak: " + "; ".join(problems[:5]))
        return nb, resources


def generate_steps():
    """nbgrader's generate_assignment steps, then RefuseLeaks."""
    return [*GenerateAssignment.class_traits()["preprocessors"].default(), RefuseLeaks]


def copy_course(destination, root=ROOT):
    """Copy what a course directory needs (nbgrader_config.py, the course package, source/) to
    ``destination``; return it."""
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", destination / "nbgrader_config.py")
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    for folder in ("course", "source"):
        shutil.copytree(root / folder, destination / folder, dirs_exist_ok=True, ignore=ignore)
    return destination


def build(course_dir=ROOT, assignments=None):
    """Regenerate the release of ``assignments`` (default: all) in ``course_dir`` and check it;
    raise SystemExit if anything leaked. Returns the release folders."""
    course_dir = Path(course_dir)
    folders = []
    for name in assignments or [a.name for a in exercises.assignments()]:
        run_nbgrader(course_dir, "generate_assignment", name, "--force")
        release_dir = course_dir / "release" / name
        problems = release_problems(release_dir, course_dir / "source" / name)
        if problems:
            raise SystemExit(f"release check failed for {name}:\n  " + "\n  ".join(problems))
        folders.append(release_dir)
    return folders
