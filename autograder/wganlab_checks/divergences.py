"""Checks of assignment 01: KL, JS and W1 on seeded distributions, and the paper's Example 1."""

from __future__ import annotations

import math

import numpy as np

from .cases import CASES_THETA, cases_divergence, cases_wasserstein_1d
from .compare import close
from .expected import load_expected


def check_kl_divergence(kl_divergence):
    """KL values on seeded pairs, the q=0 case and p=q."""
    expected = load_expected()
    for i, ((p, q), want) in enumerate(zip(cases_divergence(), expected["kl"])):
        close(kl_divergence(p, q), want, f"KL(p||q) for case {i} ({len(p)} outcomes)")
    for i, ((p, q), want) in enumerate(zip(cases_divergence(), expected["kl_reverse"])):
        close(kl_divergence(q, p), want, f"KL(q||p) for case {i} (p has zeros where q does not)")
    p = np.array([0.5, 0.5, 0.0])
    close(kl_divergence(p, p), 0.0, "KL(p||p)")
    close(kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0])), math.inf, "KL where q=0 but p>0")


def check_js_divergence(js_divergence):
    """JS values on seeded pairs, symmetry, bounds and disjoint supports."""
    expected = load_expected()
    for i, ((p, q), want) in enumerate(zip(cases_divergence(), expected["js"])):
        close(js_divergence(p, q), want, f"JS(p, q) for case {i}")
        close(js_divergence(q, p), want, f"JS(q, p) for case {i} (JS is symmetric)")
    close(js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0])), math.log(2), "JS of disjoint supports")
    close(js_divergence(np.array([0.2, 0.8]), np.array([0.2, 0.8])), 0.0, "JS(p, p)")


def check_wasserstein_1d(wasserstein_1d):
    """W1 against the reference (== scipy.stats.wasserstein_distance) with and without weights."""
    expected = load_expected()
    for i, ((u, v, uw, vw), want) in enumerate(zip(cases_wasserstein_1d(), expected["w1d"])):
        what = f"W1 case {i} ({len(u)} vs {len(v)} points{', weighted' if uw is not None else ''})"
        close(wasserstein_1d(u, v, uw, vw), want, what, rtol=1e-6, atol=1e-9)
    close(wasserstein_1d(np.array([0.0, 1.0]), np.array([5.0, 6.0])), 5.0, "W1 of a shift by 5")


def check_example1_distances(example1_distances):
    """KL=inf, JS=log 2, W=|theta| for theta != 0, all zero at theta = 0."""
    for theta in CASES_THETA:
        d = example1_distances(theta)
        assert set(d) >= {"kl", "js", "w"}, f"example1_distances must return keys 'kl', 'js', 'w'; got {sorted(d)}"
        close(d["kl"], math.inf, f"KL at theta={theta}")
        close(d["js"], math.log(2), f"JS at theta={theta}")
        close(d["w"], abs(theta), f"W at theta={theta}")
    d = example1_distances(0.0)
    for key in ("kl", "js", "w"):
        close(d[key], 0.0, f"{key} at theta=0")
