"""Seconds per code cell of each assignment, run top to bottom from its hand-out, as a student would.

    python tools/cell_times.py --grade --json docs/run_times.json   # all four, CPU schedules
    python tools/cell_times.py 01 03

Each assignment runs as a student runs it: its hand-out (``dist/student/NAME.zip``, made by
``wganlab build``) unpacked into an empty scratch folder, the notebook's stubs filled from the
reference (``dist/reference/NAME.ipynb``), then top to bottom in a fresh Jupyter kernel started
in that folder, importing wganlab from the hand-out's wheel (not this checkout), with
TF_CPP_MIN_LOG_LEVEL unset as on a student's machine and WGANLAB_FAST unset unless ``--fast``.
``--grade`` grades the zip the Submit cell exported with ``wganlab grade`` (full marks expected).
Prints a markdown table (cell, first line, steps the cell printed, seconds) per notebook;
``--json`` also merges the numbers into the file the hand-out README's "Run times" quotes
(``docs/run_times.json``; rebuild afterwards). Timings depend on the machine's load: say what
else ran when you record them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wganlab.course import notebook_run  # noqa: E402
from wganlab.course.build import resolve_names  # noqa: E402

STEPS = re.compile(r"Training for (\d+) steps")
# TensorFlow's C++ / absl log lines ("I0000 00:00:17... port.cc:153] oneDNN ...", "remapper failed")
CPP_LOG = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d.*$|^.*absl::InitializeLog.*$|^.*remapper failed.*$", re.MULTILINE)


def _cell_steps(cell: dict) -> str:
    text = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    return " + ".join(STEPS.findall(text))


def time_notebook(name: str, dist: Path, fast: bool, grade: bool = False) -> dict:
    """Run assignment ``name`` as a student: the hand-out unpacked into an empty folder, its stubs
    filled from ``dist/reference``, wganlab from the hand-out's wheel; return per-cell seconds,
    and with ``grade`` the score ``wganlab grade`` gives the zip its Submit cell exported."""
    handout, reference = dist / "student" / f"{name}.zip", dist / "reference" / f"{name}.ipynb"
    for path in (handout, reference):
        if not path.is_file():
            raise SystemExit(f"no {path}: run `python -m wganlab build {name}` first")
    scratch = Path(tempfile.mkdtemp(prefix=f"cell-times-{name}-"))
    try:
        with zipfile.ZipFile(handout) as zf:
            zf.extractall(scratch)
        folder = scratch / name
        wheel = next(folder.glob("wganlab-*.whl"))
        nb = notebook_run.fill_with_reference(json.loads((folder / f"{name}.ipynb").read_text()),
                                              json.loads(reference.read_text()))
        (folder / f"{name}.ipynb").write_text(json.dumps(nb), encoding="utf-8")  # as saved by the student
        env = {"WGANLAB_FAST": "1"} if fast else {"WGANLAB_FAST": ""}
        start = time.perf_counter()
        ran = notebook_run.run(nb, folder, pythonpath=[wheel], env=env, timeout=3600)
        wall = time.perf_counter() - start
        exported = sorted(folder.glob(f"{name}_*.zip"))
        score = None
        if grade:
            from wganlab.course import grading

            if not exported:
                raise SystemExit(f"{name}: the Submit cell wrote no zip")
            [row] = grading.grade(name, exported[-1:], scratch / "graded", timeout=3600, dist=dist)
            points = grading.zip_points(dist / "autograder" / f"{name}.zip")
            score = f"{row.total:g}/{sum(points.values()):g}" + (f" ({row.error})" if row.error else "")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    cells = [{"cell": i, "first_line": line, "steps": _cell_steps(ran["cells"][i]), "seconds": round(s, 1)}
             for i, line, s in notebook_run.cell_seconds(ran)]
    noise = CPP_LOG.findall(notebook_run.outputs_text(ran))
    return {"cells": cells, "cpp_log_lines": noise, "total_s": round(sum(c["seconds"] for c in cells), 1),
            "wall_s": round(wall, 1), "exported": [p.name for p in exported], "grade": score,
            "machine": f"a {os.cpu_count()}-core CPU ({platform.machine()}, shared)", "date": date.today().isoformat(),
            "fast": fast}


def table(name: str, result: dict, min_seconds: float = 0.5) -> str:
    """Markdown table of one notebook's cells that took at least ``min_seconds`` (training always)."""
    rows = [f"**{name}**: {result['total_s']:.0f} s in cells ({result['wall_s']:.0f} s with the kernel start); "
            f"TensorFlow C++ log lines in the outputs: {len(result['cpp_log_lines'])}; exported "
            f"{result['exported'] or 'nothing'}; graded: {result['grade'] or 'not asked'}\n",
            "| cell | first line | steps | seconds |", "|---:|---|---:|---:|"]
    for c in result["cells"]:
        if c["seconds"] >= min_seconds or c["steps"]:
            first = c["first_line"].replace("|", "\\|")[:60]
            rows.append(f"| {c['cell']} | `{first}` | {c['steps'] or ''} | {c['seconds']:.1f} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="assignments (default: all); '01' is enough")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--fast", action="store_true", help="set WGANLAB_FAST (the tests' quick schedules)")
    parser.add_argument("--grade", action="store_true", help="also grade the exported zip with `wganlab grade`")
    parser.add_argument("--json", type=Path, default=None, help="also merge the numbers into this JSON file")
    args = parser.parse_args(argv)
    for name in resolve_names(args.names):
        result = time_notebook(name, args.dist, args.fast, args.grade)
        print(table(name, result), flush=True)
        if args.json:  # after each notebook, so an interrupted run keeps what it measured
            merged = json.loads(args.json.read_text()) if args.json.is_file() else {}
            merged[name] = result
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
