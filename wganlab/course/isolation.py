"""The sealed grading protocol: the snapshot, the two grading processes, their limits and their names.

otter runs a submission in a notebook kernel beside the autograder's files, so a notebook cell
can read the hidden tests or replace anything a check relies on. The guard plugin
(:mod:`wganlab.course.guard`) therefore grades nothing in that kernel. Before any student code
runs it takes a :func:`take_snapshot` (the submission, the zip's ``files/`` and ``tests/``) into
memory and deletes the hidden material from disk (:func:`seal_disk`); then it grades in two fresh
processes, each running::

    python -P -m wganlab.course.isolation ROOT STATE.json --role public|hidden --questions Q1,Q2 [--hung F]

- the **public** process, before the kernel starts, in a folder holding only the notebook and
  the public test cases (:func:`public_test_source`): no check module, no expected value, no
  hidden case was ever in its memory or on a path it can read. Only its messages reach what a
  student sees (the "Public Tests" box);
- the **hidden** process, after the kernel, with the whole snapshot: it runs only the hidden
  cases, and its messages go only into the per-question entries, which students do not see
  (otter's ``show_hidden`` off).

Each loads only the notebook's definitions (:func:`wganlab.course.functions.load_namespace`),
after freezing every module the checks rely on (:class:`wganlab.course.freeze.Frozen`), and puts
them back after the definitions load and before every test case. Each question runs under its
own limit (:func:`question_limit`): the process interrupts a case that runs past it, and the
parent kills a process that does not stop and starts a fresh one for the remaining questions,
so a function that never returns costs the questions that call it and no others. The state file
is rewritten after every case, so a process that dies still reports what it finished.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRAIN_ENV = "WGANLAB_RUN_CONVERGENCE"  # the check module trains only where this is "1"
FACES_ENV = "WGANLAB_CELEBA"  # a 32x32 faces cache on the grading machine (04's convergence question)
FACES_CACHE = "celeba_gray32.npz"  # or one shipped in the zip's files/ (wganlab build 04 --celeba)
CLASSIFIER_FILES = ("digit_classifier_v1.weights.h5", "digit_classifier_v1.json")
ROLES = ("public", "hidden")

# Seconds per question, for all its cases together. Cheap checks take a few seconds (5-20 s on
# 2 cores under load, NOTES.md); the convergence questions train: the slowest sweep runs
# (docs/sweeps/*_tf_cpu.jsonl, 2 cores under load) took 71 s (mnist_wgan, 03), 76 s (gp_own_step,
# 04) and 16 s per critic (estimator, 02): about 3x that, for half a CPU.
DEFAULT_LIMIT = 90.0
LIMITS = {"wgan_convergence": 240.0, "wgan_gp_convergence": 240.0, "estimator": 180.0}
STARTUP_LIMIT = 240.0  # Python, TensorFlow and the notebook's definitions, before the first question
GRACE = 20.0  # after a question's limit, how long the process has to stop by itself before it is killed

NOTEBOOK_GLOBAL = ("Hint: `{function}` uses `{name}`, which your notebook defines outside a function, import, "
                   "class or constant (code cell {cell}). Graded functions can only use what they define "
                   "themselves, imports, other functions and classes, and constants such as `EPS = 1e-12`: "
                   "move `{name}` into the function or make it a constant.")
TIMED_OUT = ("❌ Test case failed\nQuestion {question} ran past its time limit of {limit:g} s{where}: a function "
             "it calls may never return (an endless loop?). The other questions were graded as usual.")
STOPPED = ("❌ Test case failed\nThe grading process stopped before this case could be checked ({why}); no "
           "points are given for it. A graded function that ends the process (os._exit, a crash) or runs out "
           "of memory does this.")


def question_limit(question: str) -> float:
    """Seconds question ``question`` may take in one grading process (all its cases)."""
    return LIMITS.get(question, DEFAULT_LIMIT)


# ---------------------------------------------------------------------------------------------
# The snapshot (the grader's side)


def _read_tree(folder: Path, prefix: str) -> dict[str, bytes]:
    """``{prefix/relative path: bytes}`` of every file under ``folder`` (empty when it is missing)."""
    if not folder.is_dir():
        return {}
    return {f"{prefix}/{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def take_snapshot(source: Path, submission: Path | None) -> dict[str, bytes]:
    """What the grading processes need, read before student code runs: relative path -> bytes.

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


