"""Tampering submissions (tests/tampering.py) score exactly what the same broken submission scores.

One ``wganlab grade`` call per assignment grades the broken submission and each of its tampered
copies through the real zip (two jobs; notebook cells under WGANLAB_FAST, the isolated checks at
the grading schedule). Every question of every tampered copy must score what the broken one does,
and the broken one must lose points where it is broken, so equality is not "both full marks".
A last test grades a broken 03 submission twice and asks for identical results files.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

import tampering
from wganlab.course import grading

ASSIGNMENTS = ("02_critic_estimator", "03_gan_vs_wgan_mnist", "04_wgan_gp_celeba")
# The question each broken function loses (besides its own): the convergence question it feeds.
LOSES = {
    "02_critic_estimator": ("critic_loss", "estimator"),
    "03_gan_vs_wgan_mnist": ("critic_loss", "wgan_convergence"),
    "04_wgan_gp_celeba": ("gradient_penalty", "critic_loss_gp"),
}


def _rows(path: Path) -> dict[str, dict]:
    with open(path, newline="") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def graded(built, tmp_path_factory):
    """{assignment: (gradebook rows, results folder)}: each assignment's corpus graded in one call."""
    out = {}
    mp = pytest.MonkeyPatch()
    mp.setenv("WGANLAB_FAST", "1")
    try:
        for assignment in ASSIGNMENTS:
            result = built[assignment]
            root = tmp_path_factory.mktemp(f"tamper-{assignment[:2]}")
            folder = root / "submissions"
            folder.mkdir()
            reference = json.loads(Path(result.reference_notebook).read_text())
            (folder / "broken.ipynb").write_text(json.dumps(tampering.broken(assignment, reference)))
            for tamper in tampering.TAMPERS:
                if tamper.assignment == assignment:
                    (folder / f"{tamper.name}.ipynb").write_text(json.dumps(tampering.tampered(tamper, reference)))
            grading.grade(assignment, [folder], root / "out", jobs=2, timeout=600, autograder=result.autograder_zip)
            out[assignment] = (_rows(root / "out" / "gradebook.csv"), root / "out" / "results")
    finally:
        mp.undo()
    return out


def test_corpus_covers_modules_classes_checks_and_numpy():
    targets = {t.target for t in tampering.TAMPERS}
    for needed in ("wganlab.course.convergence._run", "wganlab.metrics.wasserstein1", "wganlab.train.train",
                   "keras.layers.Dense.call", "keras.Model.__call__", "the check module (wganlab_checks)",
                   "numpy functions"):
        assert needed in targets
    assert {t.assignment for t in tampering.TAMPERS} == set(ASSIGNMENTS)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_broken_submission_loses_its_questions(graded, assignment, built):
    rows, _ = graded[assignment]
    points = grading.zip_points(built[assignment].autograder_zip)
    broken = rows["broken"]
    assert broken["error"] == "", broken["error"]
    for question in LOSES[assignment]:
        assert float(broken[question]) < points[question], (question, broken)


@pytest.mark.parametrize("tamper", tampering.TAMPERS, ids=[t.name for t in tampering.TAMPERS])
def test_tampered_submission_scores_what_the_broken_one_does(graded, tamper):
    rows, results = graded[tamper.assignment]
    broken, row = rows["broken"], rows[tamper.name]
    assert row["error"] == "", row["error"]
    questions = [k for k in broken if k not in ("submission", "error")]
    assert {q: row[q] for q in questions} == {q: broken[q] for q in questions}, f"{tamper.target} changed a score"
    # The messages too, measured numbers included: the tampering cell changed nothing the checks saw.
    def messages(name):
        tests = json.loads((results / f"{name}.json").read_text())["tests"]
        return [(t.get("name"), t.get("score"), t.get("output")) for t in tests if t.get("max_score") is not None]
    assert messages(tamper.name) == messages("broken")


def test_kernel_side_convergence_checks_fail_fast_without_the_plugin(test_files, monkeypatch):
    """Fail-safe: where nothing set the isolated process's flag, the convergence cases score 0 at once."""
    from otter_tests import run_question
    from wganlab.course.functions import reference_functions

    monkeypatch.delenv("WGANLAB_RUN_CONVERGENCE")
    ref = vars(reference_functions("03_gan_vs_wgan_mnist"))
    score, maximum, failures = run_question(test_files["03_gan_vs_wgan_mnist"], "wgan_convergence", dict(ref))
    assert score < maximum
    assert any(re.search("graded in an isolated process", f) for f in failures), failures
