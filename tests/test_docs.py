"""What the README states about the configuration and the corpora agrees with the code."""

import os
import re

from forgeries import FORGERIES
from traitlets.config.loader import PyFileConfigLoader

from course import sandbox, warm_kernels
from course.exercises import assignments, find
from course.exercises.cnn_application.conv_forward_fast import SPEED_UP
from course.exercises.cnn_application.train import TEST_ACCURACY
from course.layout import ROOT
from course.workers import default_workers

README = (ROOT / "README.md").read_text()


def numbers():
    """``{setting: value}`` from the README's "Numbers" table."""
    table = README.split("## Numbers", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    return {cells[0].strip(): cells[1].strip() for cells in rows[1:]}


def test_the_numbers_table_is_the_configuration():
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    found = numbers()
    assert found["time per cell, and per exercise's calls"] == f"{config.Execute.timeout} s"
    assert found["kernel start-up"] == f"{config.Execute.startup_timeout} s"
    assert found["wait for a cell's last messages"] == f"{config.Execute.iopub_timeout} s"
    assert found["workers of `python -m course grade`"] == "the machine's cores + 1"
    assert default_workers() == (os.cpu_count() or 1) + 1
    assert found["warm kernels held by a grading process (besides the one grading)"] == "1"
    assert found["an unused warm kernel is shut down after"] == f"{warm_kernels.IDLE_SECONDS} s"
    assert found["sandbox memory (address space, per process)"] == f"{sandbox.LIMITS['memory_mb']} MiB"
    assert found["sandbox processes and threads"] == f"{sandbox.LIMITS['nproc']}"
    assert found["sandbox CPU time, per kernel"] == f"{sandbox.LIMITS['cpu_seconds']} s"
    speed_parts = [p.speed for a in assignments() for e in a.exercises for p in e.parts if p.speed]
    assert len(speed_parts) == 4 and {s.at_least for s in speed_parts} == {SPEED_UP}
    assert found["speed parts: speed-up asked over a loop over the examples"] == f"{SPEED_UP:g}"
    assert found["training part: test accuracy asked of `train`'s parameters"] == f"{TEST_ACCURACY:.0%}".replace(
        "%", " %"
    )
    assert found["time for `train`'s graded calls"] == f"{find('train')[1].timeout} s"


def test_the_security_section_counts_the_forgeries():
    assert re.search(r"`tests/forgeries.py` holds (\d+) attempts", README).group(1) == str(len(FORGERIES))
    assert f"64 x {sandbox.LIMITS['memory_mb'] // 1024} GiB" in README


def test_every_make_target_the_readme_names_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    named = set(re.findall(r"`make ([a-z-]+)", README))
    assert named <= targets, sorted(named - targets)


def test_the_readme_gives_the_data_files_sizes():
    import h5py

    with h5py.File(ROOT / "source" / "cnn_application" / "data" / "digits.h5", "r") as f:
        sizes = f["train/labels"].shape[0], f["test/labels"].shape[0]
    assert f"({sizes[0]} training and {sizes[1]} test images, 8x8" in README


def test_the_config_names_the_courses_assignments():
    config = (ROOT / "nbgrader_config.py").read_text()
    assert all(f"{a.name} (" in config for a in assignments())
