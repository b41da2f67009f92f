"""course/grading/checks.py and probe.py without a kernel: the wire format and its limits, the
messages of the checks, judging parts, scorecards, and what the grader makes of what a kernel
hands back."""

import json
import linecache

import numpy as np
import pytest

from course.grading import checks, probe


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        10**40,
        2.5,
        float("nan"),
        "text",
        b"\x00\x01",
        (1, [2.0, "x"]),
        {"pad": 1, 2: None},
        np.arange(6, dtype=np.int32).reshape(2, 3),
        np.float64(1.5),
        np.zeros((0, 3)),
        np.array([True, False]),
    ],
)
def test_values_cross_the_wire_unchanged(value):
    back = checks.decode(json.loads(json.dumps(checks.encode(value))))
    if isinstance(value, np.ndarray | np.generic):
        assert np.array_equal(back, value, equal_nan=True) and back.dtype == np.asarray(value).dtype
        assert back.shape == np.shape(value)
    elif isinstance(value, float) and value != value:
        assert back != back
    else:
        assert back == value and type(back) is type(value)


def test_objects_that_are_not_data_cross_as_their_type_name():
    class Liar:
        def __array__(self, dtype=None, copy=None):
            return np.ones(2)

    assert np.array_equal(checks.decode(checks.encode(Liar())), np.ones(2))  # what np.asarray makes of it
    back = checks.decode(checks.encode(object()))
    assert isinstance(back, checks.Opaque) and back.type_name == "object"
    deep = []
    for _ in range(100):
        deep = [deep]
    assert isinstance(checks.decode(checks.encode(deep)), list)  # decodes, with the deep end opaque


@pytest.mark.parametrize(
    "data",
    [
        [1],
        {"t": "nope"},
        {"t": "int", "v": "1" * 500},
        {"t": "array", "dtype": "|O", "shape": [1], "data": ""},
        {"t": "array", "dtype": "<f8", "shape": [10**9], "data": ""},
        {"t": "array", "dtype": "<f8", "shape": [2], "data": "AAAA"},
        {"t": "array", "dtype": "<f8", "shape": [-1], "data": ""},
        {"t": "dict", "v": [[{"t": "list", "v": []}, {"t": "none"}]]},
        {"t": "list", "v": [{"t": "none"}] * (checks.MAX_ITEMS + 1)},
    ],
)
def test_malformed_or_oversized_values_are_refused(data):
    with pytest.raises(checks.Malformed):
        checks.decode(data)


def test_decoding_stops_at_the_depth_limit():
    data = {"t": "none"}
    for _ in range(checks.MAX_DEPTH + 5):
        data = {"t": "list", "v": [data]}
    with pytest.raises(checks.Malformed, match="deeply"):
        checks.decode(data)


def _message(check, got, expected, call="f(x)"):
    with pytest.raises(checks.CheckFailed) as failure:
        checks.compare(check, got, expected, call)
    return str(failure.value)


def test_messages_name_the_call_the_shapes_the_first_difference_and_the_hint():
    expected = np.zeros((2, 3, 3, 1))
    got = expected.copy()
    got[1, 2, 0, 0] = 5.0
    check = {"kind": "close", "what": "Z", "hint": "look at the window", "index_names": ("i", "h", "w", "c")}
    text = _message(check, got, expected)
    assert "f(x): Z has the right shape (2, 3, 3, 1) but wrong values at 1 of 18 positions" in text
    assert "First difference at [i=1, h=2, w=0, c=0]: expected 0, got 5" in text and "Hint: look at the window" in text
    assert "has shape (3,), expected (2, 3, 3, 1)" in _message({"kind": "shape", "what": "Z"}, np.zeros(3), expected)
    assert "did you forget a `return`" in _message({"kind": "shape", "what": "Z"}, None, expected)
    assert "contains NaN" in _message({"kind": "close", "what": "Z"}, np.full((2, 3, 3, 1), np.nan), expected)
    assert "single number, got an array of shape (1, 1, 1)" in _message(
        {"kind": "scalar", "what": "Z"}, np.ones((1, 1, 1)), 1.0
    )
    assert "is 2, expected 1" in _message({"kind": "number", "what": "Z"}, 2.0, 1.0)
    assert "differs at [0, 1]" in _message(
        {"kind": "equal", "what": "mask"}, np.array([[True, True]]), np.array([[True, False]])
    )
    assert "{'pad': 2}" in _message({"kind": "same", "what": "hparameters"}, {"pad": 2}, {"pad": 1})
    checks.compare({"kind": "close", "what": "Z"}, expected + 1e-9, expected, "f(x)")  # within tolerance


