"""The sealed grading protocol's one owner: its names, the snapshot's layout and the snapshot's I/O.

The guard plugin (:mod:`wganlab.course.guard`), the grading processes
(:mod:`wganlab.course.isolation` starts them, :mod:`wganlab.course.grading_process` is one), the
check package in the zips (``autograder/wganlab_checks``, which imports this module from the
wheel the grader installs), the build and ``wganlab grade`` must agree on these names; a rename
here reaches all of them, and ``tests/test_protocol.py`` fails on a copy of one anywhere else.

The snapshot is ``{relative path: bytes}``, read before any student code runs:

- ``submission.ipynb`` (or ``.py``): the notebook;
- ``files/...``: the zip's ``files/`` (the check package, the expected values, the faces cache,
  the wheel): hidden, only the hidden process gets them;
- ``tests/Q.py``: one otter exception test file per question; the public process gets each with
  its hidden cases cut out (:func:`public_test_source`);
- ``keras/keras.json``: the grader's Keras config; ``cache/...``: the digit classifier's cached
  weights (:func:`classifier_files`). Both public.
"""

from __future__ import annotations

import ast
import io
import os
import re
import shutil
from pathlib import Path

from wganlab import classifier
from wganlab.data import celeba_cache_name
from wganlab.files import CACHE_ENV, cache_dir

# The grading processes' environment.
TRAIN_ENV = "WGANLAB_RUN_CONVERGENCE"  # the check package trains only where this is "1": in the hidden process
FACES_ENV = "WGANLAB_CELEBA"  # a 32x32 faces cache on the grading machine (04's convergence question)
FACES_SIZE = 32  # pixels per side of the faces 04's convergence question trains on
FACES_CACHE = celeba_cache_name(FACES_SIZE)  # or this file in the zip's files/ (wganlab build 04 --celeba)
PROGRESS_ENV = "WGANLAB_PROGRESS_FILE"  # where `wganlab grade` wants the guard to say what runs
PROGRESS_FILE = ".wganlab_progress"  # else this file beside the submission
# What the progress file says: the kernel's cells (wganlab.course.kernel_cell) and the runner
# (isolation.run_role) write these forms; the kernel runs student code, so `wganlab grade` quotes
# the file in a gradebook's error column only when it is one of them (PROGRESS_FORMS).
PROGRESS_CELL = "code cell {index} of {total}: {first}"  # first: the cell's first line, at most 60 characters
PROGRESS_QUESTION = "checking question {question} ({role} grading process)"
PROGRESS_LAST = "the tests, after the last cell"
PROGRESS_FORMS = re.compile(r"code cell \d+ of \d+: .{0,60}|checking question [\w-]+ \((public|hidden) grading "
                            r"process\)|" + re.escape(PROGRESS_LAST))
ROLES = ("public", "hidden")
PROCESS_MODULE = "wganlab.course.grading_process"  # run as `python -P -m PROCESS_MODULE ...`

# What the build adds to every autograder zip: a master's ASSIGNMENT CONFIG lists only its own files.
CHECKS_PACKAGE = "wganlab_checks"  # autograder/wganlab_checks/, copied whole into every zip's files/
EXPECTED_FILE = "expected.json"  # the reference's values on the checks' cases, beside the package
BUILD_FILES = (CHECKS_PACKAGE, EXPECTED_FILE)
GUARD_PLUGIN = "wganlab.course.guard.GradingGuard"

# The snapshot's layout: the prefix of each part of it.
SUBMISSION = "submission"
FILES = "files/"
TESTS = "tests/"
KERAS = "keras/"
CACHE = "cache/"
PUBLIC_PARTS = (SUBMISSION, KERAS, CACHE)  # given to the public process unchanged; tests/ with hidden cases cut


def classifier_files() -> tuple[str, ...]:
    """The digit classifier's cache file names, from :func:`wganlab.classifier.cache_files` (its version)."""
    return classifier.cache_files()


