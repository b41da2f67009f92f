"""What the README states about the configuration and the corpora agrees with the code."""

import os
import re

from forgeries import FORGERIES
from traitlets.config.loader import PyFileConfigLoader

from course import sandbox
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
    assert found["sandbox memory (address space, per process)"] == f"{sandbox.LIMITS['memory_mb']} MiB"
    assert found["sandbox processes and threads"] == f"{sandbox.LIMITS['nproc']}"
    assert found["sandbox CPU time, per kernel"] == f"{sandbox.LIMITS['cpu_seconds']} s"


def test_the_security_section_counts_the_forgeries():
    assert re.search(r"`tests/forgeries.py` holds (\d+) attempts", README).group(1) == str(len(FORGERIES))
    assert f"64 x {sandbox.LIMITS['memory_mb'] // 1024} GiB" in README


def test_every_make_target_the_readme_names_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    named = set(re.findall(r"`make ([a-z-]+)", README))
    assert named <= targets, sorted(named - targets)
