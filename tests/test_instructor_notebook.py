"""The instructor notebook runs top to bottom with every test cell at full marks, and its outputs
show every published reference number."""

import shutil

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.utils import determine_grade, is_grade

from course.layout import EXERCISES, NOTEBOOK, SOURCE_DIR

# The spec's "Published reference outputs", as printed.
PUBLISHED = [
    "x_pad.shape = (4, 7, 7, 2)",
    "[[ 0.90085595 -0.68372786]",
    "[-0.12289023 -0.93576943]",
    "[-0.26788808  0.53035547]]",
    "Z = -6.99908945068",
    "Z's mean = 0.0489952035289",
    "[-0.61490741 -6.7439236  -2.55153897  1.75698377  3.56208902  0.53036437",
    "5.18531798  8.75898442]",
    "cache_conv[0][1][2][3] = [-0.20075807  0.18656139  0.41005165]",
    "[[[[1.74481176 0.86540763 1.13376944]]]",
    "[[[1.13162939 1.51981682 2.18557541]]]]",
    "[[[[ 0.02105773 -0.20328806 -0.40389855]]]",
    "[[[-0.22154621  0.51716526  0.48155844]]]]",
    "dA_mean = 1.45243777754",
    "dW_mean = 1.72699145831",
    "db_mean = 7.83923256462",
    "[[ 1.62434536 -0.61175641 -0.52817175]",
    "[-1.07296862  0.86540763 -2.3015387 ]]",
    "[[ True False False]",
    "[False False False]]",
    "[[0.5 0.5]",
    "[0.5 0.5]]",
    "mean of dA = 0.145713902729",
    "[ 5.05844394 -1.68282702]",
    "[[ 0.08485462  0.2787552 ]",
    "[ 1.26461098 -0.25749373]",
    "[ 1.17975636 -0.53624893]]",
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("instructor")
    shutil.copytree(SOURCE_DIR, folder, dirs_exist_ok=True)
    nb = nbformat.read(str(folder / NOTEBOOK), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def test_every_test_cell_gives_full_marks(executed):
    grades = {c.metadata.nbgrader["grade_id"]: determine_grade(c) for c in executed.cells if is_grade(c)}
    assert grades == {e.test_cell: (float(e.points), float(e.points)) for e in EXERCISES}


def test_no_cell_writes_to_stderr_or_fails(executed):
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", cell.source[:80]
            assert not (output.output_type == "stream" and output.name == "stderr"), output.text


def test_outputs_show_every_published_number(executed):
    text = "\n".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    missing = [number for number in PUBLISHED if number not in text]
    assert missing == []


def test_scorecards_show_all_parts_passed(executed):
    cards = [o for c in executed.cells if is_grade(c) for o in c.outputs if o.output_type == "execute_result"]
    assert len(cards) == len(EXERCISES)
    for card in cards:
        assert "all checks passed" in card.data["text/html"]
        assert "&#10008;" not in card.data["text/html"]
