"""Grading is deterministic: the same submission graded twice gets identical results files.

Assignment 03 trains a WGAN inside its convergence question, so it is where randomness could
creep in. Graded twice each, in one ``wganlab grade`` call with two jobs (the copies run at the
same time, in different processes): the reference, and a submission that re-seeds Python, NumPy
and Keras and draws random numbers between cells, with a wrong-signed generator loss so that its
convergence question fails with measured numbers in the message.
"""

from __future__ import annotations

import json
import re
import shutil

import submissions
from wganlab.course import grading

ASSIGNMENT = "03_gan_vs_wgan_mnist"
TIMINGS = re.compile(r"\d+(\.\d+)?\s*(s|seconds|ms)\b")  # none today; a timing in a message is allowed to vary


def _normalised(path) -> str:
    return TIMINGS.sub("<time>", json.dumps(json.loads(path.read_text()), sort_keys=True, ensure_ascii=False))


def test_same_submission_graded_twice_gives_identical_results(built, tmp_path, monkeypatch):
    monkeypatch.setenv("WGANLAB_FAST", "1")
    result = built[ASSIGNMENT]
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copyfile(result.reference_notebook, folder / "reference.ipynb")
    shutil.copyfile(result.reference_notebook, folder / "reference_again.ipynb")
    reseeded = submissions.reseeding_submission(json.loads(result.reference_notebook.read_text()))
    for name in ("reseeded", "reseeded_again"):
        (folder / f"{name}.ipynb").write_text(json.dumps(reseeded))
    out = tmp_path / "out"
    rows = {r.submission: r for r in grading.grade(ASSIGNMENT, [folder], out, jobs=2, timeout=600,
                                                   autograder=result.autograder_zip)}
    assert all(not r.error for r in rows.values()), {k: r.error for k, r in rows.items()}
    points = grading.zip_points(result.autograder_zip)
    assert rows["reference"].total == sum(points.values())
    assert rows["reseeded"].scores["wgan_convergence"] < points["wgan_convergence"]
    for name in ("reference", "reseeded"):
        assert rows[name].scores == rows[f"{name}_again"].scores
        first, second = out / "results" / f"{name}.json", out / "results" / f"{name}_again.json"
        assert _normalised(first) == _normalised(second), f"{name}: the two gradings differ"
    # What was compared holds the training's measured numbers, not only pass/fail.
    assert "generator steps on" in (out / "results" / "reseeded.json").read_text()
