"""Run an autograder zip's test files on a namespace of functions, without a notebook.

Grading a submission with ``otter run`` costs seconds (a kernel, TensorFlow's import); running
the same test files directly on functions costs milliseconds, so the many wrong and alternative
implementations are graded this way, and full ``otter run`` is kept for a few per assignment.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from otter.test_files import ExceptionTestFile


def forget_checks() -> None:
    """Drop the imported check package and its parts: each zip ships its own expected values."""
    for name in [n for n in sys.modules if n == "wganlab_checks" or n.startswith("wganlab_checks.")]:
        del sys.modules[name]


@contextmanager
def open_question(folder: Path, question: str) -> Iterator[ExceptionTestFile]:
    """``question``'s test file from an unpacked zip, with that zip's ``files/`` (its checks) importable."""
    files = str(folder / "files")
    sys.path.insert(0, files)
    forget_checks()
    try:
        yield ExceptionTestFile.from_file(str(folder / "tests" / f"{question}.py"))
    finally:
        sys.path.remove(files)  # also when a test raises: the next zip's checks must not shadow


def run_question(folder: Path, question: str, env: dict) -> tuple[float, float, list[str]]:
    """Score, maximum and failure messages of one question's test file on ``env``."""
    with open_question(folder, question) as test_file:
        test_file.run(env)
    score = sum(r.test_case.points for r in test_file.test_case_results if r.passed)
    maximum = sum(tc.points for tc in test_file.test_cases)
    failures = [r.message for r in test_file.test_case_results if not r.passed]
    return score, maximum, failures