def _is_hidden_case(node: ast.stmt) -> bool:
    """True for an otter exception test case decorated ``@test_case(..., hidden=True)``."""
    if not isinstance(node, ast.FunctionDef):
        return False
    for decorator in node.decorator_list:
        for keyword in getattr(decorator, "keywords", []):
            if keyword.arg == "hidden" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True:
                return True
    return False


def public_test_source(source: str) -> str:
    """One otter exception test file with its hidden cases cut out (decorators included): what the public process gets."""
    lines = source.splitlines(keepends=True)
    drop = set()
    for node in ast.parse(source).body:
        if _is_hidden_case(node):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            drop.update(range(first - 1, node.end_lineno))
    return "".join(line for i, line in enumerate(lines) if i not in drop)


def public_snapshot(snapshot: dict[str, bytes]) -> dict[str, bytes]:
    """The part of ``snapshot`` a student may see: the notebook, public cases, Keras config, classifier cache."""
    out = {}
    for name, data in snapshot.items():
        if name.startswith("tests/") and name.endswith(".py"):
            out[name] = public_test_source(data.decode("utf-8")).encode("utf-8")
        elif name.startswith(("submission", "keras/", "cache/")):
            out[name] = data
    return out


def seal_disk(source: Path, submission_dir: Path, snapshot: dict[str, bytes]) -> list[Path]:
    """Delete the hidden material otter unpacked (``source/files``, ``source/tests`` and their copies
    beside the submission) once it is in the snapshot; return what was deleted.

    otter copies ``source/files/*`` and ``source/tests`` into the submission folder before any
    plugin runs (otter/run/run_autograder/runners/abstract_runner.py, ``prepare_files``), so both
    places go. Nothing in the kernel needs them: it grades nothing (see the guard).
    """
    deleted = []
    targets = [source / "files", source / "tests", submission_dir / "tests"]
    targets += [submission_dir / Path(name).relative_to("files").parts[0] for name in snapshot if name.startswith("files/")]
    for path in dict.fromkeys(targets):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            continue
        deleted.append(path)
    return deleted


def questions_of(snapshot: dict[str, bytes]) -> list[str]:
    """The questions of a snapshot (its ``tests/*.py``), sorted as otter runs them."""
    return sorted(Path(n).stem for n in snapshot if n.startswith("tests/") and n.endswith(".py"))


def faces_note(snapshot: dict[str, bytes], environ: dict | None = None) -> str:
    """What 04's convergence question trains on, decided by the grader from its own inputs ('' for 01-03).

    The same order as the check's ``faces_data()``: ``$WGANLAB_CELEBA``, then the zip's cache, then MNIST.
    """
    if "tests/wgan_gp_convergence.py" not in snapshot:
        return ""
    environ = os.environ if environ is None else environ
    env = environ.get(FACES_ENV, "").strip()
    if env:
        path, source = Path(env).expanduser(), "the grading machine's cache"
        if not path.is_file():
            return f"wgan_gp_convergence: {FACES_ENV}={env} names no file, so the question could not train."
        n = _faces_count(path.read_bytes())
    elif f"files/{FACES_CACHE}" in snapshot:
        n, source = _faces_count(snapshot[f"files/{FACES_CACHE}"]), "the autograder zip"
    else:
        return ("wgan_gp_convergence trained on MNIST digits: this autograder has no CelebA cache (instructors: "
                f"set {FACES_ENV} on the grading machine or `wganlab grade --celeba FILE`). No points depend on which.")
    return f"wgan_gp_convergence trained on {n} grayscale CelebA faces (32x32) from {source}."