def _read_tree(folder: Path, prefix: str) -> dict[str, bytes]:
    """``{prefix + relative path: bytes}`` of every file under ``folder`` (empty when it is missing)."""
    if not folder.is_dir():
        return {}
    return {f"{prefix}{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def take_snapshot(source: Path, submission: Path | None) -> dict[str, bytes]:
    """What the grading processes need, read before student code runs: relative path -> bytes.

    ``source``: otter's unpacked zip (with ``files/`` and ``tests/``); ``submission``: the notebook
    or script. Adds the grader's ``keras.json`` and the classifier's cache where they exist.
    """
    snap = {**_read_tree(source / "files", FILES), **_read_tree(source / "tests", TESTS)}
    if submission is not None and Path(submission).is_file():
        snap[f"{SUBMISSION}{Path(submission).suffix}"] = Path(submission).read_bytes()
    keras_json = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "keras.json"
    if keras_json.is_file():
        snap[f"{KERAS}keras.json"] = keras_json.read_bytes()
    names = classifier_files()
    if all((cache_dir() / name).is_file() for name in names):
        snap.update({f"{CACHE}{name}": (cache_dir() / name).read_bytes() for name in names})
    return snap


def has_classifier(files: dict[str, bytes]) -> bool:
    """True when a snapshot carries the whole classifier cache (the processes then use it)."""
    return all(f"{CACHE}{name}" in files for name in classifier_files())


def is_hidden_case(node: ast.stmt) -> bool:
    """True for an otter exception test case decorated ``@test_case(..., hidden=True)``."""
    if not isinstance(node, ast.FunctionDef):
        return False
    for decorator in node.decorator_list:
        for keyword in getattr(decorator, "keywords", []):
            if keyword.arg == "hidden" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True:
                return True
    return False


def case_flags(source: str, role: str) -> list[bool]:
    """Hidden flags of the cases ``role`` ('public' or 'hidden') runs from one test file's source."""
    nodes = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.decorator_list]
    flags = [is_hidden_case(n) for n in nodes]
    return [h for h in flags if h] if role == "hidden" else [h for h in flags if not h]


def public_test_source(source: str) -> str:
    """One otter exception test file's source less its hidden cases (decorators included): the public process's copy."""
    lines = source.splitlines(keepends=True)
    drop = set()
    for node in ast.parse(source).body:
        if is_hidden_case(node):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            drop.update(range(first - 1, node.end_lineno))
    return "".join(line for i, line in enumerate(lines) if i not in drop)


def public_snapshot(snapshot: dict[str, bytes]) -> dict[str, bytes]:
    """The part of ``snapshot`` a student may see: the notebook, public cases, Keras config, classifier cache."""
    out = {}
    for name, data in snapshot.items():
        if name.startswith(TESTS) and name.endswith(".py"):
            out[name] = public_test_source(data.decode("utf-8")).encode("utf-8")
        elif name.startswith(PUBLIC_PARTS):
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
    targets += [submission_dir / Path(name).relative_to(FILES).parts[0] for name in snapshot if name.startswith(FILES)]
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
    return sorted(Path(n).stem for n in snapshot if n.startswith(TESTS) and n.endswith(".py"))


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    """Write a snapshot (or part of one) under ``root``, one file per entry."""
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def process_environment(snapshot_root: Path, role: str, files: dict[str, bytes], environ: dict) -> dict[str, str]:
    """The environment of a grading process of ``role`` over ``files`` written to ``snapshot_root``.

    Only the hidden process trains (:data:`TRAIN_ENV`); both read the snapshot's Keras config and
    classifier cache rather than the grader's home folder.
    """
    env = {**environ, "PYTHONHASHSEED": "0", "KERAS_HOME": str(snapshot_root / KERAS)}
    env.pop(TRAIN_ENV, None)
    if role == "hidden":
        env[TRAIN_ENV] = "1"
    if has_classifier(files):
        env[CACHE_ENV] = str(snapshot_root / CACHE)
    return env


def faces_note(snapshot: dict[str, bytes], environ: dict | None = None) -> str:
    """What 04's convergence question trains on, decided by the grader from its own inputs ('' for 01-03).

    The same order as the check's ``faces_data()``: ``$WGANLAB_CELEBA``, then the zip's cache, then MNIST.
    """
    if f"{TESTS}wgan_gp_convergence.py" not in snapshot:
        return ""
    environ = os.environ if environ is None else environ
    env = environ.get(FACES_ENV, "").strip()
    if env:
        path, source = Path(env).expanduser(), "the grading machine's cache"
        if not path.is_file():
            return f"wgan_gp_convergence: {FACES_ENV}={env} names no file, so the question could not train."
        n = _faces_count(path.read_bytes())
    elif f"{FILES}{FACES_CACHE}" in snapshot:
        n, source = _faces_count(snapshot[f"{FILES}{FACES_CACHE}"]), "the autograder zip"
    else:
        return ("wgan_gp_convergence trained on MNIST digits: this autograder has no CelebA cache (instructors: "
                f"set {FACES_ENV} on the grading machine or `wganlab grade --celeba FILE`). No points depend on which.")
    return (f"wgan_gp_convergence trained on {n} grayscale CelebA faces ({FACES_SIZE}x{FACES_SIZE}) "
            f"from {source}.")


def _faces_count(data: bytes, limit: int = 10000) -> int:
    """How many faces the question trains on: the cache's images, at most ``limit`` (convergence.faces)."""
    import numpy as np

    try:
        with np.load(io.BytesIO(data)) as npz:
            return min(limit, int(npz["images"].shape[0]))
    except Exception:  # noqa: BLE001 - the check reports an unreadable cache as its own failure
        return 0