def test_dtype_checks_name_the_dtype_the_lesson_asks_for():
    labels = np.arange(3)
    text = _message({"kind": "integer", "what": "y_train", "hint": "as stored"}, labels.astype(float), labels)
    assert "y_train holds float64 values; expected integers" in text and "Hint: as stored" in text
    checks.compare({"kind": "integer", "what": "y"}, labels.astype(np.uint8), labels, "f(x)")
    images = np.zeros((2, 8, 8, 1), np.float32)
    assert "X holds float64 values; expected float32" in _message(
        {"kind": "dtype", "what": "X"}, images.astype(float), images
    )
    checks.compare({"kind": "dtype", "what": "X"}, images.copy(), images, "f(x)")


def test_timed_calls_make_their_inputs_from_a_seed_and_hand_back_a_digest():
    spec = {"args": [{"normal": [3, 2]}, {"tuple": [{"normal": [2], "scale": 0.5}, {"pad": 1}]}], "kwargs": {"m": "x"}}
    (a, (b, hp)), kwargs = checks.generate(spec, 7)
    (a2, (b2, _)), _ = checks.generate(spec, 7)
    assert a.shape == (3, 2) and np.array_equal(a, a2) and np.array_equal(b, b2) and hp == {"pad": 1}
    assert kwargs == {"m": "x"} and not np.array_equal(checks.generate(spec, 8)[0][0], a)
    value = (np.arange(3000.0).reshape(30, 100), "cache")
    (digest,) = checks.digest(value, [[0]], 5)
    assert digest["shape"] == [30, 100] and digest["sums"].shape == (checks.DIGEST_SUMS,)
    again, other = checks.digest(value, [[0]], 5)[0], checks.digest(value, [[0]], 6)[0]
    assert np.array_equal(again["sums"], digest["sums"]) and not np.array_equal(other["sums"], digest["sums"])
    wrong = value[0].copy()
    wrong[17, 3] += 1.0
    assert not np.allclose(checks.digest((wrong,), [[0]], 5)[0]["sums"], digest["sums"], rtol=1e-9, atol=0)
    assert "error" in checks.digest(("text",), [[0]], 5)[0] and "error" in checks.digest((), [[0]], 5)[0]
    namespace, published = {"np": np}, []
    exec("def double(x, cache):\n    return (2 * x, cache)\n", namespace)
    spec = {"args": [{"normal": [4, 5]}, "cache"], "kwargs": {}}
    case = {"id": "t0", "generate": {"spec": spec, "seed": 11}, "digest": {"picks": [[0]], "seed": 3}}
    checks.run_probe({"function": "double", "lend": {}, "cases": [case]}, namespace, published.append)
    (returned,) = checks.decode(published[0]["returned"])
    (want,) = checks.digest((2 * checks.generate(spec, 11)[0][0],), [[0]], 3)
    assert returned["shape"] == [4, 5] and np.allclose(returned["sums"], want["sums"], rtol=1e-12)


def test_pick_explains_a_result_of_the_wrong_structure():
    with pytest.raises(checks.CheckFailed, match=r"f\(x\) returned array \(4,\) float64; expected \(Z, cache\)"):
        checks.pick(np.zeros(4), [0], "(Z, cache)", "f(x)")
    assert checks.pick((1, (2, 3)), [1, 0], "(Z, cache)", "f(x)") == 2


SPEC = {
    "function": "conv_forward",
    "number": 3,
    "points": 10,
    "params": ["A"],
    "returns": "(Z, cache)",
    "labels": {"conv_forward": "exercise 3", "zero_pad": "exercise 1"},
    "parts": [
        {
            "title": "values",
            "points": 6,
            "hidden": False,
            "cases": ["c0", "c1"],
            "checks": [{"kind": "close", "what": "Z", "pick": [0]}],
            "hint": "",
        },
        {
            "title": "shape",
            "points": 4,
            "hidden": True,
            "cases": ["c1"],
            "checks": [{"kind": "shape", "what": "Z", "pick": [0]}],
            "hint": "",
        },
    ],
    "cases": {"c0": {"args": (np.ones(2),), "kwargs": {}}, "c1": {"args": (np.ones(3),), "kwargs": {}}},
}
EXPECTED = {"c0": (np.ones(2), None), "c1": (np.ones(3), None)}


def test_judge_scores_parts_and_explains_raised_and_missing_calls():
    raised = {
        "type": "IndexError",
        "message": "index 4 is out of bounds",
        "function": "zero_pad",
        "line": 3,
        "text": "return X[pad]",
    }
    results = checks.judge(SPEC, {"c0": {"raised": raised}, "c1": {"returned": (np.ones(3), None)}}, EXPECTED)
    assert [r["passed"] for r in results] == [False, True]
    assert "conv_forward(A=array (2,) float64) raised IndexError: index 4 is out of bounds" in results[0]["message"]
    assert (
        "in your zero_pad (exercise 1), called by your conv_forward, line 3 of its cell: return X[pad]"
        in results[0]["message"]
    )
    card = checks.Card(SPEC, results, graded=True)
    assert card.score == 4 and card.headline() == "conv_forward (exercise 3): 4 / 10 points"
    missing = checks.judge(SPEC, {}, EXPECTED)
    assert "no result came back" in missing[0]["message"] and not any(r["passed"] for r in missing)


