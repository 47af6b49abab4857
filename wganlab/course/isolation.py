"""Grade a submission's functions in a fresh process that none of its notebook cells ran in.

The grading kernel runs every cell of a submission, so a cell can replace anything a check relies
on (``wganlab.metrics.wasserstein1``, ``keras.layers.Dense.call``, numpy, the check module). The
guard plugin (:mod:`wganlab.course.guard`) therefore snapshots the submission and the autograder's
``files/`` and ``tests/`` before any student code runs, and after the kernel is done runs::

    python -P -m wganlab.course.isolation SNAPSHOT RESULTS.json [--progress FILE]

``SNAPSHOT`` holds ``submission.ipynb`` (or ``.py``), ``files/`` and ``tests/``. This process
loads only the notebook's definitions (imports, functions, classes, constants: see
:func:`wganlab.course.functions.load_namespace`), runs every test file's cases (public and
hidden) on them with the snapshot's check module, and writes ``{question: [[passed, message],
...]}`` after each question, so a process that dies mid-way still reports what it finished.
The plugin then overwrites otter's results with these. ``-P`` keeps the working folder (where a
submission could have written a ``numpy.py``) off ``sys.path``.
"""

from __future__ import annotations

import argparse
import builtins
import json
import os
import sys
from pathlib import Path

TRAIN_ENV = "WGANLAB_RUN_CONVERGENCE"  # the check module trains only where this is "1"
NOTEBOOK_GLOBAL = ("Hint: `{function}` uses `{name}`, which your notebook defines outside a function, import, "
                   "class or constant (code cell {cell}). Graded functions can only use what they define "
                   "themselves, imports, other functions and classes, and constants such as `EPS = 1e-12`: "
                   "move `{name}` into the function or make it a constant.")


def _no_exit(*args, **kwargs):
    raise RuntimeError("exit() and quit() are disabled while grading")


