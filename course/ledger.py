"""The grading ledger: one JSON line per finished job, appended as soon as the job ends.

It lives in ``reports/<assignment>/jobs.jsonl``. Appending a line (flushed and fsynced) is the
last step of a job, after nbgrader has written the grades, so a batch killed at any moment loses
nothing already graded: a rerun skips every student whose latest line says "graded" for the same
submission (same digest) and whose autograded notebook is still there, and grades the others.
"""

import json
import os
from dataclasses import asdict
from pathlib import Path

from .jobs import GRADED, JobResult


def ledger_path(course_dir, assignment):
    return Path(course_dir) / "reports" / assignment / "jobs.jsonl"


def append(path, result):
    """Append one job's result to the ledger and make it durable. A last line cut short by a kill
    is ended first, so that it cannot swallow this one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        handle.seek(0, os.SEEK_END)
        cut_short = handle.tell() > 0 and (handle.seek(-1, os.SEEK_END) or handle.read(1)) != b"\n"
        line = json.dumps(asdict(result), sort_keys=True) + "\n"
        handle.write((("\n" if cut_short else "") + line).encode())
        handle.flush()
        os.fsync(handle.fileno())


def latest(path):
    """``{student: JobResult}``: the latest result of every student in the ledger. A line cut short
    by a kill (the last one) is ignored."""
    results = {}
    path = Path(path)
    if not path.exists():
        return results
    for line in path.read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        results[record["student"]] = JobResult(**record)
    return results


def is_graded(result, digest, autograded_folder):
    """Whether a ledger entry proves the current submission is graded."""
    return (
        result is not None
        and result.status == GRADED
        and result.digest == digest
        and any(Path(autograded_folder).glob("*.ipynb"))
    )
