"""An otter plugin that keeps grading honest against what students submit.

otter runs the submission and the tests in one notebook kernel, with the hidden test files, the
check module and the expected values beside the student's code. :class:`GradingGuard` (listed in
every autograder zip's ``otter_config.json`` by ``wganlab build``) hooks three of otter's plugin
events:

- ``before_grading`` (the grader's process, before any student code runs): snapshot, in memory,
  the submission file, the autograder's ``files/`` (check module, expected values) and
  ``tests/``, the Keras config and the digit classifier's cache; derive the hidden text (hidden
  test cases, ``files/*.py`` and ``files/*.json``) from the snapshot;
- ``before_execution``: add cells to the notebook that (1) turn ``exit()``/``quit()`` into an
  error instead of a dead kernel, (2) restore ``numpy``, ``math``, ``random`` and ``keras``
  functions a submission may have monkeypatched before every question is checked, and re-import
  the check module from its file, (3) write which cell or question is running to a progress file,
  so that a grader which stops a submission at its time limit can say where it was;
- ``after_grading`` (the grader's process again): grade again, for the record, in ONE fresh
  Python process (:mod:`wganlab.course.isolation`) that loads only the snapshot's definitions and
  runs every test case on them with the snapshot's check module; its pass/fail and messages
  replace the kernel's, so no change a notebook cell made in the kernel (to wganlab, keras,
  numpy, the check module...) reaches a score. The expensive convergence checks only train
  there: in the kernel they fail at once, so a zip without this plugin scores them 0. Then any
  message a student will see (the public test cases' messages, shown under "Public Tests") that
  quotes the hidden text is withheld, and what the isolated checks report as information (what
  04's convergence question trained on) becomes the results' top-level ``output``.

What this does not do: a submission runs arbitrary Python in the grading kernel, so a student set
on cheating can still read the hidden files and smuggle their content out in encoded form, or
rewrite files on disk that the isolated process later reads (the installed wganlab, keras or
numpy, a ``.pth`` file, a data cache created after the snapshot), or leave a process running that
does so; and a graded function's own body runs in the isolated process, so a function that patches
a module when called is not stopped. Like any notebook autograder, this relies on the course's
academic-integrity rules for that. The guard stops the accidents and the casual tampering: a
function that prints or raises with the test source, a global reseed or monkeypatch in a cell, an
``exit()``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
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
        for name in [n for n in sys.modules if n == "wganlab_checks" or n.startswith("wganlab_checks.")]:
            del sys.modules[name]  # the tests import the check package again, from its files

    # The one write into otter's internals (no plugin event runs in the kernel before each
    # question): tested with otter-grader 7.0.x, which pyproject.toml pins; tests/test_guard.py
    # checks that it marks progress and restores patches.
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
    def from_snapshot(cls, snapshot: dict[str, bytes]) -> "HiddenText":
        """From :func:`take_snapshot`'s files: hidden cases of ``tests/*.py`` and ``files/**/*.{py,json,txt,csv}``."""
        hidden, public = [], []
        for name, data in sorted(snapshot.items()):
            text = data.decode("utf-8", errors="replace")
            if name.startswith("tests/") and name.endswith(".py"):
                h, p = split_test_file(text)
                hidden.append(h)
                public.append(p)
            elif name.startswith("files/") and Path(name).suffix in (".py", ".json", ".txt", ".csv"):
                hidden.append(text)
        return cls(hidden, public)

    @classmethod
    def from_source(cls, source: Path) -> "HiddenText":
        """Read an unpacked autograder zip: ``source/tests/*.py`` and ``source/files/**/*.{py,json,txt,csv}``."""
        return cls.from_snapshot({**_read_tree(source / "files", "files"), **_read_tree(source / "tests", "tests")})

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


ISOLATION_FAILED = ("❌ Test case failed\nThe isolated grading process stopped before this case could be "
                    "checked ({why}); no points are given for it. A graded function that ends the process "
                    "(os._exit, a crash) or runs out of memory does this.")
CLASSIFIER_FILES = ("digit_classifier_v1.weights.h5", "digit_classifier_v1.json")


