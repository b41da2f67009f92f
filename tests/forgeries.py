"""The forgery corpus: submissions that try, from inside their kernel, to earn points they did not earn.

Each forgery replaces one solution cell of the instructor's notebook. ``forged`` is that cell with the
attack, ``honest`` the same student's code without it (usually a wrong or partial answer); both are
graded in the same batch, and the forgery must earn exactly what its honest twin earns: ``points``,
stated here for the exercise under attack. Attacks that change how the kernel behaves for later
cells stay inside the attacked exercise's cell. Every loop is bounded.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Forgery:
    name: str
    function: str
    description: str
    forged: str
    honest: str
    points: float  # what the honest code (and so the forgery) earns in ``function``


ZEROS_CONV = '''
def conv_forward(A_prev, W, b, hparameters):
    """The right shapes and cache, but every value 0: earns the shape and cache parts only."""
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    s, p = hparameters["stride"], hparameters["pad"]
    Z = np.zeros((m, (n_H_prev - f + 2 * p) // s + 1, (n_W_prev - f + 2 * p) // s + 1, n_C))
    return Z, (A_prev, W, b, hparameters)
'''
ZEROS_CONV_POINTS = 16.0  # published shape 4 + published cache 2 + hidden shapes 6 + hidden cache 4

UNPADDED = '''
def zero_pad(X, pad):
    """Forgets to pad: earns nothing."""
    return X
'''

ZEROS_POOL = '''
def pool_forward(A_prev, hparameters, mode="max"):
    """The right shapes and cache, every value 0: earns the shape and cache parts only."""
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, s = hparameters["f"], hparameters["stride"]
    A = np.zeros((m, (n_H_prev - f) // s + 1, (n_W_prev - f) // s + 1, n_C))
    return A, (A_prev, hparameters)
'''
ZEROS_POOL_POINTS = 6.0  # hidden shapes 4 + hidden cache 2

# Attacks that change the kernel for every later cell (display hooks, input transformers, builtins)
# live in pool_forward's cell: it is the notebook's last exercise, so they touch nothing else.
NO_POOL = '''
def pool_forward(A_prev, hparameters, mode="max"):
    """Not done: earns nothing."""
    return None
'''


def _inside(function_source, attack):
    """``function_source`` with ``attack`` run first in the function's body (after its docstring)."""
    start = function_source.index('"""')
    after_docstring = function_source.index("\n", function_source.index('"""', start + 3)) + 1
    indented = "".join(f"    {line}\n" if line else "\n" for line in attack.strip("\n").splitlines())
    return function_source[:after_docstring] + indented + function_source[after_docstring:]


