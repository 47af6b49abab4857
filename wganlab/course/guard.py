"""An otter plugin that grades a submission sealed from it: :class:`GradingGuard`.

otter runs the submission and the tests in one notebook kernel, with the hidden test files, the
check module and the expected values beside the student's code. Every autograder zip lists this
plugin (``otter_config.json``, written by ``wganlab build``); it hooks three of otter's events
(otter/run/run_autograder/runners/python_runner.py, ``PythonRunner.run``):

- ``before_grading`` (otter's grader process, cwd the submission folder, after otter copied the
  zip's ``files/`` and ``tests/`` there and before any student code runs): take the snapshot into
  memory, delete the hidden material from disk (:func:`isolation.seal_disk`), make this process's
  memory unreadable to its children, and grade the **public** cases in a fresh process that holds
  only the notebook and those cases (:mod:`wganlab.course.isolation`);
- ``before_execution``: add cells to the notebook that make ``grader.check`` a no-op (the kernel
  grades nothing: its tests folder is gone, so otter's final check-all finds none either), turn
  ``exit()``/``quit()`` into an error, record which cell runs in a progress file, and interrupt a
  cell that runs past its limit (:data:`CELL_LIMIT`; once the kernel has used
  :data:`KERNEL_BUDGET`, every later cell at once), so that the notebook goes on;
- ``after_grading``: grade the **hidden** cases in another fresh process with the whole snapshot,
  and replace otter's results with test files parsed from the snapshot whose public cases carry
  the public process's results and whose hidden cases the hidden process's. The top-level
  ``output`` (what 04's convergence question trained on) is written here, from the grader's own
  inputs. A public message that still quotes hidden text is withheld; hints are added.

So what a student sees (the "Public Tests" box, the top-level output) never comes from a process
that had hidden material, no notebook cell changes what the checks call, and a function that
never returns costs only the questions that call it. What this does not stop is in the README
(integrity section).
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path

import nbformat
from otter.plugins import AbstractOtterPlugin

from wganlab.course import isolation
from wganlab.course.hidden_text import HiddenText, split_test_file  # noqa: F401 - split_test_file: the tests' name

PROGRESS_FILE = ".wganlab_progress"
PROGRESS_ENV = "WGANLAB_PROGRESS_FILE"
# The kernel grades nothing, so its cells only matter for the time they take: one cell may run
# CELL_LIMIT seconds, all of them KERNEL_BUDGET (03's slowest cell at its default schedule took
# 36 s on 2 cores, its whole notebook 100 s: NOTES.md, "Notebook cells at their default schedules").
CELL_LIMIT = 90.0
KERNEL_BUDGET = 150.0
WITHHELD = ("[message withheld: it quotes the autograder's hidden tests or expected values. "
            "Make your functions return values instead of reading files beside the notebook.]")
MISSING_HINT = ("Hint: {name} was not a function when the tests ran: its cell raised an error (a "
                "syntax error, say) or was deleted, or a later cell reassigned the name.")
RETURNED_NONE_HINT = ("Hint: {name} returned None: is its body still the stub, and does every path end "
                      "with `return`?")
_NOT_CALLABLE = re.compile(r"\w+'? object is not callable")  # otter strips the message's outer quotes

# Runs first in the grading kernel, before the submission's cells (otter's own init cell aside).
_SETUP_CELL = """\
def __wganlab_guard_setup(progress_file, cell_limit, budget, hung):
    import signal, sys, time
    from otter import Notebook
    from otter.execute import Checker

    class CellTimeLimit(BaseException):  # not Exception: a cell's `except Exception` does not swallow it
        pass

    deadline = time.monotonic() + budget
    state = {{"next": None, "armed": False}}

    def on_alarm(signum, frame):
        # Only inside a student's cell: an exception raised in the kernel's own loop between cells
        # would leave it unable to answer the next execute request.
        if state["armed"]:
            state["armed"] = False
            raise CellTimeLimit(f"this cell ran past its time limit while grading ({{cell_limit:g}} s for one "
                                f"cell, {{budget:g}} s for the whole notebook); the cells after it still run")

    signal.signal(signal.SIGALRM, on_alarm)

    def stub(name):
        def hung_function(*args, **kwargs):
            raise TimeoutError(f"`{{name}}` ran past its time limit when the autograder tested it, so it is not "
                               "called again in this run")
        return hung_function

    def arm(*args):  # IPython's pre_run_cell: the cell after a progress cell runs under its limit
        if state["next"] is not None:
            state["armed"] = True
            signal.setitimer(signal.ITIMER_REAL, state["next"])
            state["next"] = None

    def disarm(*args):  # post_run_cell
        state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)

    shell = get_ipython() if "get_ipython" in globals() else None
    if shell is not None:
        shell.events.register("pre_run_cell", arm)
        shell.events.register("post_run_cell", disarm)

    def mark(text, arm_next=True):
        notebook = sys._getframe(1).f_globals  # the notebook's namespace: this runs between its cells
        for name in hung:
            if callable(notebook.get(name)) and notebook[name].__name__ != "hung_function":
                notebook[name] = stub(name)
        if progress_file:
            with open(progress_file, "w") as f:
                f.write(text)
        state["next"] = max(0.001, min(cell_limit, deadline - time.monotonic())) if arm_next else None

    # The kernel grades nothing: the public and hidden cases run in the guard's own processes, so
    # a check here would only run a test twice (and its tests folder is gone). These are the two
    # entry points otter's kernel code calls (otter/check/notebook.py, otter/execute/checker.py).
    def not_here(*args, **kwargs):
        print("grader.check: the autograder runs the tests after the notebook, in its own process")

    Notebook.check = not_here
    Checker.check = classmethod(not_here)

    def no_exit(*args, **kwargs):
        raise RuntimeError("exit() and quit() are disabled while grading; the cells after this one still run")

    return mark, no_exit


