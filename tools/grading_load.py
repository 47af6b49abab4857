"""Time `wganlab grade` on a class-sized folder: given submissions, copied until there are N of each.

    python tools/grading_load.py --assignment 01 --folder my_class/ --copies 3 --jobs 2 --timeout 60
    python tools/grading_load.py --assignment 01 --copies 24           # no folder: reference + blank

Builds the assignment (unless --autograder is given), copies every ``.ipynb``/``.py``/``.zip`` of
``--folder`` ``--copies`` times into one folder (without a folder: the reference notebook and the
blank student notebook, a full-marks and a zero-marks submission), grades that folder in one call,
and prints the wall time, the per-submission median and the count of rows by outcome. The NOTES.md
figure for a corpus of broken submissions was measured with the corpus of
``tests/submissions.py`` written into a folder.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

from wganlab.course import build, grading
from wganlab.course.functions import resolve_assignment

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = (".ipynb", ".py", ".zip")


def write_load(sources: list[Path], folder: Path, copies: int) -> list[Path]:
    """``copies`` copies of each source file in ``folder`` (emptied first); returns the files written."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written = []
    for k in range(copies):
        for i, source in enumerate(sources):  # sources may share a name (the reference and the blank do)
            target = folder / f"{i:03d}_{source.stem}_{k}{source.suffix}"
            shutil.copyfile(source, target)
            written.append(target)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assignment", default="01")
    parser.add_argument("--folder", type=Path, default=None, help="submissions to copy (default: reference and blank)")
    parser.add_argument("--autograder", type=Path, default=None, help="a built zip (default: build it)")
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "load")
    args = parser.parse_args()
    name = resolve_assignment(args.assignment)
    if args.autograder is None or args.folder is None:
        result = build.build([name], dist=args.out / "dist", assignments=args.out / "assignments")[0]
        autograder = args.autograder or result.autograder_zip
        sources = [result.reference_notebook, result.student_notebook]
    else:
        autograder = args.autograder
    if args.folder is not None:
        if not args.folder.is_dir():
            parser.error(f"--folder {args.folder} is not a folder")
        sources = sorted(p for p in args.folder.iterdir() if p.suffix in SUFFIXES)
        if not sources:
            parser.error(f"--folder {args.folder} holds no {', '.join(SUFFIXES)} files")
    folder = args.out / "submissions"
    written = write_load(sources, folder, args.copies)
    start = time.perf_counter()
    rows = grading.grade(name, [folder], args.out / "graded", jobs=args.jobs, timeout=args.timeout,
                         autograder=autograder)
    wall = time.perf_counter() - start
    ran = [r.seconds for r in rows if not r.error or "timed out" in r.error or "died" in r.error]
    print(f"{len(rows)} submissions ({len(written)} written), jobs={args.jobs}, timeout={args.timeout:g} s")
    print(f"wall {wall:.1f} s; per-submission median {statistics.median(r.seconds for r in rows):.1f} s "
          f"over all rows, {statistics.median(ran):.1f} s over the {len(ran)} that started otter")
    full = sum(grading.zip_points(autograder).values())
    print(f"full marks: {sum(r.total == full for r in rows)}, errors: {sum(bool(r.error) for r in rows)}, "
          f"timeouts: {sum('timed out' in r.error for r in rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
