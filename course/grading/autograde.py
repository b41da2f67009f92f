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

import contextlib
import queue
import time

import nbformat
import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from nbclient.exceptions import CellExecutionComplete, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async
from nbgrader.preprocessors import Execute

from course import exercises, sandbox, warm_kernels

from . import checks, probe, speed

MAX_MESSAGE_BYTES = 256 * 2**20  # a kernel message above this is dropped by ZeroMQ, unread


class ExecuteAndScore(Execute):
    """nbgrader's ``Execute``, with the test cells of course exercises scored by the grader. The
    kernel is the one ``Execute.kernel_name`` names: the sandboxed one, unless the course's
    configuration opted out (then every run says so)."""

    def preprocess(self, nb, resources, km=None):
        self._exercises = _course_exercises(resources["nbgrader"]["assignment"])
        self._results, self._problems, self._seconds = {}, {}, {}
        self._stopped, self._unreadable = "", []
        self._probe_costs = None  # {(function, part number): seconds}, measured before the first cell
        warm_kernels.Expecting.set(resources["nbgrader"]["assignment"])  # what the next warm kernel prepares for
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
        km.client_factory = QuickReadyClient
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
            if self._probe_costs is None:
                # Measured here, in the kernel, before the notebook's first cell (not while the kernel was
                # warm: measured then, beside another notebook's grading, the cost came out inflated and a
                # loop version earned its speed points).
                self._probe_costs = {}
                self._measure_probe_costs(index)
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
        """Run the exercise's calls in place of its test cell (then its speed checks); keep what came
        back. nbclient stores each probe cell at ``index``: the test cell is put back."""
        lend = {name: exercises.find(name)[1].reference_source() for name in exercise.uses}
        try:
            self._call(exercise, exercise.cases, lend, index, keep=True)
            for number, part in enumerate(exercise.parts):
                if part.speed:
                    outcome = self._time(exercise, number, lend, index)
                    self._results[exercise.function][exercise.speed_case(number)] = outcome
        finally:
            self.nb.cells[index] = cell

    def _call(self, exercise, cases, lend, index, function=None, keep=False):
        """Run one probe: ``function`` (default: the exercise's) on ``cases``; return the outcomes
        (``keep``: also record them as the exercise's results, even when the kernel dies midway)."""
        function = function or exercise.function
        timeout = exercise.timeout or self.timeout
        probe_cell = nbformat.v4.new_code_cell(probe.source(probe.request(function, cases, lend)))
        saved, self.timeout = self.timeout, timeout
        try:
            self.execute_cell(probe_cell, index, store_history=False)
        finally:
            self.timeout = saved
            outcomes, problems = probe.read_outcomes(probe_cell.outputs, function, set(cases))
            if keep:
                self._results[exercise.function] = dict(outcomes)
            self._problems.setdefault(exercise.function, []).extend(problems)
            if any(o.get("raised", {}).get("type") == "TimeoutError" for o in outcomes.values()):
                self._problems[exercise.function].append(f"a call was interrupted after {timeout} s")
        return outcomes

    def _measure_probe_costs(self, index):
        """The probe's own cost for each speed part of the notebook (speed.measure_probe_costs), in the
        fresh kernel before any of the notebook's code has run. nbclient stores each probe cell at
        ``index``: the notebook's cell is put back."""
        cell = self.nb.cells[index]
        try:

            def call(exercise, cases, lend, function):
                return self._call(exercise, cases, lend, index, function=function)

            self._probe_costs.update(speed.measure_probe_costs(call, self._exercises.values()))
        finally:
            self.nb.cells[index] = cell

    def _time(self, exercise, number, lend, index):
        """A speed part's outcome (speed.time_part): the student's calls run in the kernel, timed from
        here, less the probe's own cost measured before the notebook ran."""
        cost = self._probe_costs.get((exercise.function, number), 0.0)
        return speed.time_part(lambda cases: self._call(exercise, cases, lend, index), exercise, number, cost)

    # -- scoring ------------------------------------------------------------------------------------

    def _write_scorecards(self, nb):
        for cell in nb.cells:
            exercise = self._exercise_of(cell)
            if exercise is None:
                continue
            spec = exercises.spec(exercise.function)
            outcomes, expected = measured(exercise, self._results.get(exercise.function, {}))
            remark = "; ".join(self._problems.get(exercise.function, []))
            if exercise.function not in self._results and self._stopped:
                remark = f"Not run: {self._stopped}."
            card = checks.Card(spec, checks.judge(spec, outcomes, expected), graded=True, remark=remark)
            cell.outputs = [
                nbformat.v4.new_output(
                    "execute_result",
                    data={"text/html": card._repr_html_(), "text/plain": f"{card.score:g}"},
                    execution_count=None,
                )
            ]
            cell.execution_count = None


class QuickReadyClient(AsyncKernelClient):
    """jupyter_client's asynchronous client, ready as soon as the kernel is: its ``wait_for_ready``
    waits up to 0.2 s for an IOPub message after each kernel_info reply (the IOPub subscription is
    usually not connected yet at the first one), and then 0.2 s more for IOPub to fall silent, which
    is 0.2 to 0.4 s of every notebook. Here the same checks wait 0.02 s a time: the kernel must have
    answered on the shell channel and published on IOPub since this client subscribed."""

    async def _async_wait_for_ready(self, timeout=None):
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except queue.Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.02)  # IOPub is connected
                except queue.Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:  # what is left of the kernel_info replies' messages
            try:
                await self.iopub_channel.get_msg(timeout=0.02)
            except queue.Empty:
                return

    wait_for_ready = _async_wait_for_ready  # the client's public name is bound to the base class's method


def measured(exercise, outcomes):
    """``(outcomes, expected)`` for judging: the outcomes of the calls plus, for each part with a
    measure, each case's measured value (``"<case id>|<measure>"``), and what each is judged
    against. A measure runs in the grader on what the kernel handed back: it may fail on it."""
    outcomes, expected = dict(outcomes), dict(exercise.expected)
    for number, part in enumerate(exercise.parts):
        if part.speed:
            expected[exercise.speed_case(number)] = part.speed.at_least
        for case, key in zip(part.cases, exercise.part_cases(number, part)):
            cid = exercise.case_ids[id(case)]
            if not part.measure:
                continue
            expected[key] = exercise.expected[cid]
            outcome = outcomes.get(cid)
            if outcome and "returned" in outcome:
                try:
                    with contextlib.chdir(exercise.folder):
                        outcome = {**outcome, "returned": exercise.measures[part.measure](outcome["returned"])}
                except Exception as error:  # what came back is not what the measure takes
                    outcome = {"missing": f"what came back cannot be measured ({type(error).__name__}: {error})"}
            outcomes[key] = outcome
    return outcomes, expected


def _course_exercises(assignment):
    """``{test cell grade_id: Exercise}`` of a course assignment ({} for any other assignment, whose
    test cells nbgrader runs and scores as usual)."""
    try:
        found = exercises.assignment(assignment)
    except KeyError:
        return {}
    return {e.test_cell: e for e in found.exercises}
