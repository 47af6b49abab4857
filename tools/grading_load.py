"""Time `wganlab grade` on a class-sized folder: the bad-submission corpus, copied until >= N files.

    python tools/grading_load.py --copies 3 --jobs 2 --timeout 60 --out out/load

Builds assignment 01 (unless --autograder is given), writes the corpus of tests/submissions.py
``--copies`` times (16 cases each, good and broken mixed), grades the folder in one call, and
prints the wall time, the per-submission median and the count of rows by outcome.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import submissions  # noqa: E402
from wganlab.course import build, grading  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "load")
    args = parser.parse_args()
    dist = args.out / "dist"
    result = build.build([submissions.ASSIGNMENT], dist=dist, assignments=args.out / "assignments")[0]
    folder = args.out / "submissions"
    cases = submissions.write_corpus(folder, result.reference_notebook, result.student_notebook, args.copies)
    start = time.perf_counter()
    rows = grading.grade(submissions.ASSIGNMENT, [folder], args.out / "graded", jobs=args.jobs,
                         timeout=args.timeout, autograder=result.autograder_zip)
    wall = time.perf_counter() - start
    ran = [r.seconds for r in rows if not r.error or "timed out" in r.error or "died" in r.error]
    print(f"{len(rows)} submissions ({len(cases)} written), jobs={args.jobs}, timeout={args.timeout:g} s")
    print(f"wall {wall:.1f} s; per-submission median {statistics.median(r.seconds for r in rows):.1f} s "
          f"over all rows, {statistics.median(ran):.1f} s over the {len(ran)} that started otter")
    full = sum(grading.zip_points(result.autograder_zip).values())
    print(f"full marks: {sum(r.total == full for r in rows)}, errors: {sum(bool(r.error) for r in rows)}, "
          f"timeouts: {sum('timed out' in r.error for r in rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
