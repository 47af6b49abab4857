"""Sharded grading: ``wganlab grade --shard K/N`` parts merged by ``wganlab gradebook merge`` equal one
unsharded run (cheap 01 submissions from tests/submissions.py, through the real zip)."""

from __future__ import annotations

import json
import shutil

import pytest

import submissions
from wganlab import cli
from wganlab.course import gradebook, grading

NAMES = ("raises", "returns_nan", "missing_function", "syntax_error")


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


@pytest.fixture(scope="module")
def graded(built, tmp_path_factory):
    """(unsharded out folder, [part folders of 3 shards], merged out folder)."""
    result = built[submissions.ASSIGNMENT]
    root = tmp_path_factory.mktemp("sharding")
    folder = root / "submissions"
    folder.mkdir()
    ref = json.loads(result.reference_notebook.read_text())
    stu = json.loads(result.student_notebook.read_text())
    shutil.copyfile(result.reference_notebook, folder / "reference.ipynb")
    for case in submissions.CASES:
        if case.name in NAMES:
            case.write(folder, ref, stu)
    zip_arg = ["--assignment", "01", "--autograder", str(result.autograder_zip), "--jobs", "2"]
    assert cli.main(["grade", *zip_arg, "--out", str(root / "whole"), str(folder)]) == 0
    parts = []
    for k in (1, 2, 3):
        part = root / f"part{k}"
        assert cli.main(["grade", *zip_arg, "--shard", f"{k}/3", "--out", str(part), str(folder)]) == 0
        parts.append(part)
    assert cli.main(["gradebook", "merge", "--out", str(root / "merged"), *map(str, reversed(parts))]) == 0
    return root / "whole", parts, root / "merged"


def test_sharded_then_merged_equals_one_unsharded_run(graded):
    whole, parts, merged = graded
    assert (merged / "gradebook.csv").read_text() == (whole / "gradebook.csv").read_text()
    names = sorted(p.name for p in (whole / "results").glob("*.json"))
    assert len(names) == len(NAMES) + 1
    assert sorted(p.name for p in (merged / "results").glob("*.json")) == names
    for name in names:
        assert json.loads((merged / "results" / name).read_text()) == json.loads((whole / "results" / name).read_text())
    sizes = [len(json.loads((p / grading.SHARD_FILE).read_text())["rows"]) for p in parts]
    assert sorted(sizes) == [1, 2, 2]


def test_merge_refuses_a_missing_or_duplicated_shard(graded, tmp_path):
    _, parts, _ = graded
    with pytest.raises(gradebook.MergeError, match=r"missing \[3\]"):
        gradebook.merge(parts[:2], tmp_path / "a")
    with pytest.raises(gradebook.MergeError, match=r"duplicated \[2\]"):
        gradebook.merge([parts[0], parts[1], parts[1], parts[2]], tmp_path / "b")
    with pytest.raises(gradebook.MergeError, match="not a part"):
        gradebook.merge([parts[0], tmp_path], tmp_path / "c")
    assert not (tmp_path / "a" / "gradebook.csv").exists()
