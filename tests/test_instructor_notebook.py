"""The instructor notebooks run top to bottom with every scorecard green and nothing on stderr, show
every published reference number, and print what their "Expected output" cells say."""

import re
import shutil

import nbformat
import pytest
from helpers import ASSIGNMENTS
from nbclient import NotebookClient

from course.layout import source_dir

# The spec's "Published reference outputs", as printed.
PUBLISHED = {
    ASSIGNMENTS[0]: [
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
    ],
    ASSIGNMENTS[1]: [
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
    ],
    ASSIGNMENTS[2]: [
        "X_train.shape = (12, 8, 8, 1)",
        "y_train = [9 7 5 2 3 9 6 5 0 6 9 3]",
        "Z's mean = 0.0489952035289",
        "dA_mean = 1.45243777754",
        "[[[[ 0.02105773 -0.20328806 -0.40389855]]]",
        "mean of dA = 0.145713902729",
        "[[ 1.61744526  0.68801446 10.99683508  3.47600989]",
        "db = [[ 0.54604015  0.48296202 -2.35361495  2.611301  ]]",
        "loss = 1.9952243476",
        "caches[6][0].shape = (1, 2, 2, 16)",
        "[ 0.01545334 -0.05124855 -0.04871178  0.02305031 -0.08912659  0.08099747",
        "accuracies = [0.133 0.425 0.708 0.758 0.858 0.867 0.917 0.942 0.983 0.992]",
        "loaded['W1'].dtype = float64",
    ],
}


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def executed(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("instructor")
    shutil.copytree(source_dir(request.param), folder, dirs_exist_ok=True)
    nb = nbformat.read(str(folder / f"{request.param}.ipynb"), as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    client.execute()
    return request.param, nb


def _test_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def test_every_scorecard_is_green_and_nothing_fails(executed):
    _, nb = executed
    for cell in _test_cells(nb):
        cards = [o for o in cell.outputs if o.output_type == "display_data" and "text/html" in o.data]
        assert len(cards) == 1 and "the checks here pass" in cards[0].data["text/html"], cell.source
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", cell.source[:80]
            assert not (output.output_type == "stream" and output.name == "stderr"), output.text


def test_outputs_show_every_published_number(executed):
    assignment, nb = executed
    text = "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert [number for number in PUBLISHED[assignment] if number not in text] == []


def test_expected_output_cells_show_what_the_test_cells_print(executed):
    """Each "Expected output" block is exactly what the test cell before it prints."""
    _, nb = executed
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or "**Expected output" not in cell.source:
            continue
        test = next(c for c in reversed(nb.cells[:index]) if c.metadata.get("nbgrader", {}).get("grade"))
        printed = "".join(o.text for o in test.outputs if o.output_type == "stream").strip()
        expected = re.search(r"```\n(.*?)```", cell.source, re.S)
        shown = expected.group(1).strip() if expected else re.search(r"`([^`]*)`", cell.source).group(1)
        assert shown == printed, f"expected output after {test.metadata.nbgrader['grade_id']}"