def _faces_count(data: bytes, limit: int = 10000) -> int:
    """How many faces the question trains on: the cache's images, at most ``limit`` (convergence.faces)."""
    import io

    import numpy as np

    try:
        with np.load(io.BytesIO(data)) as npz:
            return min(limit, int(npz["images"].shape[0]))
    except Exception:  # noqa: BLE001 - the check reports an unreadable cache as its own failure
        return 0


# ---------------------------------------------------------------------------------------------
# The parent: run one role's questions under their limits


def _write_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def _state(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


class Report(dict):
    """``{question: [[passed, message], ...]}`` from one role, and ``hung``: the notebook functions
    that ran past a question's limit (later processes replace them by ones that fail at once)."""

    def __init__(self, *args, hung: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hung = list(hung or [])


def run_role(files: dict[str, bytes], role: str, progress: str | None = None,
             limits: dict[str, float] | None = None, startup: float = STARTUP_LIMIT,
             environ: dict | None = None, hung: list[str] = ()) -> Report:
    """Grade ``files`` (a snapshot, or its public part) in fresh processes: ``{question: [[passed, message], ...]}``.

    ``hung`` names notebook functions that ran past a limit in an earlier process: they are not called again.

    Questions run in order under :func:`question_limit` (or ``limits``); a process that runs past a
    question's limit plus :data:`GRACE` is killed, that question's unreported cases fail with
    :data:`TIMED_OUT`, and a fresh process grades the questions after it. A process that dies
    fails only the question it was in (:data:`STOPPED`).
    """
    limits = {q: question_limit(q) for q in questions_of(files)} | (limits or {})
    remaining = questions_of(files)
    graded = Report(hung=hung)
    with tempfile.TemporaryDirectory(prefix=f"wganlab-{role}-") as tmp:
        root = Path(tmp)
        os.chmod(root, 0o700)
        _write_tree(root / "snapshot", files)
        # The working folder looks like the kernel's for what the student may see: the notebook and
        # the public tests beside it. The checks themselves use the snapshot.
        work = root / "work"
        work.mkdir()
        for name, data in files.items():
            if name.startswith("submission"):
                (work / Path(name).name).write_bytes(data)
        env = {**(os.environ if environ is None else environ), "PYTHONHASHSEED": "0",
               "KERAS_HOME": str(root / "snapshot" / "keras")}
        env.pop(TRAIN_ENV, None)
        if role == "hidden":
            env[TRAIN_ENV] = "1"
        if "cache/" + CLASSIFIER_FILES[0] in files:
            env["WGANLAB_CACHE"] = str(root / "snapshot" / "cache")
        attempt = 0
        while remaining:
            attempt += 1
            state_path = root / f"state-{attempt}.json"
            cmd = [sys.executable, "-P", "-m", "wganlab.course.isolation", str(root / "snapshot"), str(state_path),
                   "--role", role, "--questions", ",".join(remaining),
                   "--limits", json.dumps({q: limits[q] for q in remaining}), "--hung", ",".join(graded.hung)]
            log = root / f"log-{attempt}.txt"
            with open(log, "w") as out:  # a submission's prints go here, never into the results
                proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
                killed = _watch(proc, state_path, limits, startup, progress, role, remaining)
            state = _state(state_path)
            done, current = state.get("questions", {}), state.get("current")
            graded.hung += [name for name in state.get("hung", []) if name not in graded.hung]
            if state.get("finished"):
                graded.update({q: done.get(q, []) for q in remaining})
                for question in remaining:
                    graded[question] = _fill(graded[question], files, question, role, STOPPED.format(
                        why="it did not report this case"))
                break
            if current not in remaining:  # it never reached a question: the start or the definitions
                for question in remaining:
                    graded[question] = _fill([], files, question, role, TIMED_OUT.format(
                        question=question, limit=startup, where=" (while loading the notebook's definitions)")
                        if killed else STOPPED.format(why=_why(proc.returncode, log, killed)))
                break
            for question in remaining[:remaining.index(current)]:
                graded[question] = done.get(question, [])
            graded[current] = _fill(done.get(current, []), files, current, role,
                                    TIMED_OUT.format(question=current, limit=limits[current], where="")
                                    if killed else STOPPED.format(why=_why(proc.returncode, log, killed)))
            remaining = [q for q in remaining if q not in graded]
    return graded


def _fill(reported: list, files: dict[str, bytes], question: str, role: str, message: str) -> list:
    """``reported`` completed with ``message`` for every case of ``question`` this role runs but did not report."""
    total = len(_cases(files.get(f"tests/{question}.py", b"").decode("utf-8"), role))
    return list(reported) + [[False, message]] * max(0, total - len(reported))


def _cases(source: str, role: str) -> list[bool]:
    """Hidden flags of the cases ``role`` runs from one test file's source."""
    nodes = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.decorator_list]
    flags = [_is_hidden_case(n) for n in nodes]
    return [h for h in flags if h] if role == "hidden" else [h for h in flags if not h]


def _why(returncode, log: Path, killed: str) -> str:
    if killed:
        return "killed after its time limit"
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return f"exit status {returncode}" + (f": {lines[-1][-300:]}" if lines else "")


def _watch(proc: subprocess.Popen, state_path: Path, limits: dict[str, float], startup: float,
           progress: str | None = None, role: str = "", questions: list[str] = ()) -> str:
    """Wait for ``proc``; kill its group when a question (or the start) runs past its limit. Returns
    'question', 'startup' or '' (it ended by itself). Writes which question runs to ``progress``."""
    started, current, since = time.monotonic(), None, None
    while proc.poll() is None:
        time.sleep(0.25)
        now = time.monotonic()
        # The state file is written by the process that runs student code, so its word only says
        # which question runs now, and only a question name of ours is taken (the progress file can
        # reach a gradebook's error column); the clock is this process's own, and the run is capped.
        name = _state(state_path).get("current")
        name = name if name in questions else None
        if name != current:
            current, since = name, now
            if progress and current:
                Path(progress).write_text(f"checking question {current} ({role} grading process)")
        over = (current is None and now - started > startup) or (
            current is not None and now - since > limits.get(current, DEFAULT_LIMIT) + GRACE)
        if over or now - started > startup + sum(limits.values()) + GRACE * len(limits):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            return "startup" if current is None else "question"
    return ""


# ---------------------------------------------------------------------------------------------
# The child: one grading process


class QuestionTimeLimit(BaseException):
    """Raised in the grading process when a question runs past its limit (BaseException: a bare
    ``except Exception`` in a submission does not swallow it)."""


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
    from otter.test_files import ExceptionTestFile

    test_file = ExceptionTestFile.from_file(str(path))
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
                tc.body.call_func(env)  # the same call depth as otter's run(): its line numbers stay right
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
            message = "❌ Test case failed\n" + test_file._generate_error_message(exc)
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

    names = ["numpy", "numpy.testing", "scipy.stats", "keras", "otter.test_files", "wganlab.autodiff",
             "wganlab.metrics", "wganlab.models", "wganlab.train", "wganlab.data", "wganlab.estimator",
             "wganlab.gp_step", "wganlab.classifier", "wganlab.course.convergence", "wganlab.course.loss_checks"]
    if role == "hidden":
        names.append("wganlab_checks")
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
        sys.path.insert(0, str(snapshot / "files"))
    signal.signal(signal.SIGALRM, _on_alarm)
    _import_what_the_checks_use(role)
    notebook = next(p for p in sorted(snapshot.iterdir()) if p.stem == "submission")
    frozen = Frozen()
    state: dict = {"questions": {}, "current": None, "hung": list(hung)}
    tests = sorted((snapshot / "tests").glob("*.py"))
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
    parser = argparse.ArgumentParser(prog="python -m wganlab.course.isolation", description=__doc__.split("\n")[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("state", type=Path)
    parser.add_argument("--role", choices=ROLES, default="hidden")
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
