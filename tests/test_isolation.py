"""The isolated grading process on its own (no otter run): what it loads from a notebook, the message for a
function that needs a notebook global, and the guard's fail-safe when the process reports nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from otter.test_files import GradingResults

from submissions import add_cell_after, replace_function
from wganlab.course import guard
from wganlab.course.functions import load_namespace, notebook_globals

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


def _grade_snapshot(tmp_path, test_files, notebook: dict) -> dict:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(test_files[ASSIGNMENT] / "files", snapshot / "files")
    shutil.copytree(test_files[ASSIGNMENT] / "tests", snapshot / "tests")
    (snapshot / "submission.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "work").mkdir()
    subprocess.run([sys.executable, "-P", "-m", "wganlab.course.isolation", str(snapshot), str(tmp_path / "r.json")],
                   cwd=tmp_path / "work", check=True, capture_output=True, env={**os.environ})
    return json.loads((tmp_path / "r.json").read_text())["questions"]


def test_loader_runs_definitions_and_constants_only(tmp_path, built):
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(_notebook(json.loads(built[ASSIGNMENT].reference_notebook.read_text()))))
    namespace = load_namespace(path, lenient=True)
    assert namespace["EPS"] == 0.0 and callable(namespace["kl_divergence"]) and "LOG" not in namespace
    assert "LOG" in notebook_globals(path)


def test_isolated_process_grades_the_snapshot_and_names_notebook_globals(tmp_path, built, test_files):
    reference = json.loads(built[ASSIGNMENT].reference_notebook.read_text())
    results = _grade_snapshot(tmp_path, test_files, _notebook(reference))
    assert all(passed for passed, _ in results["wasserstein_1d"]), results["wasserstein_1d"]  # EPS loaded
    assert all(passed for passed, _ in results["example1_distances"])
    # js_divergence calls kl_divergence in the reference: the message names the function that reads LOG.
    failed = [message for passed, message in results["kl_divergence"] + results["js_divergence"] if not passed]
    assert len(failed) == 4
    assert failed and all("`kl_divergence` uses `LOG`, which your notebook defines outside a function" in m
                          for m in failed), failed


def test_definitions_that_patch_the_checks_when_they_load_are_undone(tmp_path, built, test_files):
    """A class body, a decorator and a default argument run when the loader defines them: patches undone."""
    reference = json.loads(built[ASSIGNMENT].reference_notebook.read_text())
    nb = replace_function(reference, "kl_divergence", "def kl_divergence(p, q):\n    return 0.0\n")
    nb = add_cell_after(nb, "kl_divergence", (
        "import numpy, wganlab_checks\n"
        "class Sneaky:\n    wganlab_checks._close = lambda *args, **kwargs: None\n\n"
        "def _quiet(f):\n    numpy.isclose = lambda *args, **kwargs: True\n    return f\n\n"
        "@_quiet\ndef helper(x=setattr(wganlab_checks, 'check_kl_divergence', lambda *a, **k: None)):\n"
        "    return x\n"))
    results = _grade_snapshot(tmp_path, test_files, nb)
    (public, _), (hidden, message) = results["kl_divergence"]  # the hidden case calls check_kl_divergence
    assert not public and not hidden, results["kl_divergence"]
    assert "KL(p||q) for case 0" in message  # the real check ran, with the real _close
    assert all(passed for passed, _ in results["wasserstein_1d"])


def test_guard_fails_every_case_when_the_isolated_process_reports_nothing(test_files):
    snapshot = guard.take_snapshot(test_files[ASSIGNMENT], None)
    results = GradingResults([])
    guard.apply_isolated(results, snapshot, {}, "exit status -9")
    assert set(results.results) == {p.stem for p in (test_files[ASSIGNMENT] / "tests").glob("*.py")}
    for test_file in results.results.values():
        assert test_file.score == 0 and test_file.test_case_results
        assert all("isolated grading process stopped" in r.message and "exit status -9" in r.message
                   for r in test_file.test_case_results)


def test_guard_scores_from_the_isolated_results_only(test_files):
    snapshot = guard.take_snapshot(test_files[ASSIGNMENT], None)
    tests = sorted((test_files[ASSIGNMENT] / "tests").glob("*.py"))
    first = tests[0].stem
    results = GradingResults([])
    guard.apply_isolated(results, snapshot, {"questions": {first: [[True, "ok"]] * 20}, "info": ["trained on x"]}, "")
    assert results.results[first].score == results.results[first].possible > 0
    assert all(results.results[t.stem].score == 0 for t in tests[1:])
    assert results.output == "trained on x"
    assert Path(tests[0]).is_file()
