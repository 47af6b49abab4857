"""What ``wganlab grade`` shows while it runs: a bar on a terminal, one line per finished submission.

The bar (tqdm, on stderr) shows done/total, the failures so far (submissions that could not be
graded: timeouts, crashes, files that are not notebooks), the elapsed time and the ETA; it stays
silent when stderr is not a terminal (a SLURM log, CI). The log lines go to stdout either way, so
a job's log says how far it got.
"""

from __future__ import annotations

import sys
from typing import TextIO

from wganlab.course.results import Row


def line(row: Row, done: int, total: int, max_total: float) -> str:
    """One finished submission: '[3/40] alice: 10/12 in 46 s', plus the reason when it could not be graded."""
    text = f"[{done}/{total}] {row.submission}: {row.total:g}/{max_total:g} in {row.seconds:.0f} s"
    return f"{text}, error: {row.error}" if row.error else text


class Progress:
    """The bar and the log lines over ``total`` submissions to grade; a context manager."""

    def __init__(self, total: int, max_total: float, skipped: int = 0, show: bool = True,
                 out: TextIO | None = None, bar: TextIO | None = None) -> None:
        """``show=False``: count only, print nothing; ``out``/``bar`` default to stdout/stderr."""
        from tqdm import tqdm

        self.out = (out or sys.stdout) if show else None
        self.total, self.max_total = total, max_total
        self.done = self.failures = 0
        bar = bar or sys.stderr
        desc = f"grading ({skipped} already graded)" if skipped else "grading"
        self._bar = tqdm(total=total, desc=desc, unit="submission", file=bar, dynamic_ncols=True,
                         disable=not (show and hasattr(bar, "isatty") and bar.isatty()), postfix={"failed": 0})

    def finished(self, row: Row) -> None:
        """Count ``row``, print its log line above the bar."""
        self.done += 1
        self.failures += bool(row.error)
        if self.out is not None:
            self._bar.write(line(row, self.done, self.total, self.max_total), file=self.out)
            self.out.flush()
        self._bar.set_postfix(failed=self.failures, refresh=False)
        self._bar.update(1)

    def tick(self) -> None:
        """Redraw the bar, so that the elapsed time moves while long submissions run."""
        self._bar.refresh()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self._bar.close()