__wganlab_mark, exit = __wganlab_guard_setup({progress!r}, {cell_limit!r}, {budget!r}, {hung!r})
quit = exit
del __wganlab_guard_setup
"""


def progress_cell(index: int, total: int, source: str) -> nbformat.NotebookNode:
    """A cell that records 'code cell K of N: <first line>' in the progress file and starts that cell's clock."""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")[:60]
    return nbformat.v4.new_code_cell(f"__wganlab_mark({f'code cell {index} of {total}: {first}'!r})")


def guard_notebook(nb: nbformat.NotebookNode, progress: str | None, cell_limit: float = CELL_LIMIT,
                   budget: float = KERNEL_BUDGET, hung: list[str] = ()) -> nbformat.NotebookNode:
    """The submission with the setup cell first, a progress cell before each code cell and a last one that stops the clock.

    ``hung``: functions that never returned in the public grading process; the kernel replaces them
    between cells by ones that fail at once, so a cell that calls one does not wait out its limit.
    """
    # Separate cells, not a line prepended to the student's: line numbers in their tracebacks stay
    # theirs, and a cell magic (%%time) stays its cell's first line.
    total, index = sum(cell.cell_type == "code" for cell in nb.cells), 0
    cells = [nbformat.v4.new_code_cell(_SETUP_CELL.format(progress=progress, cell_limit=cell_limit, budget=budget,
                                                          hung=list(hung)))]
    for cell in nb.cells:
        if cell.cell_type == "code":
            index += 1
            cells.append(progress_cell(index, total, cell.source))
        cells.append(cell)
    cells.append(nbformat.v4.new_code_cell("__wganlab_mark('the tests, after the last cell', arm_next=False)"))
    nb.cells = cells
    return nb


def _function_of(question: str) -> str:
    """The student function a question grades, or a description for multi-function questions."""
    from wganlab.course.functions import ASSIGNMENTS

    if any(question in functions for functions in ASSIGNMENTS.values()):
        return f"`{question}`"
    return "one of the functions this question uses"


