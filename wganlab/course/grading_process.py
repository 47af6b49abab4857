"""One sealed grading process: the notebook's definitions, frozen modules, one role's cases under limits.

Started by :func:`wganlab.course.isolation.run_role` as
``python -P -m wganlab.course.grading_process SNAPSHOT STATE.json --role public|hidden ...``
in a folder that holds the notebook only. It loads only the notebook's definitions
(:func:`wganlab.course.functions.load_namespace`), after freezing every module the checks rely
on (:class:`wganlab.course.freeze.Frozen`), and puts them back after the definitions load and
before every test case. Each question's cases share its limit; a case that runs past it is
interrupted (:class:`QuestionTimeLimit`) and the notebook function that was running is not
called again. The state file is rewritten after every case, so a process that dies still
reports what it finished.
"""

from __future__ import annotations

import argparse
import builtins
import json
import os
import signal
import sys
import time
from pathlib import Path

from wganlab.course import protocol
from wganlab.course.isolation import TIMED_OUT, question_limit


class QuestionTimeLimit(BaseException):
    """Raised in the grading process when a question runs past its limit (BaseException: a bare
    ``except Exception`` in a submission does not swallow it)."""


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


def _notebook_frames(exc: BaseException, notebook: Path) -> list[str]:
    """Names of the notebook's functions on ``exc``'s traceback, outermost first."""
    names, tb = [], exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(f"{notebook} (code cell"):
            names.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    return names


def notebook_global_hint(exc: BaseException, notebook: Path, assigned: dict[str, int]) -> str:
    """A message when ``exc`` comes from a notebook function reading a name only the kernel had, else ''."""
    error = _name_error(exc)
    name = getattr(error, "name", None)
    if error is None or name not in assigned:
        return ""
    frames = _notebook_frames(error, notebook)
    return NOTEBOOK_GLOBAL.format(function=frames[-1] if frames else "a graded function", name=name, cell=assigned[name])


def _timer(seconds: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.0))


def _on_alarm(signum, frame):
    raise QuestionTimeLimit()


def _hung_stub(name: str, question: str | None = None, limit: float | None = None):
    where = f"question {question} ({limit:g} s)" if question else "a question"
    def stub(*args, **kwargs):
        raise TimeoutError(f"`{name}` ran past the time limit of {where} earlier in this grading, so it "
                           "is not called again")
    return stub


def run_test_file(path: Path, env: dict, notebook: Path, assigned: dict[str, int], role: str,
                  limit: float, frozen, report, hung: list[str]) -> list[list]:
    """[passed, message] of each case ``role`` runs in one otter exception test file, as otter words them.

    ``frozen.restore()`` runs before every case; the cases share ``limit`` seconds, past which the
    running case and the rest fail with :data:`TIMED_OUT`, and the notebook function that was
    running is replaced in ``env`` by one that fails at once (later questions that call it lose
    their points without waiting again).
    """
    from wganlab import otter_api

    test_file = otter_api.read_test_file(path)
    cases = [tc for tc in test_file.test_cases if tc.hidden == (role == "hidden")]
    out: list[list] = []
    deadline = time.monotonic() + limit
    for tc in cases:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            out.append([False, TIMED_OUT.format(question=path.stem, limit=limit, where="")])
            report(out)
            continue
        frozen.restore()  # what a previous case's calls patched does not reach this one
        _seed_globals()
        try:
            _timer(remaining)
            try:
                otter_api.call_case(tc, env)
            finally:
                _timer(0)
            out.append([True, "✅ Test case passed"])
        except QuestionTimeLimit as exc:
            frames = _notebook_frames(exc, notebook)
            # The innermost notebook function is the one that loops: it, not its callers, is not called again.
            if frames and callable(env.get(frames[-1])):
                env[frames[-1]] = _hung_stub(frames[-1], path.stem, limit)
                hung.append(frames[-1])
            where = f" (in `{frames[-1]}`)" if frames else ""
            out.append([False, TIMED_OUT.format(question=path.stem, limit=limit, where=where)])
            deadline = time.monotonic()  # the rest of this question's cases fail at once
        except Exception as exc:  # noqa: BLE001 - a failing case is a result, not an error
            message = "❌ Test case failed\n" + otter_api.error_message(test_file, exc)
            hint = notebook_global_hint(exc, notebook, assigned)
            out.append([False, message + ("\n" + hint if hint else "")])
        report(out)
    return out


