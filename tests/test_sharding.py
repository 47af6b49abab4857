"""Sharded grading: ``wganlab grade --shard K/N`` parts merged by ``wganlab gradebook merge`` equal one
unsharded run (cheap 01 submissions from tests/submissions.py, through the real zip), also when the
parts come from the README's SLURM array job on a real scheduler (tools/grade_array.sbatch). The
unsharded run is the session's grading of the whole corpus (fixture ``corpus``, tests/conftest.py):
the parts grade copies of its files, and must give the same gradebook rows and results files."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import submissions
from wganlab import cli
from wganlab.course import gradebook, grading

CASES = {case.name: case for case in submissions.CASES}
# Three graded by otter, two refused before otter runs (an .ipynb that is no notebook, a zip
# without one); dealt round-robin by sorted name, every part gets one otter grading: part 1
# not_a_notebook and syntax_error, part 2 raises and zip_without_notebook, part 3 reference.
NAMES = ("not_a_notebook", "raises", "reference", "syntax_error", "zip_without_notebook")
SLURM_NAMES = ("not_a_notebook", "reference", "zip_without_notebook")  # one per array task


def test_shards_partition_the_sorted_names_the_same_way_in_any_order():
    labels = [f"student{i:03d}" for i in range(23)]
    shuffled = labels[5:] + labels[:5]
    parts = [[labels[i] for i in grading.shard_indices(labels, (k, 4))] for k in range(1, 5)]
    again = [[shuffled[i] for i in grading.shard_indices(shuffled, (k, 4))] for k in range(1, 5)]
    assert [sorted(p) for p in parts] == [sorted(p) for p in again]
    assert sorted(sum(parts, [])) == labels and {len(p) for p in parts} == {5, 6}


@pytest.mark.parametrize("text", ["3", "0/2", "3/2", "a/b", "1/0"])
def test_bad_shard_is_refused(text):
    with pytest.raises(grading.GradingError, match="shard"):
        grading.parse_shard(text)


def _copy_cases(corpus, names, folder: Path) -> Path:
    """``folder`` with the corpus's own files of ``names`` (the same bytes it graded)."""
    folder.mkdir(parents=True)
    for name in names:
        shutil.copyfile(corpus.folder / CASES[name].file_name(), folder / CASES[name].file_name())
    return folder


@pytest.fixture(scope="module")
def graded(corpus, built, tmp_path_factory):
    """([part folders of 3 shards], merged out folder): NAMES, copied from the corpus, graded
    in 3 shards by `wganlab grade --shard K/3` and merged by `wganlab gradebook merge`."""
    result = built[submissions.ASSIGNMENT]
    root = tmp_path_factory.mktemp("sharding")
    folder = _copy_cases(corpus, NAMES, root / "submissions")
    zip_arg = ["--assignment", "01", "--autograder", str(result.autograder_zip), "--jobs", "2"]
    parts = []
    for k in (1, 2, 3):
        part = root / f"part{k}"
        assert cli.main(["grade", *zip_arg, "--shard", f"{k}/3", "--out", str(part), str(folder)]) == 0
        parts.append(part)
    assert cli.main(["gradebook", "merge", "--out", str(root / "merged"), *map(str, reversed(parts))]) == 0
    return parts, root / "merged"


def _same_grading(merged: Path, corpus, names) -> None:
    """``merged`` holds what the unsharded corpus run gave ``names``: gradebook rows and results files."""
    with open(merged / "gradebook.csv", newline="") as f:
        assert list(csv.reader(f)) == corpus.gradebook_rows(names)
    assert sorted(p.name for p in (merged / "results").glob("*.json")) == sorted(f"{n}.json" for n in names)
    for name in names:
        assert json.loads((merged / "results" / f"{name}.json").read_text()) == \
            json.loads((corpus.out / "results" / f"{name}.json").read_text()), name


def test_sharded_then_merged_equals_one_unsharded_run(graded, corpus):
    parts, merged = graded
    _same_grading(merged, corpus, NAMES)
    sizes = [len(json.loads((p / grading.SHARD_FILE).read_text())["rows"]) for p in parts]
    assert sorted(sizes) == [1, 2, 2]


def test_merge_refuses_a_missing_or_duplicated_shard(graded, tmp_path):
    parts, _ = graded
    with pytest.raises(gradebook.MergeError, match=r"missing \[3\]"):
        gradebook.merge(parts[:2], tmp_path / "a")
    with pytest.raises(gradebook.MergeError, match=r"duplicated \[2\]"):
        gradebook.merge([parts[0], parts[1], parts[1], parts[2]], tmp_path / "b")
    with pytest.raises(gradebook.MergeError, match="not a part"):
        gradebook.merge([parts[0], tmp_path], tmp_path / "c")
    assert not (tmp_path / "a" / "gradebook.csv").exists()


SBATCH = Path(__file__).resolve().parents[1] / "tools" / "grade_array.sbatch"


def _wait_for_job(job: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while subprocess.run(["squeue", "-h", "-j", job], capture_output=True, text=True).stdout.strip():
        if time.monotonic() > deadline:
            subprocess.run(["scancel", job])
            pytest.fail(f"SLURM job {job} did not finish in {seconds:.0f} s (cancelled)")
        time.sleep(2)


@pytest.mark.skipif(shutil.which("sbatch") is None,
                    reason="needs SLURM (sbatch): tools/slurm_single_node.sh starts a one-node cluster, as CI does")
def test_readme_slurm_array_job_then_merge_equals_one_unsharded_run(corpus, built, tmp_path):
    """The README's array job (tools/grade_array.sbatch, submitted as it is), one task per submission:
    the reference through otter, two refused before otter runs; merged, what the corpus run gave them."""
    nodes = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    if nodes.returncode != 0 or not {"idle", "mixed", "allocated"} & set(nodes.stdout.split()):
        pytest.fail(f"sbatch is installed but no SLURM node is up ({nodes.stdout.strip() or nodes.stderr.strip()}): "
                    "run tools/slurm_single_node.sh")
    parts = tmp_path / "parts"
    env = {**os.environ, "ASSIGNMENT": "01", "AUTOGRADER": str(built[submissions.ASSIGNMENT].autograder_zip),
           "SUBMISSIONS": str(_copy_cases(corpus, SLURM_NAMES, tmp_path / "submissions")), "PARTS": str(parts),
           "WGANLAB": f"{sys.executable} -m wganlab"}  # the default timeout, as the unsharded run
    # A 2-CPU node: one CPU per task, so two of the three tasks run at once.
    submit = subprocess.run(["sbatch", "--parsable", "--array=1-3", "--cpus-per-task=1", "--time=10",
                             f"--output={tmp_path}/grade-%A_%a.log", str(SBATCH)],
                            cwd=tmp_path, env=env, capture_output=True, text=True)
    assert submit.returncode == 0, submit.stderr
    job = submit.stdout.strip().split(";")[0]
    _wait_for_job(job, 900)  # about 30 s on an idle 2-core node; the limit only stops a hung job
    logs = "\n".join(p.read_text() for p in sorted(tmp_path.glob("grade-*.log")))
    assert sorted(p.name for p in parts.iterdir()) == ["1", "2", "3"], logs
    assert "gradebook:" in logs and logs.count("gradebook:") == 3, logs
    assert cli.main(["gradebook", "merge", "--out", str(tmp_path / "graded"), *map(str, sorted(parts.iterdir()))]) == 0
    _same_grading(tmp_path / "graded", corpus, SLURM_NAMES)
