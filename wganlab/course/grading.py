"""``wganlab grade``: grade a folder of submissions with a built autograder zip, locally.

Each submission (a notebook or an otter submission zip) is graded by ``otter run`` in its own
process and scratch folder, several at once, under a wall-clock limit that otter itself does not
have. Every submission gets a gradebook row: a submission that cannot be graded scores zero on
every question and the ``error`` column says why.

A rerun on the same ``out`` folder grades only the submissions whose results file is missing or
was graded from other bytes or another zip (:mod:`wganlab.course.results`), then rewrites the
gradebook from all results; ``regrade=True`` grades everything again. Every file is written
atomically, and an interrupted run (SIGINT, SIGTERM, SIGKILL) loses only the submissions in flight
(:mod:`wganlab.course.watchdog` ends their otter runs).

``shard=(K, N)`` grades the K-th of N parts (the sorted submission names dealt round-robin, so
every machine computes the same split) and records it in ``shard.json`` beside the gradebook;
:mod:`wganlab.course.gradebook` merges the parts.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import zipfile
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

from wganlab.course import results as results_file
from wganlab.course.functions import REPO_ROOT, questions as assignment_questions, resolve_assignment
from wganlab.course.protocol import FACES_ENV, PROGRESS_ENV, PROGRESS_FORMS, TRAIN_ENV
from wganlab.course.progress import Progress
from wganlab.course.results import Inputs, Row, file_sha256, parse_results
from wganlab.course.watchdog import Children, kill_group
from wganlab.errors import UserError
from wganlab.files import atomic_write

SHARD_FILE = "shard.json"

BASE_COLUMNS = ("submission", "total", "max_total", "error")
# Seconds per submission: 03 and 04 train in their convergence questions (NOTES.md has the times).
DEFAULT_TIMEOUT = 900.0


class GradingError(UserError, ValueError):
    """Bad arguments to the grader (no autograder zip, no submissions)."""


class Interrupted(KeyboardInterrupt):
    """A grading stopped by SIGINT or SIGTERM: ``graded`` of ``todo`` submissions were finished."""

    def __init__(self, signum: int, graded: int, todo: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name} after grading {graded} of {todo}")
        self.signum, self.graded, self.todo = signum, graded, todo


class _Stopped(Exception):
    """Raised in a grading thread whose otter run was killed because the whole grading stops."""


def autograder_zip(assignment: str, dist: Path = REPO_ROOT / "dist") -> Path:
    """Path of the built autograder zip of ``assignment`` ('03' is enough); a clear error when missing."""
    name = resolve_assignment(assignment)
    path = Path(dist) / "autograder" / f"{name}.zip"
    if not path.is_file():
        raise GradingError(f"no autograder zip at {path}: run `wganlab build {name}` first")
    return path


def zip_points(zip_path: Path) -> dict[str, float]:
    """Points of each question, read from the test files inside an autograder zip."""
    from wganlab.otter_api import read_test_file

    points: dict[str, float] = {}
    try:
        with zipfile.ZipFile(zip_path) as zf, tempfile.TemporaryDirectory(prefix="wganlab-zip-") as tmp:
            names = [n for n in zf.namelist() if n.startswith("tests/") and n.endswith(".py")]
            for name in names:
                zf.extract(name, tmp)
                test_file = read_test_file(Path(tmp) / name)
                points[Path(name).stem] = float(sum(tc.points for tc in test_file.test_cases))
    except (zipfile.BadZipFile, OSError, SyntaxError) as exc:
        raise GradingError(f"{zip_path} is not a readable otter autograder zip ({exc})") from exc
    if not points:
        raise GradingError(f"{zip_path} holds no tests/*.py: is it an autograder zip from `wganlab build`?")
    return points


def find_submissions(paths: list[Path]) -> list[Path]:
    """Expand folders into the notebooks and zips they hold (sorted); keep files as given; refuse a missing folder."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".ipynb", ".zip") and not p.name.startswith("."))
            if not found:
                raise GradingError(f"{path} holds no .ipynb notebooks or .zip submissions")
            out.extend(found)
        elif not path.exists() and path.suffix not in (".ipynb", ".zip"):
            # A mistyped folder would otherwise grade as one missing file, on every shard of a cluster job.
            raise GradingError(f"no such folder or submission: {path}")
        else:
            out.append(path)  # a missing notebook or zip gets its gradebook row saying so
    return out


