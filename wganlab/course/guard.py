"""An otter plugin that keeps grading honest against what students submit.

otter runs the submission and the tests in one notebook kernel, with the hidden test files, the
check module and the expected values beside the student's code. :class:`GradingGuard` (listed in
every autograder zip's ``otter_config.json`` by ``wganlab build``) hooks three of otter's plugin
events:

- ``before_grading`` (the grader's process, before any student code runs): snapshot the hidden
  text: hidden test cases, ``files/*.py`` and ``files/*.json``;
- ``before_execution``: add cells to the notebook that (1) turn ``exit()``/``quit()`` into an
  error instead of a dead kernel, (2) restore ``numpy``, ``math``, ``random`` and ``keras``
  functions a submission may have monkeypatched before every question is checked, and re-import
  the check module from its file, (3) write which cell or question is running to a progress file,
  so that a grader which stops a submission at its time limit can say where it was;
- ``after_grading`` (the grader's process again): any message a student will see (the public
  test cases' messages, shown under "Public Tests") that quotes the hidden text is withheld.

What this does not do: a submission runs arbitrary Python in the grading kernel, so a student set
on cheating can still read the hidden files and smuggle their content out in encoded form, or
tamper with the kernel's copy of otter; like any notebook autograder, this relies on the course's
academic-integrity rules for that. The guard stops the accidents and the casual peeks: a function
that prints or raises with the test source, a global reseed or monkeypatch, an ``exit()``.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import nbformat
from otter.plugins import AbstractOtterPlugin

PROGRESS_FILE = ".wganlab_progress"
PROGRESS_ENV = "WGANLAB_PROGRESS_FILE"
SHINGLE = 8  # consecutive word tokens: long enough that a student's own text never matches by chance
WITHHELD = ("[message withheld: it quotes the autograder's hidden tests or expected values. "
            "Make your functions return values instead of reading files beside the notebook.]")
MISSING_HINT = ("Hint: {name} was not a function when the tests ran: its cell raised an error (a "
                "syntax error, say) or was deleted, or a later cell reassigned the name.")
RETURNED_NONE_HINT = ("Hint: {name} returned None: is its body still the stub, and does every path end "
                      "with `return`?")
_NOT_CALLABLE = re.compile(r"\w+'? object is not callable")  # otter strips the message's outer quotes

_ESCAPES = re.compile(r"\\[ntr'\"\\]")
_TOKEN = re.compile(r"\w+")
_LONG_NUMBER = re.compile(r"\d{10,}")

# Runs first in the grading kernel, before the submission's cells (otter's own init cell aside).
_SETUP_CELL = '''\
def __wganlab_guard_setup(progress_file):
    import builtins, math, random, sys
    import numpy
    import keras
    from otter.execute import Checker

    modules = [builtins, math, random, numpy, numpy.random, numpy.linalg, keras, keras.ops,
               keras.random, keras.utils]
    saved = [(m, dict(vars(m))) for m in modules]

    def mark(text):
        if progress_file:
            with open(progress_file, "w") as f:
                f.write(text)

    def restore():
        for module, attrs in saved:
            for key, value in attrs.items():
                if getattr(module, key, None) is not value:
                    setattr(module, key, value)
        sys.modules.pop("wganlab_checks", None)  # the tests import it again, from its file

    check = Checker.check.__func__

    def guarded_check(cls, test_path, *args, **kwargs):
        mark("checking question " + str(test_path).rsplit("/", 1)[-1].removesuffix(".py"))
        restore()
        return check(cls, test_path, *args, **kwargs)

    Checker.check = classmethod(guarded_check)

    def no_exit(*args, **kwargs):
        raise RuntimeError("exit() and quit() are disabled while grading; the cells after this one still run")

    return mark, no_exit


__wganlab_mark, exit = __wganlab_guard_setup({progress!r})
quit = exit
del __wganlab_guard_setup
'''


def _normalise(text: str) -> list[str]:
    """Word tokens of ``text``, with backslash escapes (as repr() writes them) read as spaces."""
    return _TOKEN.findall(_ESCAPES.sub(" ", text))


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = _normalise(text)
    return {tuple(tokens[i:i + SHINGLE]) for i in range(max(0, len(tokens) - SHINGLE + 1))}


def split_test_file(source: str) -> tuple[str, str]:
    """(hidden, public) text of one otter exception test file: hidden cases against the rest."""
    hidden, public = [], []
    tree = ast.parse(source)
    for node in tree.body:
        segment = ast.get_source_segment(source, node, padded=False) or ""
        decorators = "".join(ast.get_source_segment(source, d) or "" for d in getattr(node, "decorator_list", []))
        if isinstance(node, ast.FunctionDef) and re.search(r"hidden\s*=\s*True", decorators):
            hidden.append(segment)
        else:
            public.append(decorators + "\n" + segment)
    return "\n".join(hidden), "\n".join(public)


class HiddenText:
    """What of the autograder a student must not see, as token shingles and long digit strings."""

    def __init__(self, hidden: list[str], public: list[str]):
        shingles = set().union(*(_shingles(t) for t in hidden)) if hidden else set()
        self.shingles = shingles - (set().union(*(_shingles(t) for t in public)) if public else set())
        numbers = {n for t in hidden for n in _LONG_NUMBER.findall(t)}
        self.numbers = numbers - {n for t in public for n in _LONG_NUMBER.findall(t)}

    @classmethod
    def from_source(cls, source: Path) -> "HiddenText":
        """Read an unpacked autograder zip: ``source/tests/*.py`` and ``source/files/*.{py,json}``."""
        hidden, public = [], []
        for path in sorted((source / "tests").glob("*.py")):
            h, p = split_test_file(path.read_text(encoding="utf-8"))
            hidden.append(h)
            public.append(p)
        for path in sorted((source / "files").glob("*")):
            if path.suffix in (".py", ".json", ".txt", ".csv"):
                hidden.append(path.read_text(encoding="utf-8", errors="replace"))
        return cls(hidden, public)

    def quoted_in(self, message: str) -> bool:
        """True when ``message`` contains a run of hidden text or a hidden long number."""
        if any(n in self.numbers for n in _LONG_NUMBER.findall(message)):
            return True
        tokens = _normalise(message)
        return any(tuple(tokens[i:i + SHINGLE]) in self.shingles for i in range(len(tokens) - SHINGLE + 1))


def progress_cell(index: int, total: int, source: str) -> nbformat.NotebookNode:
    """A cell that records 'code cell K of N: <first line>' in the progress file before that cell runs."""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")[:60]
    return nbformat.v4.new_code_cell(f"__wganlab_mark({f'code cell {index} of {total}: {first}'!r})")


def guard_notebook(nb: nbformat.NotebookNode, progress: str | None) -> nbformat.NotebookNode:
    """The submission with the setup cell first and a progress cell before each code cell."""
    # Separate cells, not a line prepended to the student's: line numbers in their tracebacks stay
    # theirs, and a cell magic (%%time) stays its cell's first line.
    total, index = sum(cell.cell_type == "code" for cell in nb.cells), 0
    cells = [nbformat.v4.new_code_cell(_SETUP_CELL.format(progress=progress))]
    for cell in nb.cells:
        if cell.cell_type == "code":
            index += 1
            cells.append(progress_cell(index, total, cell.source))
        cells.append(cell)
    nb.cells = cells
    return nb


def _function_of(question: str) -> str:
    """The student function a question grades, or a description for multi-function questions."""
    from wganlab.course.functions import ASSIGNMENTS

    if any(question in functions for functions in ASSIGNMENTS.values()):
        return f"`{question}`"
    return "one of the functions this question uses"


class GradingGuard(AbstractOtterPlugin):
    """otter plugin: no hidden text in visible output, no exit(), no monkeypatches, progress."""

    def before_grading(self, config) -> None:
        """Snapshot the hidden text before the submission runs (cwd: the submission folder)."""
        source = Path("..", "source").resolve()
        self.hidden = HiddenText.from_source(source) if (source / "tests").is_dir() else HiddenText([], [])

    def before_execution(self, submission):
        """Add the guard's cells to the notebook (a .py submission runs unchanged)."""
        if isinstance(submission, str):
            return submission
        # `wganlab grade` names a file outside otter's folder, which otter deletes when a kernel dies.
        progress = os.environ.get(PROGRESS_ENV) or (
            str(Path(self.submission_path).parent / PROGRESS_FILE) if self.submission_path else None)
        return guard_notebook(submission, progress)

    def after_grading(self, results) -> None:
        """Withhold every public message that quotes hidden text; name undefined functions."""
        hidden = getattr(self, "hidden", None)
        for name, test_file in results.results.items():
            for result in getattr(test_file, "test_case_results", []):
                if result.passed or not result.message:
                    continue
                if result.test_case.hidden:
                    continue  # never shown to students unless the instructor chooses to show them
                if hidden is not None and hidden.quoted_in(result.message):
                    result.message = "❌ Test case failed\n" + WITHHELD
                elif _NOT_CALLABLE.search(result.message):
                    result.message += "\n" + MISSING_HINT.format(name=_function_of(name))
                elif "NoneType" in result.message:
                    result.message += "\n" + RETURNED_NONE_HINT.format(name=_function_of(name))
