"""An otter plugin that grades a submission sealed from it: :class:`GradingGuard`.

otter runs the submission and the tests in one notebook kernel, with the hidden test files, the
check module and the expected values beside the student's code. Every autograder zip lists this
plugin (``otter_config.json``, written by ``wganlab build``); it hooks three of otter's events
(otter/run/run_autograder/runners/python_runner.py, ``PythonRunner.run``):

- ``before_grading`` (otter's grader process, cwd the submission folder, after otter copied the
  zip's ``files/`` and ``tests/`` there and before any student code runs): take the snapshot into
  memory, delete the hidden material from disk (:func:`protocol.seal_disk`), make this process's
  memory unreadable to its children, and grade the **public** cases in a fresh process that holds
  only the notebook and those cases (:mod:`wganlab.course.isolation`);
- ``before_execution``: add the cells of :mod:`wganlab.course.kernel_cell` to the notebook: they
  make ``grader.check`` a no-op (the kernel grades nothing: its tests folder is gone, so otter's
  final check-all finds none either), turn ``exit()``/``quit()`` into an error, record which cell
  runs in a progress file, and interrupt a cell that runs past its limit, so that the notebook
  goes on;
- ``after_grading``: grade the **hidden** cases in another fresh process with the whole snapshot,
  and replace otter's results with test files parsed from the snapshot whose public cases carry
  the public process's results and whose hidden cases the hidden process's. The top-level
  ``output`` (what 04's convergence question trained on) is written here, from the grader's own
  inputs. A public message that still quotes hidden text is withheld; hints are added.

Around them, the grader adopts and kills whatever student code leaves running
(:mod:`wganlab.course.reaper`) and reads nothing from the kernel as code
(:mod:`wganlab.course.kernel_channels`).

So what a student sees (the "Public Tests" box, the top-level output) never comes from a process
that had hidden material, no notebook cell changes what the checks call, and a function that
never returns costs only the questions that call it. What this does not stop is in the README
(integrity section).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from wganlab.course import isolation, kernel_channels, protocol, reaper
from wganlab.course.hidden_text import HiddenText
from wganlab.course.kernel_cell import guard_notebook
from wganlab.otter_api import AbstractOtterPlugin, case_result, parse_test_file, replace_results

WITHHELD = ("[message withheld: it quotes the autograder's hidden tests or expected values. "
            "Make your functions return values instead of reading files beside the notebook.]")
MISSING_HINT = ("Hint: {name} was not a function when the tests ran: its cell raised an error (a "
                "syntax error, say) or was deleted, or a later cell reassigned the name.")
RETURNED_NONE_HINT = ("Hint: {name} returned None: is its body still the stub, and does every path end "
                      "with `return`?")
_NOT_CALLABLE = re.compile(r"\w+'? object is not callable")  # otter strips the message's outer quotes


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
    reaper.prctl(reaper.PR_SET_DUMPABLE, 0)


def merge_results(results, snapshot: dict[str, bytes], public: dict, hidden: dict, output: str = "") -> None:
    """Replace otter's test files in ``results`` with the snapshot's, public cases scored by ``public``
    and hidden ones by ``hidden`` (each ``{question: [[passed, message], ...]}``, in case order)."""
    rebuilt = {}
    for question in protocol.questions_of(snapshot):
        name = f"{protocol.TESTS}{question}.py"
        test_file = parse_test_file(snapshot[name].decode("utf-8"), name)
        reported = {False: list(public.get(question, [])), True: list(hidden.get(question, []))}
        case_results = []
        for tc in test_file.test_cases:
            queue = reported[bool(tc.hidden)]
            case = queue.pop(0) if queue else None
            # The reports come from processes that ran student code: anything but [bool, str] is not a result.
            if not (isinstance(case, list) and len(case) == 2 and isinstance(case[0], bool) and isinstance(case[1], str)):
                case = [False, isolation.STOPPED.format(why="it did not report this case")]
            passed, message = case
            case_results.append(case_result(tc, bool(passed), str(message)))
        test_file.test_case_results = case_results
        rebuilt[test_file.name] = test_file
    replace_results(results, rebuilt, output or None)  # the kernel's results and failure are not used


class GradingGuard(AbstractOtterPlugin):
    """otter plugin: public and hidden cases graded in sealed processes; the kernel grades nothing."""

    def before_grading(self, config) -> None:
        """Snapshot, delete the hidden files, grade the public cases (cwd: the submission folder)."""
        # Before any student code runs: adopt whatever it leaves running, read the kernel only as data.
        reaper.become_subreaper()
        kernel_channels.close()
        source = Path("..", "source").resolve()
        submission = Path(self.submission_path) if self.submission_path else None
        self.snapshot = protocol.take_snapshot(source, submission)
        self.hidden = HiddenText.from_snapshot(self.snapshot)
        protocol.seal_disk(source, Path.cwd(), self.snapshot)
        _not_dumpable()
        self.public = isolation.Report()
        if self._gradable():
            self.public = isolation.run_role(protocol.public_snapshot(self.snapshot), "public", self._progress())
        reaper.reap()

    def _gradable(self) -> bool:
        return any(n.startswith(protocol.SUBMISSION) for n in self.snapshot)

    def _progress(self) -> str | None:
        # `wganlab grade` names a file outside otter's folder, which otter deletes when a kernel dies.
        return os.environ.get(protocol.PROGRESS_ENV) or (
            str(Path(self.submission_path).parent / protocol.PROGRESS_FILE) if self.submission_path else None)

    def before_execution(self, submission):
        """Add the guard's cells to the notebook (a .py submission runs unchanged)."""
        if isinstance(submission, str):
            return submission
        return guard_notebook(submission, self._progress(), hung=getattr(getattr(self, "public", None), "hung", []))

    def after_grading(self, results) -> None:
        """Grade the hidden cases; merge; withhold public messages that quote hidden text; add hints."""
        snapshot = getattr(self, "snapshot", None)
        reaper.reap()  # what the kernel left running must not see the hidden process's files
        if snapshot and self._gradable():
            hidden = isolation.run_role(snapshot, "hidden", self._progress(), hung=self.public.hung)
            reaper.reap()  # nor outlive it: otter writes results.json after this returns
            merge_results(results, snapshot, self.public, hidden, protocol.faces_note(snapshot))
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

