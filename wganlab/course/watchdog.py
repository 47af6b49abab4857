"""The otter runs of one ``wganlab grade``, killed when that grader ends in any way.

Each ``otter run`` gets its own session (so a timeout kills its whole group and nothing else), so
a signal to the grader's group never reaches it. On SIGINT and SIGTERM the grader kills them
itself (:meth:`Children.kill_all`); against SIGKILL, where the grader runs no code, a small
watchdog process in its own session holds the other end of a pipe: the grader writes ``+PGID`` and
``-PGID`` as runs start and end, and when the pipe closes (the kernel closes it however the grader
died) the watchdog kills every group still listed. Run as ``python -m wganlab.course.watchdog``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading


def kill_group(pgid: int) -> None:
    """SIGKILL the process group ``pgid``; nothing when it is gone already."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def watch(lines) -> set[int]:
    """Follow ``+PGID``/``-PGID`` lines until they end; kill and return the groups still listed."""
    alive: set[int] = set()
    for line in lines:
        line = line.strip()
        if line[:1] in "+-" and line[1:].isdigit():
            (alive.add if line[0] == "+" else alive.discard)(int(line[1:]))
    for pgid in alive:
        kill_group(pgid)
    return alive


class Children:
    """Process groups of the running otter runs, shared by the grading threads; a context manager."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: set[int] = set()
        self.stopping = False
        # Its own session: a kill of the grader's group (Ctrl-C, `kill -- -PGID`) leaves it running.
        self._watchdog = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, text=True,
                                          start_new_session=True, stdout=subprocess.DEVNULL)

    def _tell(self, line: str) -> None:
        try:
            self._watchdog.stdin.write(line + "\n")
            self._watchdog.stdin.flush()
        except (BrokenPipeError, ValueError):  # the watchdog is gone: the grader still works
            pass

    def started(self, proc: subprocess.Popen) -> None:
        """Record a run started with ``start_new_session=True``; kill it at once when stopping."""
        with self._lock:
            if self.stopping:
                kill_group(proc.pid)
                return
            self._groups.add(proc.pid)
            self._tell(f"+{proc.pid}")

    def ended(self, proc: subprocess.Popen) -> None:
        """Forget a run whose process was waited for."""
        with self._lock:
            self._groups.discard(proc.pid)
            self._tell(f"-{proc.pid}")

    def kill_all(self) -> None:
        """Kill every running otter run and every one started from now on."""
        with self._lock:
            self.stopping = True
            for pgid in self._groups:
                kill_group(pgid)

    def __enter__(self) -> "Children":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._watchdog.stdin.close()
        except BrokenPipeError:
            pass
        self._watchdog.wait()


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader decides; the watchdog acts when it is gone
    watch(sys.stdin)