def _progress(path: Path) -> str:
    """What the submission was running, from the guard plugin's progress file ('' when none or not the guard's)."""
    text = path.read_text(errors="replace").strip() if path.is_file() else ""
    # The kernel running student code writes the file too: text a submission put there never
    # reaches the error column.
    return text if PROGRESS_FORMS.fullmatch(text) else ""


def check_submission(path: Path) -> str:
    """Why ``path`` cannot be graded at all ('' when it looks gradable): checked before otter runs."""
    import nbformat

    if not path.is_file():
        return f"no such file: {path}"
    if path.suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                notebooks = [n for n in zf.namelist() if n.endswith(".ipynb") and "/" not in n.strip("/")]
        except zipfile.BadZipFile:
            return "the submission zip is damaged (not a zip file)"
        if len(notebooks) != 1:
            found = ", ".join(notebooks) or "none"
            return f"the submission zip must hold exactly one notebook at its top level (found: {found})"
        return ""
    if path.suffix != ".ipynb":
        return f"not a notebook or otter submission zip: {path.name}"
    try:
        with warnings.catch_warnings():  # old notebooks without cell ids are fine to grade
            warnings.simplefilter("ignore")
            nbformat.validate(nbformat.read(path, as_version=4))
    except Exception as exc:  # noqa: BLE001 - any reason to reject the file is reported as such
        return f"the notebook file is not a valid notebook (damaged or not JSON): {type(exc).__name__}"
    return ""


def _failure_reason(log_text: str, progress: str) -> str:
    """A one-line reason for an otter run that wrote no results, for the gradebook."""
    where = f" while running {progress}" if progress else ""
    if "DeadKernelError" in log_text or "Kernel died" in log_text:
        return (f"the notebook's Python process died{where} (os._exit, a crash, or memory); "
                "no question could be graded")
    tail = [line for line in log_text.strip().splitlines() if line.strip()][-3:]
    return ("otter run failed" + where + ": " + " | ".join(tail))[-500:]


def grade_one(zip_path: Path, submission: Path, results_dir: Path, timeout: float, label: str,
              extra_env: dict[str, str] | None = None, inputs: Inputs | None = None,
              children: Children | None = None) -> Row:
    """Grade one submission with ``otter run`` in a scratch folder into ``results_dir/LABEL.json``.

    Never raises for bad work: a submission that cannot be graded gets a results file with the
    reason. ``inputs`` are recorded in that file (default: hashed here); ``children`` tracks the
    otter run so that an interrupted grading ends it (then this raises and writes nothing).
    """
    start = time.perf_counter()
    row = Row(label)
    if inputs is None:
        inputs = _inputs(submission, file_sha256(zip_path), None, timeout)
    row.error = check_submission(submission)
    results = None
    if not row.error:
        results = _run_otter(zip_path, submission, timeout, row, extra_env or {}, children)
    if row.error:  # the same file shape as otter's, so every submission has its results file
        results = results_file.error_results(row.error)
    results_file.write(results_dir / f"{label}.json", results, inputs, row.error)
    row.seconds = time.perf_counter() - start
    return row


