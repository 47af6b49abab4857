"""``wganlab grade``: grade a folder of submissions with a built autograder zip, locally.

Each submission (a notebook or an otter submission zip) is graded by ``otter run`` in its own
process and scratch folder, several at once, under a wall-clock limit that otter itself does not
have. Every submission gets a gradebook row: a submission that cannot be graded scores zero on
every question and the ``error`` column says why.

``shard=(K, N)`` grades the K-th of N parts (the sorted submission names dealt round-robin, so
every machine computes the same split) and records it in ``shard.json`` beside the gradebook;
:mod:`wganlab.course.gradebook` merges the parts.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from wganlab.course.functions import ASSIGNMENTS, REPO_ROOT, questions as assignment_questions, resolve_assignment
from wganlab.course.guard import PROGRESS_ENV
from wganlab.course.isolation import TRAIN_ENV
from wganlab.errors import UserError
from wganlab.files import atomic_write

SHARD_FILE = "shard.json"
FACES_ENV = "WGANLAB_CELEBA"  # read by the zip's faces_data() in the isolated process

BASE_COLUMNS = ("submission", "total", "max_total", "error")
# Seconds per submission: 03 and 04 train in their convergence questions (NOTES.md has the times).
DEFAULT_TIMEOUT = 900.0


class GradingError(UserError, ValueError):
    """Bad arguments to the grader (no autograder zip, no submissions)."""


@dataclass
class Row:
    """One submission's line of the gradebook."""

    submission: str
    scores: dict[str, float] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0

    @property
    def total(self) -> float:
        """Points scored, over all autograded questions."""
        return round(float(sum(self.scores.values())), 6)


def autograder_zip(assignment: str, dist: Path = REPO_ROOT / "dist") -> Path:
    """Path of the built autograder zip of ``assignment`` ('03' is enough); a clear error when missing."""
    name = resolve_assignment(assignment)
    path = Path(dist) / "autograder" / f"{name}.zip"
    if not path.is_file():
        raise GradingError(f"no autograder zip at {path}: run `wganlab build {name}` first")
    return path


def zip_points(zip_path: Path) -> dict[str, float]:
    """Points of each question, read from the test files inside an autograder zip."""
    from otter.test_files import ExceptionTestFile

    points: dict[str, float] = {}
    try:
        with zipfile.ZipFile(zip_path) as zf, tempfile.TemporaryDirectory(prefix="wganlab-zip-") as tmp:
            names = [n for n in zf.namelist() if n.startswith("tests/") and n.endswith(".py")]
            for name in names:
                zf.extract(name, tmp)
                test_file = ExceptionTestFile.from_file(str(Path(tmp) / name))
                points[Path(name).stem] = float(sum(tc.points for tc in test_file.test_cases))
    except (zipfile.BadZipFile, OSError, SyntaxError) as exc:
        raise GradingError(f"{zip_path} is not a readable otter autograder zip ({exc})") from exc
    if not points:
        raise GradingError(f"{zip_path} holds no tests/*.py: is it an autograder zip from `wganlab build`?")
    return points


def find_submissions(paths: list[Path]) -> list[Path]:
    """Expand folders into the notebooks and zips they hold (sorted); keep files as given."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".ipynb", ".zip") and not p.name.startswith("."))
            if not found:
                raise GradingError(f"{path} holds no .ipynb notebooks or .zip submissions")
            out.extend(found)
        else:
            out.append(path)
    return out


def parse_results(results: dict) -> dict[str, float]:
    """Score per question from otter's Gradescope ``results.json`` dictionary (maxima come from the zip)."""
    scores: dict[str, float] = {}
    for test in results.get("tests", []):
        if test.get("max_score") is None:  # the "Public Tests" summary carries no points
            continue
        # otter splits a question into "name - 1", "name - 2"... entries; sum them per question.
        question = str(test.get("name", "")).split(" - ")[0].strip()
        scores[question] = scores.get(question, 0.0) + float(test.get("score") or 0.0)
    return scores


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# What the guard's progress file may say; the kernel running student code writes it, so anything
# else (text a submission put there) never reaches the error column.
_PROGRESS = re.compile(r"(code cell \d+ of \d+: .{0,60}|checking question [\w-]+ \((public|hidden) grading process\)"
                       r"|the tests, after the last cell)")