def test_scorecards_escape_what_the_student_controls():
    raised = {"type": "ValueError", "message": "<script>alert(1)</script>"}
    results = checks.judge(SPEC, {"c0": {"raised": raised}, "c1": {"raised": raised, "notes": ["<b>x</b>"]}}, EXPECTED)
    page = checks.Card(SPEC, results, graded=True)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>x</b>" not in page


def test_a_visible_card_says_what_is_left_for_grading_and_when_it_is_not_attempted():
    spec = {**SPEC, "parts": SPEC["parts"][:1]}
    passing = checks.Card(spec, checks.judge(spec, {c: {"returned": EXPECTED[c]} for c in EXPECTED}, EXPECTED), False)
    assert passing.status == "passed" and "The other 4 points are checked on new inputs" in passing.headline()
    untried = {c: {"raised": {"type": "NotImplementedError", "message": ""}} for c in EXPECTED}
    card = checks.Card(spec, checks.judge(spec, untried, EXPECTED), False, untried=checks.not_attempted(untried))
    assert card.status == "untried" and "not attempted yet" in card.headline()


def test_explain_exception_finds_the_notebook_line():
    source = "def zero_pad(X, pad):\n    return X[pad] + undefined_name\n"
    name = "/tmp/ipykernel_1/123.py"  # how ipykernel names a cell; IPython keeps its source in linecache
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    scope = {}
    exec(compile(source, name, "exec"), scope)
    try:
        scope["zero_pad"](np.ones(3), 1)
    except NameError as error:
        info = checks.explain_exception(error)
    assert info == {
        "type": "NameError",
        "message": "name 'undefined_name' is not defined",
        "function": "zero_pad",
        "line": 2,
        "text": "return X[pad] + undefined_name",
    }


def _output(message):
    return {"output_type": "display_data", "data": {checks.RESULT_MIME: json.dumps(message)}, "metadata": {}}


def test_read_outcomes_takes_one_result_per_call_and_reports_the_rest():
    good = {"function": "f", "case": "c0", "returned": checks.encode(np.ones(2))}
    outputs = [
        _output(good),
        _output({"function": "f", "case": "c1", "returned": checks.encode(1.0)}),
        _output({"function": "f", "case": "c1", "returned": checks.encode(2.0)}),  # duplicated
        _output({"function": "g", "case": "c2", "returned": checks.encode(1.0)}),  # another exercise
        _output({"function": "f", "case": "zz", "returned": checks.encode(1.0)}),  # unknown call
        {"output_type": "display_data", "data": {checks.RESULT_MIME: "[" * 50000}},  # too deep
        {"output_type": "display_data", "data": {checks.RESULT_MIME: {"case": "c2"}}},  # not text
        {"output_type": "stream", "name": "stdout", "text": "10"},
    ]
    outcomes, problems = probe.read_outcomes(outputs, "f", {"c0", "c1", "c2"})
    assert np.array_equal(outcomes["c0"]["returned"], np.ones(2))
    assert "2 results came back" in outcomes["c1"]["missing"] and "c2" not in outcomes
    assert len(problems) == 4


def test_run_probe_hands_back_each_call_and_restores_the_notebook():
    namespace = {"np": np, "helper": "the student's helper"}
    exec("def zero_pad(X, pad):\n    return helper(X) + pad\n", namespace)  # a notebook cell: globals are namespace
    published = []
    cases = [
        {"id": "c0", "args": checks.encode((np.ones(2), 1)), "kwargs": checks.encode({})},
        {"id": "c1", "args": checks.encode(("not an array", 1)), "kwargs": checks.encode({})},
    ]
    lend = {"helper": "def helper(X):\n    return np.asarray(X) * 2\n"}
    checks.run_probe({"function": "zero_pad", "lend": lend, "cases": cases}, namespace, published.append)
    assert namespace["helper"] == "the student's helper"  # given back
    assert [m["case"] for m in published] == ["c0", "c1"] and all(m["function"] == "zero_pad" for m in published)
    assert np.array_equal(checks.decode(published[0]["returned"]), [3.0, 3.0])
    assert published[1]["raised"]["type"] == "TypeError"


def test_the_probe_source_defines_nothing_in_the_notebook():
    source = probe.source({"function": "f", "lend": {}, "cases": []})
    assert source.startswith("exec(compile(") and "\n" not in source.split("exec(compile(", 1)[0]
    compile(source, "probe", "exec")
