"""Small helpers for the notebooks: training budgets that fit the machine, and that tests shorten.

A training cell asks :func:`steps` (or :func:`schedule`, which also says why) for its length:
the same measured schedule on every device (every training cell finishes in at most 3 minutes
on a 2-core CPU; NOTES.md has the measured table), so that every figure the notebook text gives
holds for the run a student makes; a GPU only makes the cell faster. A tiny schedule under
``WGANLAB_FAST`` (tests, CI).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

FAST_ENV = "WGANLAB_FAST"


def fast() -> bool:
    """True when ``WGANLAB_FAST`` is set to a non-empty value other than '0' (tests, CI)."""
    return os.environ.get(FAST_ENV, "") not in ("", "0")


@dataclass(frozen=True)
class CellSteps:
    """How long one training cell runs and why: ``steps`` and a sentence for the student."""

    steps: int
    reason: str


def schedule(full: int, quick: int | None = None) -> CellSteps:
    """The steps of one training cell: ``full`` on every device (CPU or GPU, so that the text's
    measured figures hold), ``quick`` (default full // 20, at least 5) under WGANLAB_FAST."""
    if fast():
        n = quick if quick is not None else max(5, full // 20)
        return CellSteps(n, f"{n} steps: the quick schedule ({FAST_ENV} is set, as in the tests)")
    return CellSteps(full, f"{full} steps, on every device (a GPU only makes them faster)")


def steps(full: int, quick: int | None = None) -> int:
    """Print which schedule a training cell runs and why; return its number of steps."""
    chosen = schedule(full, quick=quick)
    print(f"Training for {chosen.reason}.")
    return chosen.steps
