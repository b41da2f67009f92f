"""``ExecuteAndScore``: the step of nbgrader's autograde pipeline that runs a submission and scores
its test cells outside the student's kernel (configured in place of nbgrader's ``Execute``).

The notebook's cells run in order in one kernel, as nbgrader's ``Execute`` runs them. A test cell
of a course exercise (grade_id ``test_<function>``) is not run: in its place the kernel receives a
probe (course.grading.probe) that calls the student's function on every case of the exercise and
hands back what it returned. After the last cell, the grader judges those results against the
exercise's reference (course.grading.checks.judge) and writes each test cell's outputs: the
scorecard, and the score as the ``text/plain`` value nbgrader reads. Nothing the kernel printed,
displayed or returned for that cell is kept.

A kernel that dies, or that an interrupt cannot stop, ends the run: every exercise keeps what its
function returned before that, and the ones after score zero, each card saying why. Messages the
grader cannot read are reported in the card, never crash the run.
"""

import time

import nbformat
import zmq
from nbclient.exceptions import CellExecutionComplete, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async
from nbgrader.preprocessors import Execute

from course import exercises, sandbox

from . import checks, probe

MAX_MESSAGE_BYTES = 256 * 2**20  # a kernel message above this is dropped by ZeroMQ, unread


class ExecuteAndScore(Execute):
    """nbgrader's ``Execute``, with the test cells of course exercises scored by the grader. The
    kernel is the one ``Execute.kernel_name`` names: the sandboxed one, unless the course's
    configuration opted out (then every run says so)."""

    def preprocess(self, nb, resources, km=None):
        self._exercises = _course_exercises(resources["nbgrader"]["assignment"])
        self._results, self._problems, self._seconds = {}, {}, {}
        self._stopped, self._unreadable = "", []
        if self.kernel_name == sandbox.KERNEL_NAME:
            sandbox.require()
        else:
            self.log.warning(sandbox.NO_SANDBOX_WARNING)
        nb, resources = super().preprocess(nb, resources, km)
        self._write_scorecards(nb)
        notes = [self._stopped] if self._stopped else []
        if self._unreadable:
            notes.append(f"{len(self._unreadable)} messages from the kernel could not be read and were skipped")
        notes += [f"{function}: {problem}" for function, found in self._problems.items() for problem in found]
        if notes:
            nb.metadata["cnn_grading"] = {"notes": notes}
        return nb, resources

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        km.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        return km

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        """nbclient's reader of a cell's output messages, made to skip a message it cannot read
        (malformed, nested too deeply) instead of failing the notebook: the kernel is untrusted."""
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
                if msg["parent_header"].get("msg_id") != parent_msg_id:
                    continue
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                return
            except Exception as error:  # one unreadable message: skip it, keep reading
                self._unreadable.append(type(error).__name__)

    # -- running cells ------------------------------------------------------------------------------

    def preprocess_cell(self, cell, resources, index):
        exercise = self._exercise_of(cell)
        if self._stopped:
            cell.outputs = []
            return cell, self.resources
        try:
            if exercise is None:
                cell = self.execute_cell(cell, index, store_history=True)
            else:
                self._probe(exercise, cell, index)
        except DeadKernelError:
            self._stopped = f"the kernel died while {self._doing(cell, exercise)} (the code ended Python or crashed it)"
        except CellTimeoutError:
            self._stopped = f"the kernel stopped answering while {self._doing(cell, exercise)}"
        except Exception as error:  # a message the grader cannot read: note it, go on
            note = f"the grader could not read what the kernel sent ({type(error).__name__})"
            self._problems.setdefault(exercise.function if exercise else "", []).append(note)
            cell.outputs = [nbformat.v4.new_output("error", ename="GraderError", evalue=note, traceback=[note])]
        return cell, self.resources

    def _doing(self, cell, exercise):
        if exercise is not None:
            return f"{exercise.function} was being graded"
        meta = cell.metadata.get("nbgrader", {})
        return f"running the cell {meta['grade_id']}" if "grade_id" in meta else "running a cell of the notebook"

    def _exercise_of(self, cell):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("grade"):
            return None
        return self._exercises.get(grade_id)

    def _probe(self, exercise, cell, index):
        """Run the exercise's probe in place of its test cell; keep what came back."""
        lend = {name: exercises.find(name)[1].reference_source() for name in exercise.uses}
        probe_cell = nbformat.v4.new_code_cell(probe.source(probe.request(exercise, lend)))
        saved_timeout = self.timeout
        if exercise.timeout:
            self.timeout = exercise.timeout
        started = time.perf_counter()
        try:
            self.execute_cell(probe_cell, index, store_history=False)
        finally:
            self.timeout = saved_timeout
            self._seconds[exercise.function] = time.perf_counter() - started
            self.nb.cells[index] = cell  # nbclient stored the probe cell in its place
            outcomes, problems = probe.read_outcomes(probe_cell.outputs, exercise.function, set(exercise.cases))
            self._results[exercise.function] = outcomes
            self._problems.setdefault(exercise.function, []).extend(problems)
            if any(o.get("raised", {}).get("type") == "TimeoutError" for o in outcomes.values()):
                self._problems[exercise.function].append(f"a call was interrupted after {self.timeout} s")

    # -- scoring ------------------------------------------------------------------------------------

    def _write_scorecards(self, nb):
        for cell in nb.cells:
            exercise = self._exercise_of(cell)
            if exercise is None:
                continue
            spec = exercises.spec(exercise.function)
            outcomes = self._results.get(exercise.function, {})
            remark = "; ".join(self._problems.get(exercise.function, []))
            if exercise.function not in self._results and self._stopped:
                remark = f"Not run: {self._stopped}."
            card = checks.Card(spec, checks.judge(spec, outcomes, exercise.expected), graded=True, remark=remark)
            cell.outputs = [
                nbformat.v4.new_output(
                    "execute_result",
                    data={"text/html": card._repr_html_(), "text/plain": f"{card.score:g}"},
                    execution_count=None,
                )
            ]
            cell.execution_count = None


def _course_exercises(assignment):
    """``{test cell grade_id: Exercise}`` of a course assignment ({} for any other assignment, whose
    test cells nbgrader runs and scores as usual)."""
    try:
        found = exercises.assignment(assignment)
    except KeyError:
        return {}
    return {e.test_cell: e for e in found.exercises}