def _run_otter(zip_path: Path, submission: Path, timeout: float, row: Row, extra_env: dict[str, str],
               children: Children | None) -> dict | None:
    """``otter run`` one submission; return otter's results, or None with the reason in ``row.error``."""
    with tempfile.TemporaryDirectory(prefix="wganlab-grade-") as scratch:
        scratch = Path(scratch)
        local = scratch / "submission" / submission.name
        local.parent.mkdir()
        shutil.copyfile(submission, local)
        out = scratch / "out"
        out.mkdir()
        work = scratch / "tmp"  # otter run unpacks into TMPDIR: keep it here, so a kill leaves nothing
        work.mkdir()
        cmd = [sys.executable, "-m", "otter", "run", "-a", str(zip_path.resolve()), "-o", str(out), str(local)]
        progress = scratch / "progress.txt"
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0", "TMPDIR": str(work),
               PROGRESS_ENV: str(progress), **extra_env}
        env.pop(TRAIN_ENV, None)  # the kernel never trains: only the guard's isolated process does
        log = scratch / "otter.log"
        if children is not None and children.stopping:
            raise _Stopped
        with open(log, "w") as log_file:
            proc = subprocess.Popen(cmd, cwd=scratch, stdout=log_file, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True, stdin=subprocess.DEVNULL)
            if children is not None:
                children.started(proc)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                kill_group(proc.pid)
                proc.wait()
                where = _progress(progress)
                row.error = f"timed out after {timeout:g} s" + (f" while running {where}" if where else "")
            finally:
                if children is not None:
                    children.ended(proc)
        if children is not None and children.stopping:
            raise _Stopped  # killed by the interruption, not by the submission: no results for it
        results_path = out / "results.json"
        if not row.error and results_path.is_file():
            results = json.loads(results_path.read_text())
            row.scores = parse_results(results)
            return results
        if not row.error:
            row.error = _failure_reason(log.read_text(errors="replace"), _progress(progress))
    return None


def _inputs(submission: Path, zip_sha256: str, celeba_sha256: str | None, timeout: float) -> Inputs:
    digest = file_sha256(submission) if submission.is_file() else None
    return Inputs(digest, zip_sha256, celeba_sha256, float(timeout))


def _labels(submissions: list[Path]) -> list[str]:
    seen: dict[str, int] = {}
    labels = []
    for path in submissions:
        stem = path.stem
        seen[stem] = seen.get(stem, 0) + 1
        labels.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return labels


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N' -> (K, N) with 1 <= K <= N; a clear error otherwise."""
    try:
        k, n = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise GradingError(f"--shard must look like K/N (e.g. 3/8), got {text!r}") from None
    if not 1 <= k <= n:
        raise GradingError(f"--shard {text}: K must be between 1 and N")
    return k, n


def shard_indices(labels: list[str], shard: tuple[int, int]) -> list[int]:
    """Positions (in ``labels``) of the submissions of shard K of N: the sorted names dealt round-robin."""
    k, n = shard
    order = sorted(range(len(labels)), key=lambda i: labels[i])
    return sorted(i for rank, i in enumerate(order) if rank % n == k - 1)


def write_gradebook(rows: list[Row], questions: list[str], maxima: dict[str, float], path: Path) -> None:
    """Write the gradebook CSV atomically: base columns, then one column per question."""
    max_total = round(sum(maxima.get(q, 0.0) for q in questions), 6)
    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([*BASE_COLUMNS, *questions])
            for row in rows:
                writer.writerow([row.submission, row.total, max_total, row.error,
                                 *[row.scores.get(q, 0.0) for q in questions]])

    atomic_write(path, write)


def gradebook_questions(assignment: str, maxima: dict[str, float], zip_path: Path) -> list[str]:
    """The gradebook's question columns: the assignment's order, checked against the zip's tests."""
    name = resolve_assignment(assignment)
    expected = list(assignment_questions(name))
    if set(expected) != set(maxima):
        raise GradingError(
            f"--assignment {name} grades {', '.join(expected)}, but {zip_path} holds tests for "
            f"{', '.join(sorted(maxima))}: is it another assignment's autograder zip?")
    return expected


_TMP = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{8}\.tmp")  # wganlab.files.atomic_write's temporary names


