"""One submission's results file: otter's Gradescope JSON plus what it was graded from.

``wganlab grade`` writes ``DIR/results/LABEL.json`` for every submission: otter's ``results.json``
when otter ran, else the same shape holding the reason. Under the key ``wganlab`` it records the
inputs (SHA-256 of the submission bytes, of the autograder zip and of the faces cache, and the
timeout), so that a rerun on the same ``DIR`` grades only what is missing or changed, and the
gradebook row can be rebuilt from the file alone. The file is written atomically: a reader sees
the whole of it or the previous one, however the grader dies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from wganlab.files import atomic_write

PROVENANCE_KEY = "wganlab"
ERROR_TEST = "Autograder Error"
TIMED_OUT = "timed out after"


@dataclass
class Row:
    """One submission's line of the gradebook: points per question, the reason it has none, seconds taken."""

    submission: str
    scores: dict[str, float] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0

    @property
    def total(self) -> float:
        """Points scored, over all autograded questions."""
        return round(float(sum(self.scores.values())), 6)


@dataclass(frozen=True)
class Inputs:
    """What a grading depends on: hex SHA-256 digests (None where there is no file) and the timeout in s."""

    submission_sha256: str | None
    autograder_sha256: str
    celeba_sha256: str | None
    timeout: float


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def error_results(message: str) -> dict:
    """Results of a submission that could not be graded: otter's shape, 0 points, the reason as output."""
    return {"score": 0, "tests": [{"name": ERROR_TEST, "visibility": "visible", "status": "failed",
                                   "output": message}]}


def write(path: Path, results: dict, inputs: Inputs, error: str) -> None:
    """Write ``results`` with its inputs and error atomically to ``path`` (one JSON object)."""
    record = {**results, PROVENANCE_KEY: {**asdict(inputs), "error": error}}
    text = json.dumps(record, indent=1, ensure_ascii=False) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def read(path: Path) -> dict | None:
    """The results dictionary in ``path``, or None when there is none or it is not a results file."""
    try:
        results = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return results if isinstance(results, dict) else None


def is_current(results: dict | None, inputs: Inputs) -> bool:
    """Whether ``results`` were graded from ``inputs`` (a timed-out grading is stale under a longer timeout)."""
    recorded = (results or {}).get(PROVENANCE_KEY)
    if not isinstance(recorded, dict) or inputs.submission_sha256 is None:
        return False  # graded by an older wganlab, or the submission file is missing: grade it
    same = all(recorded.get(key) == getattr(inputs, key)
               for key in ("submission_sha256", "autograder_sha256", "celeba_sha256"))
    timed_out = str(recorded.get("error", "")).startswith(TIMED_OUT)
    return same and not (timed_out and inputs.timeout > float(recorded.get("timeout", 0.0)))


def row_from(results: dict, label: str) -> Row:
    """The gradebook row of a results dictionary written by :func:`write`."""
    error = str((results.get(PROVENANCE_KEY) or {}).get("error", ""))
    return Row(label, {} if error else parse_results(results), error)
