"""Every use of otter-grader's Python API in wganlab, in one place: an otter upgrade is one change here.

Most of these are otter's internals, not a documented API (a test file's error message, a test
case's call, the kernel's check entry points, the results' catastrophic error, the notebook's
grading mode), so wganlab pins otter to :data:`PINNED` (pyproject.toml's ``otter-grader==7.0.*``)
and this module refuses, at import, an otter of another version. ``tests/test_otter_api.py``
calls each entry point against the installed otter. ``wganlab build`` and ``wganlab grade`` also
run otter's command line (``python -m otter assign|run``), which is its public interface.

Imported by the student's notebook (:mod:`wganlab.student`) and by the grader; importing it does
not import Keras.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import otter
from otter.check.utils import IPythonInterpreter
from otter.execute import Checker
from otter.plugins import AbstractOtterPlugin
from otter.test_files import ExceptionTestFile, GradingResults
from otter.test_files.abstract_test import TestCaseResult
from otter.test_files.exception_test import test_case as _CaseBody  # a case's body: call_func runs it

PINNED = "7.0"  # major.minor; pyproject.toml pins otter-grader==7.0.* (tests/test_otter_api.py checks both agree)


class OtterVersionError(ImportError):
    """The installed otter-grader is not the version wganlab's use of its internals was written for."""


def check_version(version: str) -> None:
    """Raise :class:`OtterVersionError` unless ``version`` (e.g. '7.0.0') is a release of :data:`PINNED`."""
    if version.split(".")[:2] != PINNED.split("."):
        raise OtterVersionError(
            f"wganlab needs otter-grader {PINNED}.x, found {version}: install it with "
            f"`pip install 'otter-grader=={PINNED}.*'` (wganlab uses otter internals that change between releases)")


check_version(otter.__version__)

__all__ = ["PINNED", "OtterVersionError", "check_version", "AbstractOtterPlugin", "GradingResults", "Notebook",
           "grading_mode", "on_colab", "disable_checks", "read_test_file", "parse_test_file", "call_case",
           "error_message", "case_result", "replace_results", "read_kernel_with"]

Notebook = otter.Notebook  # the grader a student's notebook holds (wganlab.student.start)


def grading_mode() -> bool:
    """True while otter's autograder runs the notebook (the student's export cell then does nothing)."""
    return bool(otter.Notebook._grading_mode)


def on_colab() -> bool:
    """True when otter takes the running IPython for Google Colab's (its own test of the shell)."""
    return bool(IPythonInterpreter.COLAB.value.running())


def disable_checks(replacement: Callable[..., Any]) -> None:
    """Make ``grader.check`` (``Notebook.check``) and otter's kernel-side ``Checker.check`` call ``replacement``.

    These are the two entry points otter's code in a grading kernel calls (otter/check/notebook.py,
    otter/execute/checker.py); the guard's kernel grades nothing.
    """
    otter.Notebook.check = replacement
    Checker.check = classmethod(replacement)


def read_test_file(path: str | Path) -> ExceptionTestFile:
    """The otter exception test file at ``path``; ``.test_cases`` holds its cases (``.hidden``, ``.points``)."""
    return ExceptionTestFile.from_file(str(path))


def parse_test_file(source: str, path: str) -> ExceptionTestFile:
    """An otter exception test file from its ``source``; ``path`` names it (its stem is the question)."""
    return ExceptionTestFile.from_string(source, path=path)


def call_case(case, env: dict) -> None:
    """Run one test case of a test file on the notebook's namespace ``env``; a failure raises."""
    case.body.call_func(env)


def error_message(test_file: ExceptionTestFile, exc: BaseException) -> str:
    """otter's message for ``exc`` raised by a case of ``test_file``: the test line that failed and the error."""
    # otter reads the failing line two traceback entries below the frame that caught the
    # exception (its own run() calls call_func directly); find that frame wherever it was caught.
    original = tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and tb.tb_next.tb_frame.f_code is not _CaseBody.call_func.__code__:
        tb = tb.tb_next
    try:
        return test_file._generate_error_message(exc.with_traceback(tb if tb is not None and tb.tb_next else original))
    finally:
        exc.with_traceback(original)


def case_result(case, passed: bool, message: str) -> TestCaseResult:
    """otter's record of one case's result, as its results JSON writes it."""
    return TestCaseResult(test_case=case, passed=passed, message=message)


def replace_results(results: GradingResults, test_files: dict[str, ExceptionTestFile], output: str | None) -> None:
    """Make ``results`` hold exactly ``test_files`` (with their ``test_case_results`` set) and top-level ``output``.

    The kernel's own failure, if any, is dropped with its results: none of them are used.
    """
    results.results = test_files
    results._catastrophic_error = None
    results.set_output(output)


def read_kernel_with(log_record: Callable[[Any, bytes], dict], results_file: Any) -> None:
    """Make this (grader) process read the kernel's log records with ``log_record(handler, data)`` and its results file with ``results_file.load(f)``.

    otter's grader unpickles both (``LogRecordStreamHandler.unpickle`` in otter/execute/logging.py;
    ``pickle.load`` in ``grade_notebook``, otter/execute/__init__.py): see
    :mod:`wganlab.course.kernel_channels` for why the guard replaces them.
    """
    import otter.execute as execute
    from otter.execute import logging as execute_logging

    execute_logging.LogRecordStreamHandler.unpickle = log_record
    execute.pickle = results_file
