"""``wganlab gradebook merge``: join the parts of a sharded grading into one gradebook.

Each part is the ``--out`` folder of one ``wganlab grade ... --shard K/N`` run: its
``gradebook.csv``, ``results/`` and ``shard.json`` (which shard, of how many, the autograder zip's
SHA-256, and each row's position in the whole class). The merge refuses parts that do not make
exactly one whole: a missing or duplicated shard, parts of different splits or zips, or a
submission that appears twice. Rows come out in the order an unsharded run writes them.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from wganlab.course.grading import SHARD_FILE, GradingError
from wganlab.files import atomic_write


class MergeError(GradingError):
    """Parts that do not add up to one whole grading."""


def _read_part(folder: Path) -> tuple[dict, list[str], list[list[str]]]:
    """(manifest, gradebook header, gradebook rows) of one part folder; a clear error when it is not one."""
    manifest_path, book = folder / SHARD_FILE, folder / "gradebook.csv"
    if not manifest_path.is_file() or not book.is_file():
        raise MergeError(f"{folder} is not a part of a sharded grading: it needs {SHARD_FILE} and gradebook.csv "
                         "(from `wganlab grade ... --shard K/N --out FOLDER`)")
    manifest = json.loads(manifest_path.read_text())
    with open(book, newline="") as f:
        header, *rows = list(csv.reader(f))
    names = [r["submission"] for r in manifest["rows"]]
    if [row[0] for row in rows] != names:
        raise MergeError(f"{folder}: gradebook.csv and {SHARD_FILE} list different submissions")
    return manifest, header, rows


def merge(parts: list[Path], out: Path) -> int:
    """Merge part folders into ``out/gradebook.csv`` and ``out/results/``; return the number of rows."""
    if not parts:
        raise MergeError("no part folders given")
    read = [(Path(p), *_read_part(Path(p))) for p in parts]
    first = read[0][1]
    n = first["of"]
    for folder, manifest, header, _ in read:
        for key in ("of", "autograder_sha256", "submissions_in_all_shards"):
            if manifest[key] != first[key]:
                raise MergeError(f"{folder} belongs to a different grading than {read[0][0]} ({key}: "
                                 f"{manifest[key]!r} against {first[key]!r})")
        if header != read[0][2]:
            raise MergeError(f"{folder}: its gradebook has different columns than {read[0][0]}'s")
    shards = sorted(m["shard"] for _, m, _, _ in read)
    duplicated = sorted({k for k in shards if shards.count(k) > 1})
    missing = sorted(set(range(1, n + 1)) - set(shards))
    if duplicated or missing:
        raise MergeError(f"the parts must be shards 1..{n} once each: "
                         + "; ".join(filter(None, [f"missing {missing}" if missing else "",
                                                   f"duplicated {duplicated}" if duplicated else ""])))
    positioned = []
    for folder, manifest, _, rows in read:
        positioned += [(entry["position"], entry["submission"], row, folder)
                       for entry, row in zip(manifest["rows"], rows)]
    positioned.sort()
    positions = [p for p, *_ in positioned]
    names = [name for _, name, _, _ in positioned]
    if positions != list(range(first["submissions_in_all_shards"])) or len(set(names)) != len(names):
        raise MergeError(f"the parts hold {len(positioned)} rows for {first['submissions_in_all_shards']} "
                         "submissions, or a submission twice: were they graded from the same folder?")
    out = Path(out)
    results = out / "results"
    results.mkdir(parents=True, exist_ok=True)
    for _, name, _, folder in positioned:
        source = folder / "results" / f"{name}.json"
        if source.is_file():  # a copy cut short must not look like a results file
            atomic_write(results / f"{name}.json", lambda tmp, source=source: shutil.copyfile(source, tmp))
    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(read[0][2])
            writer.writerows(row for _, _, row, _ in positioned)

    atomic_write(out / "gradebook.csv", write)
    return len(positioned)