def _seed_globals(seed: int = 0) -> None:
    """Seed this process's global generators (Python, numpy, the backend's) before each case.

    The library never reseeds them (its models and samplers take local seeds), but a submission
    may draw without a seed, e.g. ``tf.random.uniform(shape)``; this process belongs to the grader
    alone, so seeding it here makes such a submission grade the same on every run.
    """
    import keras

    keras.utils.set_random_seed(seed)


def _write(state: dict, path: Path) -> None:
    from wganlab.files import atomic_write

    text = json.dumps(state, ensure_ascii=False)
    atomic_write(path, lambda tmp: tmp.write_text(text))


def _import_what_the_checks_use(role: str) -> None:
    """Import, before the notebook's definitions run, every module the checks may call, so that
    :class:`Frozen` records them (a module first imported by the notebook is not frozen)."""
    import importlib

    names = ["numpy", "numpy.testing", "scipy.stats", "keras", "wganlab.otter_api", "wganlab.autodiff",
             "wganlab.metrics", "wganlab.models", "wganlab.train", "wganlab.data", "wganlab.estimator",
             "wganlab.gp_step", "wganlab.classifier", "wganlab.course.convergence", "wganlab.course.loss_checks"]
    if role == "hidden":
        names.append(protocol.CHECKS_PACKAGE)
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            continue


def grade_snapshot(snapshot: Path, state_path: Path, role: str = "hidden", questions: list[str] | None = None,
                   limits: dict[str, float] | None = None, hung: list[str] = ()) -> dict:
    """Run ``role``'s cases of ``snapshot/tests/*.py`` (or of ``questions``) on the snapshot's definitions."""
    from wganlab.course.freeze import Frozen
    from wganlab.course.functions import load_namespace, notebook_globals

    builtins.exit = builtins.quit = sys.exit = _no_exit
    if role == "hidden":
        sys.path.insert(0, str(snapshot / protocol.FILES))
    signal.signal(signal.SIGALRM, _on_alarm)
    _import_what_the_checks_use(role)
    notebook = next(p for p in sorted(snapshot.iterdir()) if p.stem == protocol.SUBMISSION)
    frozen = Frozen()
    state: dict = {"questions": {}, "current": None, "hung": list(hung)}
    tests = sorted((snapshot / protocol.TESTS).glob("*.py"))
    if questions is not None:
        tests = [t for t in tests if t.stem in questions]
    namespace = load_namespace(notebook, lenient=True)  # decorators, defaults, class bodies run here
    frozen.restore()
    for name in hung:
        if callable(namespace.get(name)):
            namespace[name] = _hung_stub(name)
    assigned = {k: v for k, v in notebook_globals(notebook).items() if k not in namespace}
    for test in tests:
        state["current"] = test.stem
        state["questions"][test.stem] = []
        _write(state, state_path)

        def report(cases, question=test.stem):
            state["questions"][question] = list(cases)
            _write(state, state_path)

        run_test_file(test, namespace, notebook, assigned, role, (limits or {}).get(test.stem, question_limit(test.stem)),
                      frozen, report, state["hung"])
    frozen.restore()
    state["finished"] = True
    _write(state, state_path)
    return state


def main(argv: list[str] | None = None) -> int:
    """Command line of a grading process (the guard plugin starts it)."""
    parser = argparse.ArgumentParser(prog=f"python -m {protocol.PROCESS_MODULE}", description=__doc__.split("\n")[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("state", type=Path)
    parser.add_argument("--role", choices=protocol.ROLES, default="hidden")
    parser.add_argument("--questions", default=None, help="comma-separated; default: every test file")
    parser.add_argument("--limits", default="{}", help="JSON {question: seconds}")
    parser.add_argument("--hung", default="", help="comma-separated notebook functions not to call again")
    args = parser.parse_args(argv)
    questions = args.questions.split(",") if args.questions else None
    grade_snapshot(args.snapshot, args.state, args.role, questions, json.loads(args.limits),
                   [n for n in args.hung.split(",") if n])
    return 0


if __name__ == "__main__":
    # os._exit, not sys.exit (grade_snapshot replaced it) nor a return through the interpreter's
    # shutdown, where a submission's atexit hook or thread could still run and rewrite the state.
    status = main()
    sys.stdout.flush()
    os._exit(status)
