"""``wganlab grade``: grade a folder of submissions with a built autograder zip, locally.

Each submission (a notebook or an otter submission zip) is graded by ``otter run`` in its own
process and scratch folder, several at once, under a wall-clock limit that otter itself does not
have. Every submission gets a gradebook row: a submission that cannot be graded scores zero on
every question and the ``error`` column says why.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from wganlab.functions import ASSIGNMENTS, REPO_ROOT, questions as assignment_questions

BASE_COLUMNS = ("submission", "total", "max_total", "error")


class GradingError(ValueError):
    """Bad arguments to the grader (no autograder zip, no submissions)."""


@dataclass
class Row:
    """One submission's line of the gradebook."""

    submission: str
    scores: dict[str, float] = field(default_factory=dict)
    max_scores: dict[str, float] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0

    @property
    def total(self) -> float:
        """Points scored, over all autograded questions."""
        return round(sum(self.scores.values()), 6)


def autograder_zip(assignment: str, dist: Path = REPO_ROOT / "dist") -> Path:
    """Path of the built autograder zip of ``assignment``; a clear error when it is not built."""
    if assignment not in ASSIGNMENTS:
        raise GradingError(f"unknown assignment {assignment!r}; choose from {', '.join(ASSIGNMENTS)}")
    path = Path(dist) / "autograder" / f"{assignment}.zip"
    if not path.is_file():
        raise GradingError(f"no autograder zip at {path}: run `wganlab build {assignment}` first")
    return path


def parse_results(results: dict) -> tuple[dict[str, float], dict[str, float]]:
    """Scores and maxima per question from otter's Gradescope ``results.json`` dictionary."""
    scores: dict[str, float] = {}
    maxima: dict[str, float] = {}
    for test in results.get("tests", []):
        if test.get("max_score") is None:  # the "Public Tests" summary carries no points
            continue
        # otter splits a question into "name - 1", "name - 2"... entries; sum them per question.
        question = str(test.get("name", "")).split(" - ")[0].strip()
        scores[question] = scores.get(question, 0.0) + float(test.get("score") or 0.0)
        maxima[question] = maxima.get(question, 0.0) + float(test.get("max_score") or 0.0)
    return scores, maxima


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def grade_one(zip_path: Path, submission: Path, results_dir: Path, timeout: float, label: str) -> Row:
    """Grade one submission with ``otter run`` in a scratch folder; never raises for bad work."""
    start = time.perf_counter()
    row = Row(label)
    if not submission.is_file():
        row.error = f"no such file: {submission}"
        return row
    if submission.suffix not in (".ipynb", ".zip"):
        row.error = f"not a notebook or otter submission zip: {submission.name}"
        return row
    with tempfile.TemporaryDirectory(prefix="wganlab-grade-") as scratch:
        scratch = Path(scratch)
        local = scratch / "submission" / submission.name
        local.parent.mkdir()
        shutil.copyfile(submission, local)
        out = scratch / "out"
        out.mkdir()
        cmd = [sys.executable, "-m", "otter", "run", "-a", str(zip_path.resolve()), "-o", str(out), str(local)]
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
        log = scratch / "otter.log"
        with open(log, "w") as log_file:
            proc = subprocess.Popen(cmd, cwd=scratch, stdout=log_file, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True, stdin=subprocess.DEVNULL)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                proc.wait()
                row.error = f"timed out after {timeout:g} s"
        results_file = out / "results.json"
        if not row.error and results_file.is_file():
            results = json.loads(results_file.read_text())
            row.scores, row.max_scores = parse_results(results)
            shutil.copyfile(results_file, results_dir / f"{label}.json")
        elif not row.error:
            tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            row.error = "otter run failed: " + " | ".join(tail)[-500:]
    row.seconds = time.perf_counter() - start
    return row


def _labels(submissions: list[Path]) -> list[str]:
    seen: dict[str, int] = {}
    labels = []
    for path in submissions:
        stem = path.stem
        seen[stem] = seen.get(stem, 0) + 1
        labels.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return labels


def write_gradebook(rows: list[Row], questions: list[str], maxima: dict[str, float], path: Path) -> None:
    """Write the gradebook CSV atomically: base columns, then one column per question."""
    max_total = round(sum(maxima.get(q, 0.0) for q in questions), 6)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*BASE_COLUMNS, *questions])
        for row in rows:
            writer.writerow([row.submission, row.total, max_total, row.error,
                             *[row.scores.get(q, 0.0) for q in questions]])
    os.replace(tmp, path)


def grade(
    assignment: str,
    submissions: list[Path],
    out: Path,
    jobs: int = 1,
    timeout: float = 600.0,
    dist: Path = REPO_ROOT / "dist",
) -> list[Row]:
    """Grade ``submissions`` into ``out/gradebook.csv`` and ``out/results/``; return the rows."""
    zip_path = autograder_zip(assignment, dist)
    if not submissions:
        raise GradingError("no submissions given")
    if jobs < 1 or timeout <= 0:
        raise GradingError("--jobs must be at least 1 and --timeout positive")
    out = Path(out)
    results_dir = out / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    submissions = [Path(s) for s in submissions]
    labels = _labels(submissions)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        rows = list(pool.map(lambda a: grade_one(zip_path, a[0], results_dir, timeout, a[1]),
                             zip(submissions, labels)))
    maxima: dict[str, float] = {}
    for row in rows:
        for q, m in row.max_scores.items():
            maxima[q] = max(maxima.get(q, 0.0), m)
    ordered = [q for q in assignment_questions(assignment) if q in maxima]
    questions = ordered + sorted(q for q in maxima if q not in ordered)
    if not questions:  # nothing ran: still one column per student function
        questions = list(assignment_questions(assignment))
    write_gradebook(rows, questions, maxima, out / "gradebook.csv")
    return rows
