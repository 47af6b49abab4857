"""The two sealed grading processes, run from the grader's side: limits, start, watchdog, report.

otter runs a submission in a notebook kernel beside the autograder's files, so a notebook cell
can read the hidden tests or replace anything a check relies on. The guard plugin
(:mod:`wganlab.course.guard`) therefore grades nothing in that kernel. Before any student code
runs it takes a snapshot (:mod:`wganlab.course.protocol`: the submission, the zip's ``files/``
and ``tests/``) into memory and deletes the hidden material from disk; then :func:`run_role`
grades in two fresh processes, each running::

    python -P -m wganlab.course.grading_process ROOT STATE.json --role public|hidden --questions Q1,Q2 [--hung F]

- the **public** process, before the kernel starts, in a folder holding only the notebook and
  the public test cases (:func:`protocol.public_snapshot`): no check module, no expected value, no
  hidden case was ever in its memory or on a path it can read. Only its messages reach what a
  student sees (the "Public Tests" box);
- the **hidden** process, after the kernel, with the whole snapshot: it runs only the hidden
  cases, and its messages go only into the per-question entries, which students do not see
  (otter's ``show_hidden`` off).

Each question runs under its own limit (:func:`question_limit`): the process interrupts a case
that runs past it (:mod:`wganlab.course.grading_process`), and :func:`run_role` kills a process
that does not stop and starts a fresh one for the remaining questions, so a function that never
returns costs the questions that call it and no others. The process rewrites its state file
after every case, so one that dies still reports what it finished.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wganlab.course import protocol

# Seconds per question, for all its cases together. Cheap checks take a few seconds (5-20 s on
# 2 cores under load, NOTES.md); the convergence questions train: the slowest sweep runs
# (docs/sweeps/*_tf_cpu.jsonl, 2 cores under load) took 71 s (mnist_wgan, 03), 76 s (gp_own_step,
# 04) and 16 s per critic (estimator, 02): about 3x that, for half a CPU.
DEFAULT_LIMIT = 90.0
LIMITS = {"wgan_convergence": 240.0, "wgan_gp_convergence": 240.0, "estimator": 180.0}
STARTUP_LIMIT = 240.0  # Python, TensorFlow and the notebook's definitions, before the first question
GRACE = 20.0  # after a question's limit, how long the process has to stop by itself before it is killed

TIMED_OUT = ("❌ Test case failed\nQuestion {question} ran past its time limit of {limit:g} s{where}: a function "
             "it calls may never return (an endless loop?). The other questions were graded as usual.")
STOPPED = ("❌ Test case failed\nThe grading process stopped before this case could be checked ({why}); no "
           "points are given for it. A graded function that ends the process (os._exit, a crash) or runs out "
           "of memory does this.")


def question_limit(question: str) -> float:
    """Seconds question ``question`` may take in one grading process (all its cases)."""
    return LIMITS.get(question, DEFAULT_LIMIT)


def _state(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


class Report(dict):
    """``{question: [[passed, message], ...]}`` from one role, and ``hung``: the notebook functions
    that ran past a question's limit (later processes replace them by ones that fail at once)."""

    def __init__(self, *args, hung: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hung = list(hung or [])


def run_role(files: dict[str, bytes], role: str, progress: str | None = None,
             limits: dict[str, float] | None = None, startup: float = STARTUP_LIMIT,
             environ: dict | None = None, hung: list[str] = ()) -> Report:
    """Grade ``files`` (a snapshot, or its public part) in fresh processes: ``{question: [[passed, message], ...]}``.

    ``hung`` names notebook functions that ran past a limit in an earlier process: they are not called again.

    Questions run in order under :func:`question_limit` (or ``limits``); a process that runs past a
    question's limit plus :data:`GRACE` is killed, that question's unreported cases fail with
    :data:`TIMED_OUT`, and a fresh process grades the questions after it. A process that dies
    fails only the question it was in (:data:`STOPPED`).
    """
    limits = {q: question_limit(q) for q in protocol.questions_of(files)} | (limits or {})
    remaining = protocol.questions_of(files)
    graded = Report(hung=hung)
    with tempfile.TemporaryDirectory(prefix=f"wganlab-{role}-") as tmp:
        root = Path(tmp)
        os.chmod(root, 0o700)
        snapshot = root / "snapshot"
        protocol.write_tree(snapshot, files)
        # The working folder looks like the kernel's for what the student may see: the notebook and
        # the public tests beside it. The checks themselves use the snapshot.
        work = root / "work"
        work.mkdir()
        for name, data in files.items():
            if name.startswith(protocol.SUBMISSION):
                (work / Path(name).name).write_bytes(data)
        env = protocol.process_environment(snapshot, role, files, dict(os.environ if environ is None else environ))
        attempt = 0
        while remaining:
            attempt += 1
            state_path = root / f"state-{attempt}.json"
            cmd = [sys.executable, "-P", "-m", protocol.PROCESS_MODULE, str(snapshot), str(state_path),
                   "--role", role, "--questions", ",".join(remaining),
                   "--limits", json.dumps({q: limits[q] for q in remaining}), "--hung", ",".join(graded.hung)]
            log = root / f"log-{attempt}.txt"
            with open(log, "w") as out:  # a submission's prints go here, never into the results
                proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
                killed = _watch(proc, state_path, limits, startup, progress, role, remaining)
            state = _state(state_path)
            done, current = state.get("questions", {}), state.get("current")
            graded.hung += [name for name in state.get("hung", []) if name not in graded.hung]
            if state.get("finished"):
                graded.update({q: done.get(q, []) for q in remaining})
                for question in remaining:
                    graded[question] = _fill(graded[question], files, question, role, STOPPED.format(
                        why="it did not report this case"))
                break
            if current not in remaining:  # it never reached a question: the start or the definitions
                for question in remaining:
                    graded[question] = _fill([], files, question, role, TIMED_OUT.format(
                        question=question, limit=startup, where=" (while loading the notebook's definitions)")
                        if killed else STOPPED.format(why=_why(proc.returncode, log, killed)))
                break
            for question in remaining[:remaining.index(current)]:
                graded[question] = done.get(question, [])
            graded[current] = _fill(done.get(current, []), files, current, role,
                                    TIMED_OUT.format(question=current, limit=limits[current], where="")
                                    if killed else STOPPED.format(why=_why(proc.returncode, log, killed)))
            remaining = [q for q in remaining if q not in graded]
    return graded


def _fill(reported: list, files: dict[str, bytes], question: str, role: str, message: str) -> list:
    """``reported`` completed with ``message`` for every case of ``question`` this role runs but did not report."""
    total = len(protocol.case_flags(files.get(f"{protocol.TESTS}{question}.py", b"").decode("utf-8"), role))
    return list(reported) + [[False, message]] * max(0, total - len(reported))


def _why(returncode, log: Path, killed: str) -> str:
    if killed:
        return "killed after its time limit"
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return f"exit status {returncode}" + (f": {lines[-1][-300:]}" if lines else "")


def _watch(proc: subprocess.Popen, state_path: Path, limits: dict[str, float], startup: float,
           progress: str | None = None, role: str = "", questions: list[str] = ()) -> str:
    """Wait for ``proc``; kill its group when a question (or the start) runs past its limit. Returns
    'question', 'startup' or '' (it ended by itself). Writes which question runs to ``progress``."""
    started, current, since = time.monotonic(), None, None
    while proc.poll() is None:
        time.sleep(0.25)
        now = time.monotonic()
        # The state file is written by the process that runs student code, so its word only says
        # which question runs now, and only a question name of ours is taken (the progress file can
        # reach a gradebook's error column); the clock is this process's own, and the run is capped.
        name = _state(state_path).get("current")
        name = name if name in questions else None
        if name != current:
            current, since = name, now
            if progress and current:
                Path(progress).write_text(protocol.PROGRESS_QUESTION.format(question=current, role=role))
        over = (current is None and now - started > startup) or (
            current is not None and now - since > limits.get(current, DEFAULT_LIMIT) + GRACE)
        if over or now - started > startup + sum(limits.values()) + GRACE * len(limits):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            return "startup" if current is None else "question"
    return ""