def _remove_orphan_temporaries(folder: Path) -> None:
    """Delete temporary files that a killed grader's atomic writes left (their writer's pid is gone)."""
    for path in folder.iterdir():
        match = _TMP.match(path.name)
        if match and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _sigterm_as_interrupt():
    """Within the block, SIGTERM (scancel, kubectl delete, kill) unwinds like Ctrl-C (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_interrupt(signum, frame):
        raise Interrupted(signum, 0, 0)

    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def grade(
    assignment: str,
    submissions: list[Path],
    out: Path,
    jobs: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    dist: Path = REPO_ROOT / "dist",
    autograder: Path | None = None,
    shard: tuple[int, int] | None = None,
    celeba: Path | None = None,
    regrade: bool = False,
    progress: bool = False,
) -> list[Row]:
    """Grade ``submissions`` (files or folders) into ``out/gradebook.csv`` and ``out/results/``.

    ``autograder`` overrides the zip found under ``dist`` (its tests must be ``assignment``'s
    questions); ``shard=(K, N)`` grades only the K-th of N parts (see the module doc); ``celeba``
    is a 32x32 faces cache on this machine for 04's convergence question. Submissions whose
    results in ``out`` came from the same bytes and zip are not graded again unless ``regrade``.
    ``progress`` prints a line per finished submission (and a bar on a terminal). Returns one row
    per submission of this run (of this shard), in gradebook order.
    Raises :class:`Interrupted` on SIGINT/SIGTERM, after ending the otter runs in flight.
    """
    zip_path = Path(autograder) if autograder is not None else autograder_zip(assignment, dist)
    if not zip_path.is_file():
        raise GradingError(f"no autograder zip at {zip_path}")
    maxima = zip_points(zip_path)
    questions = gradebook_questions(assignment, maxima, zip_path)
    submissions = find_submissions(list(submissions))
    if not submissions:
        raise GradingError("no submissions given")
    if jobs < 1 or timeout <= 0:
        raise GradingError("--jobs must be at least 1 and --timeout positive")
    extra_env, celeba_sha256 = {}, None
    if celeba is not None:
        celeba = Path(celeba).expanduser().resolve()
        if not celeba.is_file():
            raise GradingError(f"--celeba {celeba}: no such file (a 32x32 cache from "
                               "`wganlab prepare-celeba SRC --out FILE --size 32`)")
        extra_env[FACES_ENV], celeba_sha256 = str(celeba), file_sha256(celeba)
    labels = _labels(submissions)
    positions = list(range(len(submissions)))
    if shard is not None:
        positions = shard_indices(labels, shard)
    out = Path(out)
    results_dir = out / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    _remove_orphan_temporaries(results_dir)
    zip_sha256 = file_sha256(zip_path)
    inputs = {i: _inputs(submissions[i], zip_sha256, celeba_sha256, timeout) for i in positions}
    rows: dict[int, Row] = {}
    for i in positions:
        previous = None if regrade else results_file.read(results_dir / f"{labels[i]}.json")
        if results_file.is_current(previous, inputs[i]):
            rows[i] = results_file.row_from(previous, labels[i])
    todo = [i for i in positions if i not in rows]
    max_total = round(sum(maxima.values()), 6)
    if progress and rows:
        print(f"{len(rows)} of {len(positions)} submissions already graded from the same files and zip in "
              f"{results_dir} (--regrade grades them again)", flush=True)
    with Children() as children, _sigterm_as_interrupt(), \
            Progress(len(todo), max_total, skipped=len(rows), show=progress) as bar:
        pool = ThreadPoolExecutor(max_workers=jobs)
        futures = {pool.submit(grade_one, zip_path, submissions[i], results_dir, timeout, labels[i], extra_env,
                               inputs[i], children): i for i in todo}
        try:
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
                for future in finished:
                    rows[futures[future]] = future.result()
                    bar.finished(rows[futures[future]])
                bar.tick()
        except KeyboardInterrupt as exc:
            children.kill_all()
            pool.shutdown(wait=True, cancel_futures=True)
            signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
            raise Interrupted(signum, bar.done, len(todo)) from None
        except BaseException:
            children.kill_all()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown()
    ordered = [rows[i] for i in positions]
    write_gradebook(ordered, questions, maxima, out / "gradebook.csv")
    if shard is not None:
        manifest = {"shard": shard[0], "of": shard[1], "autograder": zip_path.name,
                    "autograder_sha256": zip_sha256, "submissions_in_all_shards": len(labels),
                    "rows": [{"submission": labels[i], "position": i} for i in positions]}
        text = json.dumps(manifest, indent=1) + "\n"
        atomic_write(out / SHARD_FILE, lambda tmp: tmp.write_text(text))
    return ordered
