"""Peak memory of one grading per assignment: ``otter run`` plus the kernel it starts.

    python tools/grading_memory.py                     # all four, reference submissions
    python tools/grading_memory.py 01 --python /tmp/gs-venv/bin/python

Gradescope runs ``otter run`` on the submission inside the container built from the zip's
``environment.yml``; this runs the same ``otter run -a dist/autograder/NAME.zip`` on the built
reference notebook (``dist/reference/NAME.ipynb``) with ``--python`` (default: this interpreter,
i.e. the development venv, an approximation of the zip's environment), with the CPU schedule
(WGANLAB_FAST unset), and samples the resident memory (RSS) of that process and all its
descendants every 0.1 s. Prints a markdown table: assignment, peak MiB of the tree, the largest
single process's peak, seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wganlab.course.build import resolve_names  # noqa: E402


def _tree_rss(proc: psutil.Process) -> tuple[int, int]:
    total = largest = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    for p in procs:
        try:
            rss = p.memory_info().rss
        except psutil.Error:
            continue
        total, largest = total + rss, max(largest, rss)
    return total, largest


def measure(name: str, dist: Path, python: str, interval: float = 0.1) -> dict:
    """Grade the reference of ``name`` once with ``otter run``; return peak RSS (MiB) and seconds."""
    zip_path, reference = dist / "autograder" / f"{name}.zip", dist / "reference" / f"{name}.ipynb"
    for path in (zip_path, reference):
        if not path.is_file():
            raise SystemExit(f"no {path}: run `python -m wganlab build {name}` first")
    scratch = Path(tempfile.mkdtemp(prefix=f"grading-memory-{name}-"))
    try:
        submission = scratch / f"{name}.ipynb"
        (scratch / "out").mkdir()
        shutil.copyfile(reference, submission)
        env = {k: v for k, v in os.environ.items() if k != "WGANLAB_FAST"}
        env["TMPDIR"] = str(scratch)
        cmd = [python, "-m", "otter", "run", "-a", str(zip_path.resolve()), "-o", str(scratch / "out"), str(submission)]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=scratch, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        ps, peak, largest = psutil.Process(proc.pid), 0, 0
        while proc.poll() is None:
            total, big = _tree_rss(ps)
            peak, largest = max(peak, total), max(largest, big)
            time.sleep(interval)
        output = proc.stdout.read().decode(errors="replace")
        if proc.returncode != 0:
            raise SystemExit(f"otter run failed for {name} (exit {proc.returncode}):\n{output[-3000:]}")
        return {"name": name, "peak_mib": peak / 2**20, "largest_mib": largest / 2**20,
                "seconds": time.perf_counter() - start}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="assignments (default: all); '01' is enough")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--python", default=sys.executable, help="the interpreter whose otter grades")
    args = parser.parse_args(argv)
    print(f"python: {args.python}\n\n| assignment | peak RSS, otter run + kernel (MiB) | largest process (MiB) | seconds |")
    print("|---|---:|---:|---:|", flush=True)
    for name in resolve_names(args.names):
        r = measure(name, args.dist, args.python)
        print(f"| {name} | {r['peak_mib']:.0f} | {r['largest_mib']:.0f} | {r['seconds']:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