def _not_dumpable() -> None:
    """Make this process's memory (the snapshot) unreadable to the processes it starts (Linux:
    prctl PR_SET_DUMPABLE 0; reading /proc/PID/mem then needs CAP_SYS_PTRACE, which Docker's
    default capabilities leave out). Elsewhere a no-op."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
        except (OSError, AttributeError):
            pass


def merge_results(results, snapshot: dict[str, bytes], public: dict, hidden: dict, output: str = "") -> None:
    """Replace otter's test files in ``results`` with the snapshot's, public cases scored by ``public``
    and hidden ones by ``hidden`` (each ``{question: [[passed, message], ...]}``, in case order)."""
    from otter.test_files import ExceptionTestFile
    from otter.test_files.abstract_test import TestCaseResult

    rebuilt = {}
    for question in isolation.questions_of(snapshot):
        name = f"tests/{question}.py"
        test_file = ExceptionTestFile.from_string(snapshot[name].decode("utf-8"), path=name)
        reported = {False: list(public.get(question, [])), True: list(hidden.get(question, []))}
        case_results = []
        for tc in test_file.test_cases:
            queue = reported[bool(tc.hidden)]
            case = queue.pop(0) if queue else None
            # The reports come from processes that ran student code: anything but [bool, str] is not a result.
            if not (isinstance(case, list) and len(case) == 2 and isinstance(case[0], bool) and isinstance(case[1], str)):
                case = [False, isolation.STOPPED.format(why="it did not report this case")]
            passed, message = case
            case_results.append(TestCaseResult(test_case=tc, passed=bool(passed), message=str(message)))
        test_file.test_case_results = case_results
        rebuilt[test_file.name] = test_file
    results.results = rebuilt
    results._catastrophic_error = None  # the kernel's results are not used, so neither is its failure
    results.set_output(output or None)


class GradingGuard(AbstractOtterPlugin):
    """otter plugin: public and hidden cases graded in sealed processes; the kernel grades nothing."""

    def before_grading(self, config) -> None:
        """Snapshot, delete the hidden files, grade the public cases (cwd: the submission folder)."""
        source = Path("..", "source").resolve()
        submission = Path(self.submission_path) if self.submission_path else None
        self.snapshot = take_snapshot(source, submission)
        self.hidden = HiddenText.from_snapshot(self.snapshot)
        isolation.seal_disk(source, Path.cwd(), self.snapshot)
        _not_dumpable()
        self.public = isolation.Report()
        if self._gradable():
            self.public = isolation.run_role(isolation.public_snapshot(self.snapshot), "public", self._progress())

    def _gradable(self) -> bool:
        return any(n.startswith("submission") for n in self.snapshot)

    def _progress(self) -> str | None:
        # `wganlab grade` names a file outside otter's folder, which otter deletes when a kernel dies.
        return os.environ.get(PROGRESS_ENV) or (
            str(Path(self.submission_path).parent / PROGRESS_FILE) if self.submission_path else None)

    def before_execution(self, submission):
        """Add the guard's cells to the notebook (a .py submission runs unchanged)."""
        if isinstance(submission, str):
            return submission
        return guard_notebook(submission, self._progress(), hung=getattr(getattr(self, "public", None), "hung", []))

    def after_grading(self, results) -> None:
        """Grade the hidden cases; merge; withhold public messages that quote hidden text; add hints."""
        snapshot = getattr(self, "snapshot", None)
        if snapshot and self._gradable():
            hidden = isolation.run_role(snapshot, "hidden", self._progress(), hung=self.public.hung)
            merge_results(results, snapshot, self.public, hidden, isolation.faces_note(snapshot))
        hidden_text = getattr(self, "hidden", None)
        for name, test_file in results.results.items():
            for result in getattr(test_file, "test_case_results", []):
                if result.passed or not result.message or result.test_case.hidden:
                    continue  # hidden messages are never shown to students unless the instructor chooses
                if hidden_text is not None and hidden_text.quoted_in(result.message):
                    result.message = "❌ Test case failed\n" + WITHHELD
                elif _NOT_CALLABLE.search(result.message):
                    result.message += "\n" + MISSING_HINT.format(name=_function_of(name))
                elif "NoneType" in result.message:
                    result.message += "\n" + RETURNED_NONE_HINT.format(name=_function_of(name))


take_snapshot = isolation.take_snapshot
