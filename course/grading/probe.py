"""What the grader sends a student's kernel to grade one exercise, and how it reads the answer.

The kernel receives the exercise's function name, the arguments of every case (plain data) and the
source of the correct versions of the earlier exercises it calls (lent while it runs). It runs a
private copy of ``checks.py`` (the file students have as ``cnn_checks.py``) to call the student's
function on each case and publish what came back, one display message per call, as soon as it is
known. References, expected values, tolerances and points never enter the kernel.

Everything the kernel publishes is untrusted: ``read_outcomes`` parses it as JSON with size limits
(no pickle, no eval) and treats it only as "what the student's function returned". A message that
cannot be read is ignored; a case answered twice, or not at all, is a failed call with a one-line
reason.
"""

import json
from pathlib import Path

from . import checks

CHECKS_SOURCE = Path(checks.__file__).read_text(encoding="utf-8")
MAX_MESSAGE = 64 * 2**20  # characters of one result message
MAX_RESULTS = 256 * 2**20  # characters of all result messages of one exercise


def request(function, cases, lend):
    """The request to call ``function`` on ``cases`` (``{case id: Case}``; arguments are encoded) with
    ``lend``, ``{function: source}`` of the correct helpers that stand in for the student's."""
    found = []
    for cid, case in cases.items():
        if hasattr(case, "request_item"):  # a timed call (course.grading.speed): a seed, not arrays
            found.append(case.request_item(cid))
            continue
        found.append({"id": cid, "args": checks.encode(case.args), "kwargs": checks.encode(case.kwargs)})
        if case.then:
            found[-1]["then"] = [case.then[0], checks.encode(case.then[1])]
    return {"function": function, "lend": lend, "cases": found}


def source(probe_request):
    """The code a kernel runs for ``probe_request``: checks.py in a private namespace, then
    ``run_probe``. It defines nothing in the notebook's namespace and prints nothing."""
    return (
        "exec(compile(" + repr(CHECKS_SOURCE + "\nrun_probe(json.loads(REQUEST), NAMESPACE)\n") + ", "
        "'<the grader\\'s copy of cnn_checks.py>', 'exec'), "
        "{'__name__': 'cnn_checks_probe', 'REQUEST': " + repr(json.dumps(probe_request)) + ", "
        "'NAMESPACE': __import__('IPython').get_ipython().user_ns})"
    )


def read_outcomes(outputs, function, case_ids):
    """``(outcomes, problems)``: ``{case id: outcome}`` read from the display messages of a probe's
    outputs for ``function``, and one-line descriptions of what could not be read. A case with no
    readable result has no outcome (the judge reports it as missing); a case answered twice gets a
    failed outcome."""
    answers, problems, total = {}, [], 0
    for output in outputs:
        text = output.get("data", {}).get(checks.RESULT_MIME) if output.get("output_type") == "display_data" else None
        if text is None:
            continue
        if not isinstance(text, str) or len(text) > MAX_MESSAGE or total + len(text) > MAX_RESULTS:
            problems.append("a result message that is too large or not text was ignored")
            continue
        total += len(text)
        try:
            message = json.loads(text)
            case = message["case"]
            outcome = _outcome(message)
        except (ValueError, KeyError, TypeError, RecursionError, checks.Malformed) as error:
            problems.append(f"an unreadable result message was ignored ({type(error).__name__})")
            continue
        if message.get("function") != function:
            problems.append("a result message for another exercise was ignored")
            continue
        if case not in case_ids:
            problems.append("a result message for an unknown call was ignored")
            continue
        answers.setdefault(case, []).append(outcome)
    outcomes = {}
    for case, found in answers.items():
        if len(found) == 1:
            outcomes[case] = found[0]
        else:
            outcomes[case] = {"missing": f"{len(found)} results came back for this one call; it counts as failed."}
    return outcomes, problems


def _outcome(message):
    """An outcome from one parsed message (raises on anything malformed)."""
    notes = [str(n)[:300] for n in message.get("notes", [])[:5] if isinstance(n, str)]
    if "returned" in message:
        return {"returned": checks.decode(message["returned"]), "notes": notes}
    raised = message["raised"]
    if not isinstance(raised, dict):
        raise TypeError("raised is not a dict")
    clean = {key: str(raised[key])[:500] for key in ("type", "message", "function", "text") if key in raised}
    if isinstance(raised.get("line"), int):
        clean["line"] = raised["line"]
    return {"raised": clean, "notes": notes}
