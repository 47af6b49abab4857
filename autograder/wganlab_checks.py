"""Hidden checks for the wganlab assignments; shipped only inside the autograder zips.

Each ``check_*`` function raises AssertionError with a message a student can act on. The
inputs are made from fixed seeds by ``cases_*`` functions that the build also uses to compute
the expected values from the reference (``expected.json`` beside this file in the zip).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

EXPECTED_FILE = "expected.json"


# ---------------------------------------------------------------- inputs from fixed seeds
def _simplex(rng, n, zeros=0):
    p = rng.uniform(0.05, 1.0, size=n)
    if zeros:
        p[rng.choice(n, zeros, replace=False)] = 0.0
    return p / p.sum()


def cases_divergence():
    """Pairs (p, q) of discrete distributions, some with zeros in p (q > 0 everywhere)."""
    rng = np.random.default_rng(2017)
    return [(_simplex(rng, n, z), _simplex(rng, n)) for n, z in [(2, 0), (5, 0), (8, 2), (16, 5), (64, 0)]]


def cases_wasserstein_1d():
    """(u_values, v_values, u_weights, v_weights) tuples; weights None or unnormalised."""
    rng = np.random.default_rng(1701)
    cases = []
    for n, m, weighted in [(5, 5, False), (7, 3, False), (50, 80, False), (6, 9, True), (40, 40, True)]:
        u, v = rng.normal(0.0, 1.0, n), rng.normal(0.7, 2.0, m)
        uw, vw = (rng.uniform(0.1, 3.0, n), rng.uniform(0.1, 3.0, m)) if weighted else (None, None)
        cases.append((u, v, uw, vw))
    return cases


CASES_THETA = [-2.5, -1.0, -0.3, 1e-3, 0.5, 4.0]


# ---------------------------------------------------------------- expected values
def compute_expected(assignment: str, ref) -> dict:
    """Expected values of ``assignment``'s hidden value checks from the reference namespace."""
    if assignment == "01_divergences":
        return {
            "kl": [float(ref.kl_divergence(p, q)) for p, q in cases_divergence()],
            "kl_reverse": [float(ref.kl_divergence(q, p)) for p, q in cases_divergence()],
            "js": [float(ref.js_divergence(p, q)) for p, q in cases_divergence()],
            "w1d": [float(ref.wasserstein_1d(*c)) for c in cases_wasserstein_1d()],
        }
    return {}


def load_expected() -> dict:
    """The expected values shipped beside this module."""
    path = Path(__file__).with_name(EXPECTED_FILE)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _close(got, want, what, rtol=1e-6, atol=1e-9):
    got = float(got)
    if math.isinf(want):
        assert math.isinf(got) and got > 0, f"{what}: expected +inf, got {got}"
        return
    assert math.isfinite(got), f"{what}: expected a finite number close to {want:.6g}, got {got}"
    assert abs(got - want) <= atol + rtol * abs(want), f"{what}: expected {want:.6g}, got {got:.6g}"


# ---------------------------------------------------------------- 01 divergences
def check_kl_divergence(kl_divergence):
    """KL values on seeded pairs, the q=0 case and p=q."""
    expected = load_expected()
    for i, ((p, q), want) in enumerate(zip(cases_divergence(), expected["kl"])):
        _close(kl_divergence(p, q), want, f"KL(p||q) for case {i} ({len(p)} outcomes)")
    for i, ((p, q), want) in enumerate(zip(cases_divergence(), expected["kl_reverse"])):
        _close(kl_divergence(q, p), want, f"KL(q||p) for case {i} (p has zeros where q does not)")
    p = np.array([0.5, 0.5, 0.0])
    _close(kl_divergence(p, p), 0.0, "KL(p||p)")
    _close(kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0])), math.inf, "KL where q=0 but p>0")


def check_js_divergence(js_divergence):
    """JS values on seeded pairs, symmetry, bounds and disjoint supports."""
    expected = load_expected()
    for i, ((p, q), want) in enumerate(zip(cases_divergence(), expected["js"])):
        _close(js_divergence(p, q), want, f"JS(p, q) for case {i}")
        _close(js_divergence(q, p), want, f"JS(q, p) for case {i} (JS is symmetric)")
    _close(js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0])), math.log(2), "JS of disjoint supports")
    _close(js_divergence(np.array([0.2, 0.8]), np.array([0.2, 0.8])), 0.0, "JS(p, p)")


def check_wasserstein_1d(wasserstein_1d):
    """W1 against the reference (== scipy.stats.wasserstein_distance) with and without weights."""
    expected = load_expected()
    for i, ((u, v, uw, vw), want) in enumerate(zip(cases_wasserstein_1d(), expected["w1d"])):
        what = f"W1 case {i} ({len(u)} vs {len(v)} points{', weighted' if uw is not None else ''})"
        _close(wasserstein_1d(u, v, uw, vw), want, what, rtol=1e-6, atol=1e-9)
    _close(wasserstein_1d(np.array([0.0, 1.0]), np.array([5.0, 6.0])), 5.0, "W1 of a shift by 5")


def check_example1_distances(example1_distances):
    """KL=inf, JS=log 2, W=|theta| for theta != 0, all zero at theta = 0."""
    for theta in CASES_THETA:
        d = example1_distances(theta)
        assert set(d) >= {"kl", "js", "w"}, f"example1_distances must return keys 'kl', 'js', 'w'; got {sorted(d)}"
        _close(d["kl"], math.inf, f"KL at theta={theta}")
        _close(d["js"], math.log(2), f"JS at theta={theta}")
        _close(d["w"], abs(theta), f"W at theta={theta}")
    d = example1_distances(0.0)
    for key in ("kl", "js", "w"):
        _close(d[key], 0.0, f"{key} at theta=0")