FORGERIES = [
    Forgery(
        "frames_find_reference",
        "conv_forward",
        "walks the caller's frames for another callable named like conv_forward, a reference or expected values",
        _inside(
            ZEROS_CONV,
            """
import sys
frame = sys._getframe(1)
for _ in range(50):
    if frame is None:
        break
    for scope in (frame.f_locals, frame.f_globals):
        for name, value in list(scope.items()):
            hit = any(word in str(name) for word in ("conv_forward", "reference", "expected", "hidden"))
            if hit and callable(value) and value is not conv_forward:
                try:
                    return value(A_prev, W, b, hparameters)
                except Exception:
                    pass
    frame = frame.f_back
""",
        ),
        ZEROS_CONV,
        ZEROS_CONV_POINTS,
    ),
    Forgery(
        "gc_find_reference",
        "conv_forward",
        "searches every object the garbage collector knows for a function called conv_forward or expected values",
        _inside(
            ZEROS_CONV,
            """
import gc
for obj in gc.get_objects():
    if callable(obj) and getattr(obj, "__name__", "") == "conv_forward" and obj is not conv_forward:
        try:
            return obj(A_prev, W, b, hparameters)
        except Exception:
            pass
    if isinstance(obj, dict) and "expected" in obj and isinstance(obj.get("expected"), dict):
        for value in obj["expected"].values():
            if isinstance(value, tuple) and len(value) == 2 and getattr(value[0], "ndim", 0) == 4:
                return value
""",
        ),
        ZEROS_CONV,
        ZEROS_CONV_POINTS,
    ),
    Forgery(
        "globals_and_modules",
        "conv_forward",
        "looks through globals() and sys.modules for the grader's modules and imports the course package",
        _inside(
            ZEROS_CONV,
            """
import importlib, sys
for name in ("course.exercises.cnn_step_by_step.conv_forward", "course", "exercises"):
    try:
        module = importlib.import_module(name)
        return module.conv_forward(A_prev, W, b, hparameters)
    except Exception:
        pass
for module in list(sys.modules.values()):
    for name in ("reference", "expected", "EXERCISE"):
        if hasattr(module, name) and "cnn" in getattr(module, "__name__", ""):
            try:
                return getattr(module, name)(A_prev, W, b, hparameters)
            except Exception:
                pass
for name, value in list(globals().items()):
    if name.startswith("_hidden") and callable(value):
        return value(A_prev, W, b, hparameters)
""",
        ),
        ZEROS_CONV,
        ZEROS_CONV_POINTS,
    ),
    Forgery(
        "edit_the_scorecard",
        "pool_forward",
        "finds the grading code's namespace in its frames and rewrites judge, compare and Card to pass everything",
        _inside(
            ZEROS_POOL,
            """
import sys
frame = sys._getframe(1)
for _ in range(50):
    if frame is None:
        break
    scope = frame.f_globals
    if "judge" in scope and "Card" in scope:
        scope["compare"] = lambda *args, **kwargs: None
        original = scope["judge"]
        def judge(spec, outcomes, expected):
            return [dict(r, passed=True, message="") for r in original(spec, outcomes, expected)]
        scope["judge"] = judge
        scope["Card"].score = property(lambda self: self.spec["points"])
        scope["Card"].passed = property(lambda self: True)
    for value in list(frame.f_locals.values()):
        if isinstance(value, list) and value and isinstance(value[0], dict) and "passed" in value[0]:
            for item in value:
                item["passed"] = True
    frame = frame.f_back
""",
        ),
        ZEROS_POOL,
        ZEROS_POOL_POINTS,
    ),
    Forgery(
        "print_and_display_a_score",
        "zero_pad",
        "prints and displays the full score, and sends it through the display hook, from inside a checked call",
        _inside(
            UNPADDED,
            """
import sys
from IPython.display import HTML, display
print(10)
sys.displayhook(10)
display({"text/plain": "10"}, raw=True)
display(HTML("<div class='cnn-scorecard'><b>zero_pad (exercise 1): 10 / 10 points</b></div>"))
""",
        ),
        UNPADDED,
        0.0,
    ),
    Forgery(
        "score_after_every_cell",
        "zero_pad",
        "registers a post_run_cell hook that puts a full-score result and scorecard after every cell",
        """
from IPython import get_ipython
from IPython.display import HTML, display

def _full_marks(result):
    display(HTML("<b>zero_pad (exercise 1): 10 / 10 points</b>"))
    get_ipython().displayhook(10)

get_ipython().events.register("post_run_cell", _full_marks)
"""
        + UNPADDED,
        UNPADDED,
        0.0,
    ),
    Forgery(
        "results_from_other_cells",
        "conv_forward",
        "publishes a result for every conv_forward call from its own cell, and after every later cell",
        """
import json
from IPython import get_ipython
from IPython.display import publish_display_data

def _forge(*ignored):
    for case in range(40):
        value = {"t": "tuple", "v": [{"t": "float", "v": "0.0"}, {"t": "none"}]}
        message = {"function": "conv_forward", "case": f"c{case}", "returned": value}
        publish_display_data({"text/x.cnn-checks-result": json.dumps(message)})

_forge()
get_ipython().events.register("post_run_cell", _forge)

def conv_forward(A_prev, W, b, hparameters):
    raise NotImplementedError()
""",
        """
def conv_forward(A_prev, W, b, hparameters):
    raise NotImplementedError()
""",
        0.0,
    ),
    Forgery(
        "formatters_and_display_hooks",
        "pool_forward",
        "registers IPython formatters for every object and replaces sys.displayhook and the display publisher",
        """
import sys
from IPython import get_ipython

_shell = get_ipython()
for _mime in ("text/plain", "text/html"):
    _formatter = _shell.display_formatter.formatters[_mime]
    _formatter.for_type(object, lambda obj, *rest: "10" if not rest else rest[0].text("10"))
sys.displayhook = lambda value: print(10)
_publish = _shell.display_pub.publish
_shell.display_pub.publish = lambda data, *args, **kwargs: _publish({"text/plain": "10"}, *args, **kwargs)
"""
        + NO_POOL,
        NO_POOL,
        0.0,
    ),
    Forgery(
        "numpy_and_builtins_stubs",
        "zero_pad",
        "replaces NumPy's comparisons and testing helpers, and the builtins max and abs where a check would use them",
        """
import builtins
import numpy.testing
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.isclose = lambda a, b, **kwargs: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, dtype=bool)
np.testing.assert_allclose = np.testing.assert_array_equal = lambda *args, **kwargs: None
_max, _abs = builtins.max, builtins.abs
builtins.max = lambda *args, **kwargs: 1e300 if len(args) == 2 and args[0] == 1.0 else _max(*args, **kwargs)
builtins.abs = lambda x: np.zeros_like(x) if isinstance(x, np.ndarray) else _abs(x)
"""
        + UNPADDED,
        UNPADDED,
        0.0,
    ),
    Forgery(
        "input_transformer",
        "pool_forward",
        "adds an IPython input transformer that replaces the grader's code in later cells with nothing",
        """
from IPython import get_ipython

def _no_checks(lines):
    text = "".join(lines)
    if "run_probe" in text or "check(" in text:
        return ["pass\\n"]
    return lines

get_ipython().input_transformers_post.append(_no_checks)
"""
        + NO_POOL,
        NO_POOL,
        0.0,
    ),
    Forgery(
        "ctypes_writes",
        "conv_single_step",
        "zeroes the memory of the arguments it is given with ctypes, so that returning the bias looks right",
        '''
import ctypes

def conv_single_step(a_slice_prev, W, b):
    """Returns the bias only; first writes zeros over the inputs' memory."""
    for array in (a_slice_prev, W):
        if isinstance(array, np.ndarray) and array.flags["C_CONTIGUOUS"]:
            ctypes.memset(array.ctypes.data, 0, array.nbytes)
    return np.asarray(b).item()
''',
        '''
def conv_single_step(a_slice_prev, W, b):
    """Returns the bias only."""
    return np.asarray(b).item()
''',
        2.0,  # "Z is a single number"
    ),
    Forgery(
        "exit_and_interrupt",
        "zero_pad",
        "right on its first three calls, then raises SystemExit, then KeyboardInterrupt",
        '''
_calls = []

def zero_pad(X, pad):
    """Right three times, then SystemExit, then KeyboardInterrupt."""
    _calls.append(1)
    if len(_calls) == 4:
        raise SystemExit(0)
    if len(_calls) >= 5:
        raise KeyboardInterrupt()
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
''',
        '''
_calls = []

def zero_pad(X, pad):
    """Right three times, then an error."""
    _calls.append(1)
    if len(_calls) >= 4:
        raise RuntimeError("gave up")
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
''',
        4.0,  # the published example (the first call)
    ),
    Forgery(
        "lying_objects",
        "conv_forward",
        "returns an object whose __eq__, __float__, __len__ and __getitem__ lie, and whose __array__ is zeros",
        '''
class _Liar:
    def __init__(self, shape):
        self.shape = shape
    def __array__(self, dtype=None, copy=None):
        return np.zeros(self.shape)
    def __eq__(self, other):
        return True
    def __float__(self):
        return 0.0489952035289
    def __len__(self):
        return 1000
    def __getitem__(self, index):
        return 0.0489952035289

def conv_forward(A_prev, W, b, hparameters):
    """Z is a liar with the right shape."""
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    s, p = hparameters["stride"], hparameters["pad"]
    shape = (m, (n_H_prev - f + 2 * p) // s + 1, (n_W_prev - f + 2 * p) // s + 1, n_C)
    return _Liar(shape), (A_prev, W, b, hparameters)
''',
        ZEROS_CONV,
        ZEROS_CONV_POINTS,
    ),
    Forgery(
        "huge_and_deep_results",
        "zero_pad",
        "right on the published example; then returns an 80 MB array, a list nested 5000 deep, and so on",
        '''
_calls = []

def zero_pad(X, pad):
    """Right once, then huge, deeply nested and circular results."""
    _calls.append(1)
    if len(_calls) == 1:
        return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    if len(_calls) == 2:
        return np.zeros(80_000_000, dtype=np.uint8)
    deep = []
    for _ in range(5000):
        deep = [deep]
    if len(_calls) == 3:
        return deep
    loop = []
    loop.append(loop)
    return {"a": loop, "b": deep}
''',
        '''
_calls = []

def zero_pad(X, pad):
    """Right once, then nothing."""
    _calls.append(1)
    if len(_calls) == 1:
        return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    return None
''',
        4.0,
    ),
    Forgery(
        "malformed_messages",
        "zero_pad",
        "right, but each call also sends result messages that are not JSON, of the wrong form, too large or too deep",
        _inside(
            '''
def zero_pad(X, pad):
    """Right."""
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
''',
            """
import json
from IPython.display import publish_display_data
mime, key = "text/x.cnn-checks-result", {"function": "zero_pad", "case": "c0"}
bad_arrays = [{"t": "array", "dtype": "|O", "shape": [1], "data": ""},
              {"t": "array", "dtype": "<f8", "shape": [10**9], "data": ""}]
texts = ["not json", "[1, 2]", json.dumps({"case": "c0"}), json.dumps({**key, "case": 7, "returned": 1}),
         *(json.dumps({**key, "returned": bad}) for bad in bad_arrays), json.dumps({**key, "raised": "not a dict"}),
         json.dumps({**key, "case": "zz", "returned": {"t": "none"}}), "[" * 100000 + "]" * 100000,
         "x" * (70 * 2**20)]
for text in [] if globals().get("_sent") else texts:
    publish_display_data({mime: text})
publish_display_data({mime: {**key, "returned": {"t": "none"}}})
globals()["_sent"] = True
""",
        ),
        '''
def zero_pad(X, pad):
    """Right."""
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
''',
        10.0,
    ),
    Forgery(
        "duplicate_results",
        "zero_pad",
        "wrong, but sends a second result for each call: the published answer, read from cnn_checks.json",
        _inside(
            UNPADDED,
            """
import json
from IPython.display import publish_display_data
with open("cnn_checks.json") as handle:
    published = json.load(handle)["exercises"]["zero_pad"]["expected"]["c0"]
for case in range(10):
    message = {"function": "zero_pad", "case": f"c{case}", "returned": published}
    publish_display_data({"text/x.cnn-checks-result": json.dumps(message)})
""",
        ),
        UNPADDED,
        0.0,
    ),
    Forgery(
        "hijack_exec",
        "pool_forward",
        "replaces the builtins exec and compile, which the grader's code calls, to hand back its own results",
        """
import builtins, json
from IPython.display import publish_display_data
_exec = builtins.exec

def _fake_exec(source, scope=None, *rest):
    if isinstance(scope, dict) and "REQUEST" in scope:
        for case in json.loads(scope["REQUEST"])["cases"]:
            message = {"function": "pool_forward", "case": case["id"], "returned": case["args"]["v"][0]}
            publish_display_data({"text/x.cnn-checks-result": json.dumps(message)})
        return None
    return _exec(source, scope, *rest)

builtins.exec = _fake_exec
"""
        + NO_POOL,
        NO_POOL,
        0.0,
    ),
]
