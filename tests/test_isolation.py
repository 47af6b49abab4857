"""The sealed grading processes on their own (no otter run): what they load from a notebook, the
notebook-global message, definition-time patches undone, per-question time limits, and how the
guard merges the two processes' reports."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from otter.test_files import GradingResults

import tampering
from submissions import add_cell_after, replace_function
from wganlab.course import guard, isolation, protocol
from wganlab.course.freeze import Frozen
from wganlab.course.functions import load_namespace, notebook_globals
from wganlab.course.hidden_text import split_test_file

ASSIGNMENT = "01_divergences"
KL_WITH_GLOBAL = '''def kl_divergence(p, q):
    return float(np.sum(np.where(p > 0, p * LOG(np.where(p > 0, p, 1.0) / q), 0.0)))
'''
W1_WITH_CONSTANT = '''def wasserstein_1d(u_values, v_values, u_weights=None, v_weights=None):
    from scipy.stats import wasserstein_distance
    return wasserstein_distance(u_values, v_values, u_weights, v_weights) + EPS
'''


def _notebook(reference: dict) -> dict:
    nb = replace_function(reference, "kl_divergence", KL_WITH_GLOBAL)
    nb = replace_function(nb, "wasserstein_1d", W1_WITH_CONSTANT)
    return add_cell_after(nb, "kl_divergence", "EPS = 0.0  # a constant: loaded\nLOG = getattr(np, 'log')  # a call: not loaded\nprint(LOG)\n")


def _snapshot(folder, notebook: dict, questions=None) -> dict[str, bytes]:
    snap = protocol.take_snapshot(folder, None)
    snap["submission.ipynb"] = json.dumps(notebook).encode()
    if questions is not None:
        snap = {k: v for k, v in snap.items() if not k.startswith("tests/") or Path(k).stem in questions}
    return snap


def _both(snapshot: dict[str, bytes], **kwargs) -> dict[str, list]:
    """Every case of each question, public then hidden, graded by the two processes."""
    public = isolation.run_role(protocol.public_snapshot(snapshot), "public", **kwargs)
    hidden = isolation.run_role(snapshot, "hidden", **kwargs)
    return {q: public.get(q, []) + hidden.get(q, []) for q in protocol.questions_of(snapshot)}


def test_loader_runs_definitions_and_constants_only(tmp_path, built):
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(_notebook(json.loads(built[ASSIGNMENT].reference_notebook.read_text()))))
    namespace = load_namespace(path, lenient=True)
    assert namespace["EPS"] == 0.0 and callable(namespace["kl_divergence"]) and "LOG" not in namespace
    assert "LOG" in notebook_globals(path)


def test_processes_grade_the_snapshot_and_name_notebook_globals(built, test_files):
    reference = json.loads(built[ASSIGNMENT].reference_notebook.read_text())
    results = _both(_snapshot(test_files[ASSIGNMENT], _notebook(reference)))
    assert all(passed for passed, _ in results["wasserstein_1d"]), results["wasserstein_1d"]  # EPS loaded
    assert all(passed for passed, _ in results["example1_distances"])
    # js_divergence calls kl_divergence in the reference: the message names the function that reads LOG.
    failed = [message for passed, message in results["kl_divergence"] + results["js_divergence"] if not passed]
    assert len(failed) == 4
    assert all("`kl_divergence` uses `LOG`, which your notebook defines outside a function" in m for m in failed), failed


def test_public_files_hold_no_hidden_case(test_files):
    for folder in test_files.values():
        snap = protocol.take_snapshot(folder, None)
        public = protocol.public_snapshot(snap)
        assert not any(name.startswith("files/") for name in public)
        for name, data in public.items():
            if name.startswith("tests/"):
                text = data.decode()
                assert "hidden=True" not in text and "wganlab_checks" not in text, name
                assert "hidden=False" in text and compile(text, name, "exec")
                hidden, _ = split_test_file(snap[name].decode())
                assert hidden.strip() and hidden.strip().splitlines()[-1].strip() not in text


# ---------------------------------------------------------------------------------------------
# Item 1: definition-time patches of the modules the convergence checks call


@dataclass(frozen=True)
class Patch:
    """A notebook cell that patches one module when the loader defines it (no call runs)."""

    how: str
    module: str
    attribute: str
    cell: str


PATCHES = [
    Patch("decorator", "wganlab.course.convergence", "_run", '''\
from wganlab.course import convergence as _convergence

def _perfect(f):
    def run(generator, critic, real, objectives, config, label, digits=None, eval_samples=500):
        return _convergence.RunReport(data=label, steps=config.steps, seconds=1.0, w1_init=10.0, w1_final=1.0,
                                      diversity=1.0, digit_fraction=1.0, grad_norm=1.0, max_abs_critic_weight=0.0)
    _convergence._run = run
    return f

@_perfect
def helper_decorated():
    return None
'''),
    Patch("default argument", "wganlab.metrics", "wasserstein1", '''\
import itertools
import wganlab.metrics
_calls = itertools.count()

def _lying_w1(*args, **kwargs):
    return 10.0 if next(_calls) % 2 == 0 else 1.0

def helper_default(a=setattr(wganlab.metrics, "wasserstein1", _lying_w1),
                   b=setattr(wganlab.metrics, "diversity_ratio", lambda *args, **kwargs: 1.0)):
    return a, b
'''),
    Patch("class body", "wganlab.train", "train", '''\
import sys, types
import wganlab.train

class Sneaky:
    _real_train = wganlab.train.train

    def _right(generator, critic, data, objectives, config, *args, _real=wganlab.train.train, **kwargs):
        def clip(model, c):
            for v in model.trainable_variables:
                v.assign(ops.clip(v, -c, c))
        right = wganlab.train.wgan_objectives(lambda r, f: ops.mean(f) - ops.mean(r), lambda f: -ops.mean(f), clip)
        return _real(generator, critic, data, right, config, *args, **kwargs)

    wganlab.train.train = _right
    _fake = types.ModuleType("wganlab.train")
    _fake.__dict__.update(vars(wganlab.train))
    sys.modules["wganlab.train"] = _fake
'''),
]


def _notebook_with(cells: list[str]) -> dict:
    code = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c} for c in cells]
    return {"cells": code, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.parametrize("patch", PATCHES, ids=[p.how for p in PATCHES])
def test_definition_time_patch_takes_effect_and_is_undone(patch, tmp_path):
    """Cheap half: loading the definitions really patches the module (so the patch is a threat), and
    Frozen.restore() puts back the attribute and the sys.modules entry."""
    import importlib

    module = importlib.import_module(patch.module)
    original = getattr(module, patch.attribute)
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(_notebook_with(["from keras import ops\n", patch.cell])))
    frozen = Frozen()
    try:
        load_namespace(path, lenient=True)
        assert getattr(module, patch.attribute) is not original, f"the {patch.how} did not patch {patch.module}"
        changed = frozen.restore()
    finally:
        frozen.restore()
    assert getattr(module, patch.attribute) is original
    assert sys.modules[patch.module] is module
    assert f"{patch.module.rsplit('.', 1)[-1]}.{patch.attribute}" in " ".join(changed)


def test_frozen_restores_function_bodies_and_defaults():
    import wganlab.metrics

    function = wganlab.metrics.diversity_ratio
    code, defaults = function.__code__, function.__defaults__
    frozen = Frozen()
    function.__code__ = (lambda *args, **kwargs: 1.0).__code__
    function.__defaults__ = None
    assert any("diversity_ratio (code or defaults)" in c for c in frozen.restore())
    assert function.__code__ is code and function.__defaults__ is defaults


@pytest.mark.slow
def test_definition_time_patches_score_what_the_broken_submission_scores(built, test_files):
    """Expensive half: 03's convergence question graded by the hidden process, the broken submission
    against the same with all three patches: identical cases, messages (measured numbers) included."""
    name = "03_gan_vs_wgan_mnist"
    reference = json.loads(built[name].reference_notebook.read_text())
    broken = tampering.broken(name, reference)
    patched = broken
    for patch in PATCHES:
        patched = add_cell_after(patched, "critic_loss", patch.cell)
    snaps = [_snapshot(test_files[name], nb, questions={"wgan_convergence"}) for nb in (broken, patched)]
    with ThreadPoolExecutor(2) as pool:
        graded = list(pool.map(lambda s: isolation.run_role(s, "hidden"), snaps))
    assert graded[0]["wgan_convergence"] and not all(p for p, _ in graded[0]["wgan_convergence"])
    assert graded[1] == graded[0]


# ---------------------------------------------------------------------------------------------
# Item 3: per-question limits


HANGS_IGNORING_ALARMS = '''def js_divergence(p, q):
    import signal
    signal.signal(signal.SIGALRM, signal.SIG_IGN)  # the in-process limit cannot stop this one
    while True:
        pass
'''


def test_a_function_that_never_returns_costs_only_its_questions(built, test_files, monkeypatch):
    """js_divergence loops and ignores the in-process alarm: its process is killed at the limit and a
    fresh one grades the questions after it; example1_distances loops too and is interrupted in-process."""
    monkeypatch.setattr(isolation, "GRACE", 3.0)
    reference = json.loads(built[ASSIGNMENT].reference_notebook.read_text())
    nb = replace_function(reference, "js_divergence", HANGS_IGNORING_ALARMS)
    nb = replace_function(nb, "example1_distances", "def example1_distances(theta):\n    while True:\n        pass\n")
    snapshot = _snapshot(test_files[ASSIGNMENT], nb)
    limits = {q: 8.0 for q in protocol.questions_of(snapshot)}
    results = isolation.run_role(protocol.public_snapshot(snapshot), "public", limits=limits)
    for question in ("js_divergence", "example1_distances"):
        assert results[question] and all(not passed for passed, _ in results[question]), results[question]
        assert all(f"Question {question} ran past its time limit of 8 s" in m for _, m in results[question])
    assert "(in `example1_distances`)" in results["example1_distances"][0][1]
    assert all(passed for q in ("kl_divergence", "wasserstein_1d") for passed, _ in results[q]), results


# ---------------------------------------------------------------------------------------------
# The guard's merge


def test_guard_fails_every_case_nobody_reported(test_files):
    snapshot = protocol.take_snapshot(test_files[ASSIGNMENT], None)
    results = GradingResults([])
    guard.merge_results(results, snapshot, {}, {})
    assert set(results.results) == set(protocol.questions_of(snapshot))
    for test_file in results.results.values():
        assert test_file.score == 0 and test_file.test_case_results
        assert all("grading process stopped" in r.message for r in test_file.test_case_results)


def test_guard_takes_public_cases_from_one_process_and_hidden_from_the_other(test_files):
    snapshot = protocol.take_snapshot(test_files[ASSIGNMENT], None)
    questions = protocol.questions_of(snapshot)
    first = questions[0]
    results = GradingResults([])
    guard.merge_results(results, snapshot, {first: [[True, "public ok"]] * 5}, {first: [[False, "hidden no"]] * 5},
                        "trained on x")
    cases = results.results[first].test_case_results
    assert {r.message for r in cases if not r.test_case.hidden} == {"public ok"}
    assert {r.message for r in cases if r.test_case.hidden} == {"hidden no"}
    assert all(r.passed != r.test_case.hidden for r in cases)
    assert all(results.results[q].score == 0 for q in questions[1:])
    assert results.output == "trained on x"