def _name_error(exc: BaseException) -> NameError | None:
    """The NameError behind ``exc`` (itself, its cause or its context), if any."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, NameError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def notebook_global_hint(exc: BaseException, notebook: Path, assigned: dict[str, int]) -> str:
    """A message when ``exc`` comes from a notebook function reading a name only the kernel had, else ''."""
    error = _name_error(exc)
    name = getattr(error, "name", None)
    if error is None or name not in assigned:
        return ""
    function, tb = None, error.__traceback__
    while tb is not None:  # the innermost frame that runs the notebook's code
        if tb.tb_frame.f_code.co_filename.startswith(f"{notebook} (code cell"):
            function = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    return NOTEBOOK_GLOBAL.format(function=function or "a graded function", name=name, cell=assigned[name])


def run_test_file(path: Path, env: dict, notebook: Path, assigned: dict[str, int]) -> list[tuple[bool, str]]:
    """(passed, message) of each test case of one otter exception test file, as otter words them."""
    from otter.test_files import ExceptionTestFile

    test_file = ExceptionTestFile.from_file(str(path))
    out = []
    for tc in test_file.test_cases:
        try:
            tc.body.call_func(env)  # the same call depth as otter's run(): its line numbers stay right
            out.append((True, "✅ Test case passed"))
        except Exception as exc:  # noqa: BLE001 - a failing case is a result, not an error
            message = "❌ Test case failed\n" + test_file._generate_error_message(exc)
            hint = notebook_global_hint(exc, notebook, assigned)
            out.append((False, message + ("\n" + hint if hint else "")))
    return out


# What the checks rely on, imported before the notebook's definitions run. Class bodies, decorators
# and default arguments run at definition time and could patch these; restore() undoes that.
GUARDED_MODULES = ("builtins", "math", "random", "numpy", "numpy.random", "numpy.linalg", "numpy.testing",
                   "scipy.stats", "keras", "keras.ops", "keras.layers", "keras.models", "keras.random",
                   "keras.utils", "wganlab", "wganlab.autodiff", "wganlab.data", "wganlab.estimator",
                   "wganlab.metrics", "wganlab.models", "wganlab.train", "wganlab.course.convergence",
                   "wganlab_checks")


class Frozen:
    """The attributes of :data:`GUARDED_MODULES` and of the classes they hold, to put back after the notebook loads."""

    def __init__(self):
        import importlib

        self.saved = []
        modules = []
        for name in GUARDED_MODULES:
            try:
                modules.append(importlib.import_module(name))
            except ImportError:
                continue
        modules += [sys.modules[n] for n in sorted(sys.modules) if n.startswith("wganlab_checks.")]  # its parts
        for module in modules:
            self.saved.append((module, dict(vars(module))))
            for value in list(vars(module).values()):
                if isinstance(value, type) and (value.__module__ or "").split(".")[0] in (
                        "keras", "numpy", "wganlab", "wganlab_checks"):
                    self.saved.append((value, dict(vars(value))))

    def restore(self) -> list[str]:
        """Put back every attribute that changed or vanished; return their names."""
        changed = []
        for owner, attrs in self.saved:
            current = vars(owner)
            for key, value in attrs.items():
                if current.get(key, _MISSING) is not value:
                    setattr(owner, key, value)
                    changed.append(f"{getattr(owner, '__name__', owner)}.{key}")
        return changed


_MISSING = object()


def _seed_globals(seed: int = 0) -> None:
    """Seed this process's global generators (Python, numpy, the backend's) before each question.

    The library never reseeds them (its models and samplers take local seeds), but a submission
    may draw without a seed, e.g. ``tf.random.uniform(shape)``; this process belongs to the grader
    alone, so seeding it here makes such a submission grade the same on every run.
    """
    import keras

    keras.utils.set_random_seed(seed)


def _write(results: dict, path: Path) -> None:
    from wganlab.files import atomic_write

    text = json.dumps(results, ensure_ascii=False)
    atomic_write(path, lambda tmp: tmp.write_text(text))


def grade_snapshot(snapshot: Path, results_path: Path, progress: Path | None = None) -> dict:
    """Run every ``snapshot/tests/*.py`` on the definitions of the snapshot's submission; see the module doc."""
    from wganlab.course.functions import load_namespace, notebook_globals

    os.environ[TRAIN_ENV] = "1"
    builtins.exit = builtins.quit = sys.exit = _no_exit
    sys.path.insert(0, str(snapshot / "files"))
    notebook = next(p for p in sorted(snapshot.iterdir()) if p.stem == "submission")
    frozen = Frozen()
    namespace = load_namespace(notebook, lenient=True)
    frozen.restore()
    assigned = {k: v for k, v in notebook_globals(notebook).items() if k not in namespace}
    results: dict[str, list] = {}
    for test in sorted((snapshot / "tests").glob("*.py")):
        if progress is not None:
            progress.write_text(f"checking question {test.stem} (isolated process)")
        frozen.restore()  # what one question's calls patched does not reach the next
        _seed_globals()
        results[test.stem] = run_test_file(test, namespace, notebook, assigned)
        _write({"questions": results, "info": []}, results_path)
    checks = sys.modules.get("wganlab_checks")
    info = [str(line) for line in getattr(checks, "INFO", [])]  # e.g. what a convergence question trained on
    _write({"questions": results, "info": info}, results_path)
    return {"questions": results, "info": info}


def main(argv: list[str] | None = None) -> int:
    """Command line of the isolated process (the guard plugin starts it)."""
    parser = argparse.ArgumentParser(prog="python -m wganlab.course.isolation", description=__doc__.split("\n")[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("results", type=Path)
    parser.add_argument("--progress", type=Path, default=None)
    args = parser.parse_args(argv)
    grade_snapshot(args.snapshot, args.results, args.progress)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())  # not sys.exit: grade_snapshot replaced it
