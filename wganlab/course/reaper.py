"""Processes a submission leaves running, caught and killed before the grader writes its results.

Student code runs in three of the grader's children (the public process, the notebook's kernel, the
hidden process). A double fork and ``setsid`` take a process out of its parent's group and session,
so killing the group does not reach it, and it can outlive the grading: one forked from the hidden
process holds the hidden checks and could rewrite ``results.json`` after otter writes it, forging
scores and putting hidden text where a student reads it. Linux's child subreaper
(``prctl(PR_SET_CHILD_SUBREAPER)``, prctl(2)) makes every orphaned descendant of the grader its
child instead of init's, wherever it moved its group or session, so the grader finds them all by
their parent pid and kills them before the next process with hidden material starts and before
otter writes the results.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
from pathlib import Path

PR_SET_DUMPABLE = 4  # <linux/prctl.h>
PR_SET_CHILD_SUBREAPER = 36


def prctl(option: int, value: int) -> bool:
    """Linux's prctl(option, value) on this process; False where it failed or the system has none."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Adopt this process's orphaned descendants (Linux); False where the system cannot."""
    return prctl(PR_SET_CHILD_SUBREAPER, 1)


def children(pid: int | None = None) -> list[int]:
    """Pids whose parent is ``pid`` (default: this process), zombies included, read from /proc."""
    pid = os.getpid() if pid is None else pid
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it ended while we looked
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def reap(deadline: float = 10.0) -> list[int]:
    """SIGKILL and wait for every child of this process, again for the orphans that then arrive; the pids killed.

    Call it only where the grader has no child of its own still running (between its processes).
    """
    killed: list[int] = []
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        pids = children()
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass
        for pid in pids:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not ours to wait for any more
                pass
        time.sleep(0.01)
    return sorted(set(killed))
