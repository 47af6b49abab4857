"""Small helpers for the notebooks: training budgets that tests and graders can shorten."""

from __future__ import annotations

import os

FAST_ENV = "WGANLAB_FAST"


def fast() -> bool:
    """True when ``WGANLAB_FAST`` is set to a non-empty value other than '0' (tests, CI)."""
    return os.environ.get(FAST_ENV, "") not in ("", "0")


def steps(full: int, quick: int | None = None) -> int:
    """``full`` training steps, or ``quick`` (default full // 20, at least 5) under WGANLAB_FAST."""
    if not fast():
        return full
    return quick if quick is not None else max(5, full // 20)