def _read_tree(folder: Path, prefix: str) -> dict[str, bytes]:
    """``{prefix/relative path: bytes}`` of every file under ``folder`` (empty when it is missing)."""
    if not folder.is_dir():
        return {}
    return {f"{prefix}/{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def take_snapshot(source: Path, submission: Path | None) -> dict[str, bytes]:
    """What the isolated process needs, read before student code runs: relative path -> bytes.

    ``submission.*`` (the notebook or script), ``files/``, ``tests/``, and, where they exist,
    ``keras/keras.json`` (the grader's Keras config) and ``cache/`` (the digit classifier).
    """
    snap = {**_read_tree(source / "files", "files"), **_read_tree(source / "tests", "tests")}
    if submission is not None and Path(submission).is_file():
        snap[f"submission{Path(submission).suffix}"] = Path(submission).read_bytes()
    keras_json = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "keras.json"
    if keras_json.is_file():
        snap["keras/keras.json"] = keras_json.read_bytes()
    cache = Path(os.environ.get("WGANLAB_CACHE") or Path.home() / ".cache" / "wganlab")
    if all((cache / name).is_file() for name in CLASSIFIER_FILES):
        snap.update({f"cache/{name}": (cache / name).read_bytes() for name in CLASSIFIER_FILES})
    return snap


def run_isolated(snapshot: dict[str, bytes], progress: str | None = None) -> tuple[dict, str]:
    """Write ``snapshot`` to a fresh folder and grade it there in a new process: (results, why it failed or '')."""
    from wganlab.course.isolation import TRAIN_ENV

    with tempfile.TemporaryDirectory(prefix="wganlab-isolated-") as tmp:
        root = Path(tmp)
        for name, data in snapshot.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        # The working folder looks like the kernel's: the notebook, tests/ and the files otter copies
        # beside it, so a function that reads files there reads the same. The checks use the snapshot.
        work = root / "work"
        work.mkdir()
        for name, data in snapshot.items():
            if name.startswith(("tests/", "submission")):
                target = work / (name if name.startswith("tests/") else Path(name).name)
            elif name.startswith("files/"):
                target = work / name.removeprefix("files/")
            else:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        env = {**os.environ, TRAIN_ENV: "1", "PYTHONHASHSEED": "0", "KERAS_HOME": str(root / "keras")}
        if "cache/" + CLASSIFIER_FILES[0] in snapshot:
            env["WGANLAB_CACHE"] = str(root / "cache")
        cmd = [sys.executable, "-P", "-m", "wganlab.course.isolation", str(root), str(root / "results.json")]
        if progress:
            cmd += ["--progress", progress]
        log = root / "isolated.log"
        with open(log, "w") as out:  # a submission's prints go here, never into the results
            proc = subprocess.run(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
        results = json.loads((root / "results.json").read_text()) if (root / "results.json").is_file() else {}
        why = ""
        if proc.returncode != 0:
            lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
            why = f"exit status {proc.returncode}" + (f": {lines[-1][-300:]}" if lines else "")
        return results, why


def apply_isolated(results, snapshot: dict[str, bytes], isolated: dict, why: str) -> None:
    """Replace otter's test files in ``results`` with the snapshot's, scored by the isolated process."""
    from otter.test_files import ExceptionTestFile
    from otter.test_files.abstract_test import TestCaseResult

    graded = isolated.get("questions", {})
    rebuilt = {}
    for name in sorted(snapshot):
        if not (name.startswith("tests/") and name.endswith(".py")):
            continue
        question = name.removeprefix("tests/").removesuffix(".py")
        test_file = ExceptionTestFile.from_string(snapshot[name].decode("utf-8"), path=name)
        cases = graded.get(question, [])
        reason = why or "it did not report this question"
        test_file.test_case_results = [
            TestCaseResult(test_case=tc, passed=bool(cases[i][0]), message=str(cases[i][1]))
            if i < len(cases) else TestCaseResult(test_case=tc, passed=False, message=ISOLATION_FAILED.format(why=reason))
            for i, tc in enumerate(test_file.test_cases)]
        rebuilt[test_file.name] = test_file
    results.results = rebuilt
    info = [line for line in isolated.get("info", []) if line]
    if info:
        results.set_output("\n".join(info))


class GradingGuard(AbstractOtterPlugin):
    """otter plugin: scores from an isolated process, no hidden text in visible output, no exit(), progress."""

    def before_grading(self, config) -> None:
        """Snapshot the submission and the autograder before the submission runs (cwd: the submission folder)."""
        source = Path("..", "source").resolve()
        self.snapshot = take_snapshot(source, Path(self.submission_path) if self.submission_path else None)
        self.hidden = HiddenText.from_snapshot(self.snapshot)

    def _progress(self) -> str | None:
        # `wganlab grade` names a file outside otter's folder, which otter deletes when a kernel dies.
        return os.environ.get(PROGRESS_ENV) or (
            str(Path(self.submission_path).parent / PROGRESS_FILE) if self.submission_path else None)

    def before_execution(self, submission):
        """Add the guard's cells to the notebook (a .py submission runs unchanged)."""
        if isinstance(submission, str):
            return submission
        return guard_notebook(submission, self._progress())

    def after_grading(self, results) -> None:
        """Score in the isolated process; withhold public messages that quote hidden text; add hints."""
        snapshot = getattr(self, "snapshot", None)
        if snapshot and results.results and results.catastrophic_error is None and any(n.startswith("submission") for n in snapshot):
            isolated, why = run_isolated(snapshot, self._progress())
            apply_isolated(results, snapshot, isolated, why)
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
