"""Maximum likelihood on a discrete distribution: entropy, samples and their average log-likelihood.

Why 01 needs it: for samples x_1..x_n drawn from p, the average log-likelihood (1/n) sum log q(x_i)
is a Monte Carlo estimate of E_p[log q] = -KL(p || q) - H(p). H(p) does not depend on the model q,
so the model that maximises the likelihood of (many) samples minimises the forward KL(p || q).
These helpers give both sides of that identity, with the student's own ``kl_divergence`` supplying
the KL; they use only numpy.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from wganlab.arrays import to_numpy

__all__ = ["entropy", "sample_outcomes", "average_log_likelihood"]


def _distribution(p, name: str) -> np.ndarray:
    """``p`` as a float64 (K,) probability vector, or a ValueError saying what is wrong with it."""
    arr = to_numpy(p, name).astype(np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of probabilities, got shape {arr.shape}.")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{name} must hold finite probabilities >= 0, got {arr.tolist()}.")
    if abs(arr.sum() - 1.0) > 1e-6:
        raise ValueError(f"{name} must sum to 1 (a probability distribution), it sums to {arr.sum():.6g}.")
    return arr


def entropy(p) -> float:
    """Shannon entropy H(p) = -sum_k p_k log p_k in nats of a (K,) probability vector (0 log 0 = 0)."""
    p = _distribution(p, "p")
    support = p > 0  # outcomes of probability 0 add nothing, and log(0) would warn
    return float(-np.sum(p[support] * np.log(p[support])))


def sample_outcomes(p, n: int, seed: int = 0) -> np.ndarray:
    """(n,) int64 outcome indices in [0, K) drawn independently from the (K,) distribution ``p``."""
    p = _distribution(p, "p")
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be a positive integer number of samples, got {n!r}.")
    # choice() checks the sum to ~1e-8: renormalise what passed the looser check above
    return np.random.default_rng(seed).choice(p.size, size=int(n), p=p / p.sum()).astype(np.int64)


def average_log_likelihood(outcomes, q) -> float:
    """(1/n) sum_i log q[x_i] in nats for (n,) outcome indices under the (K,) model ``q``; -inf if q[x_i] = 0 for some i."""
    q = _distribution(q, "q")
    x = to_numpy(outcomes, "outcomes")
    if x.ndim != 1 or x.size == 0 or x.dtype.kind not in "iu":
        raise ValueError(f"outcomes must be a non-empty 1-D array of integer outcome indices, got {x.dtype} of shape {x.shape}.")
    if x.min() < 0 or x.max() >= q.size:
        raise ValueError(f"outcomes must lie in [0, {q.size}) (the model has {q.size} outcomes), "
                         f"found {int(x.min())}..{int(x.max())}.")
    probs = q[x]
    if (probs == 0).any():  # one impossible sample makes the likelihood 0, as KL(p || q) = inf says
        return -math.inf
    return float(np.mean(np.log(probs)))