def _progress(path: Path) -> str:
    """What the submission was running, from the guard plugin's progress file ('' when none or not the guard's)."""
    text = path.read_text(errors="replace").strip() if path.is_file() else ""
    return text if _PROGRESS.fullmatch(text) else ""


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
              extra_env: dict[str, str] | None = None) -> Row:
    """Grade one submission with ``otter run`` in a scratch folder; never raises for bad work."""
    start = time.perf_counter()
    row = Row(label)
    row.error = check_submission(submission)
    if not row.error:
        _run_otter(zip_path, submission, results_dir, timeout, row, extra_env or {})
    if row.error:  # the same file shape as otter's, so every submission has its results file
        error_results = {"score": 0, "tests": [{"name": "Autograder Error", "visibility": "visible",
                                                "status": "failed", "output": row.error}]}
        (results_dir / f"{label}.json").write_text(json.dumps(error_results, indent=1) + "\n")
    row.seconds = time.perf_counter() - start
    return row


def _run_otter(zip_path: Path, submission: Path, results_dir: Path, timeout: float, row: Row,
               extra_env: dict[str, str]) -> None:
    """``otter run`` one submission; fill ``row`` with its scores or the reason it has none."""
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
        with open(log, "w") as log_file:
            proc = subprocess.Popen(cmd, cwd=scratch, stdout=log_file, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True, stdin=subprocess.DEVNULL)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                proc.wait()
                where = _progress(progress)
                row.error = f"timed out after {timeout:g} s" + (f" while running {where}" if where else "")
        results_file = out / "results.json"
        if not row.error and results_file.is_file():
            results = json.loads(results_file.read_text())
            row.scores = parse_results(results)
            shutil.copyfile(results_file, results_dir / f"{row.submission}.json")
        elif not row.error:
            row.error = _failure_reason(log.read_text(errors="replace"), _progress(progress))


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


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file (the autograder zip a shard was graded with)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
) -> list[Row]:
    """Grade ``submissions`` (files or folders) into ``out/gradebook.csv`` and ``out/results/``.

    ``autograder`` overrides the zip found under ``dist``; ``shard=(K, N)`` grades only the K-th
    of N parts (see the module doc); ``celeba`` is a 32x32 faces cache on this machine for 04's
    convergence question. Returns one row per graded submission.
    """
    zip_path = Path(autograder) if autograder is not None else autograder_zip(assignment, dist)
    if not zip_path.is_file():
        raise GradingError(f"no autograder zip at {zip_path}")
    maxima = zip_points(zip_path)
    submissions = find_submissions(list(submissions))
    if not submissions:
        raise GradingError("no submissions given")
    if jobs < 1 or timeout <= 0:
        raise GradingError("--jobs must be at least 1 and --timeout positive")
    extra_env = {}
    if celeba is not None:
        celeba = Path(celeba).expanduser().resolve()
        if not celeba.is_file():
            raise GradingError(f"--celeba {celeba}: no such file (a 32x32 cache from "
                               "`wganlab prepare-celeba SRC --out FILE --size 32`)")
        extra_env[FACES_ENV] = str(celeba)
    labels = _labels(submissions)
    positions = list(range(len(submissions)))
    if shard is not None:
        positions = shard_indices(labels, shard)
    out = Path(out)
    results_dir = out / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        rows = list(pool.map(lambda i: grade_one(zip_path, submissions[i], results_dir, timeout, labels[i], extra_env),
                             positions))
    name = zip_path.stem
    ordered = [q for q in (assignment_questions(name) if name in ASSIGNMENTS else []) if q in maxima]
    questions = ordered + sorted(q for q in maxima if q not in ordered)
    write_gradebook(rows, questions, maxima, out / "gradebook.csv")
    if shard is not None:
        manifest = {"shard": shard[0], "of": shard[1], "autograder": zip_path.name,
                    "autograder_sha256": file_sha256(zip_path), "submissions_in_all_shards": len(labels),
                    "rows": [{"submission": labels[i], "position": i} for i in positions]}
        (out / SHARD_FILE).write_text(json.dumps(manifest, indent=1) + "\n")
    return rows
