"""Sample-quality metrics: exact and sliced Wasserstein distances, diversity, and the report.

Why several numbers: a generator that collapses onto a few good-looking digits fools a digit
classifier (almost every sample is "the right digit"), so classifier accuracy alone cannot tell
convergence from mode collapse. The exact W1 between generated and real samples measures the
whole distribution, and :func:`diversity_ratio` flags collapse directly. Pixel-space W1 has a
blind spot of its own: it can prefer blurred blends of two digits to clean digits (a blend is
moderately close to both). :func:`digit_frechet_distance` measures in the digit classifier's
feature space instead (the FID recipe on MNIST). :func:`evaluate_samples` reports them together.

Importing this module loads only numpy, and the distance and diversity functions need only numpy,
scipy and POT, so they work (and import fast) without any Keras backend. Three functions load Keras
when called: :func:`interpolate_grad_norm` (it differentiates a critic), and
:func:`digit_frechet_distance` and :func:`evaluate_samples` on digit images (the digit classifier
of :mod:`wganlab.classifier`).

Units: distances are in the units of the samples, i.e. pixel values in [-1, 1] for images,
with every sample flattened to one vector (so a 28x28 image is a point in R^784).
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import asdict, dataclass

import numpy as np

from wganlab.arrays import to_numpy

__all__ = [
    "wasserstein1",
    "sliced_wasserstein",
    "mean_pairwise_distance",
    "diversity_ratio",
    "FeatureStats",
    "feature_stats",
    "frechet_distance",
    "digit_frechet_distance",
    "SampleReport",
    "evaluate_samples",
]

# ------------------------------------------------------------------------------ input checking


def _as_samples(x, name: str) -> np.ndarray:
    """(N, ...) samples as float64 (N, D); a 1-D array is N scalar samples."""
    arr = to_numpy(x, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have a leading sample axis, found a scalar.")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: need at least one sample, found shape {arr.shape}.")
    flat = arr.reshape(arr.shape[0], -1).astype(np.float64)
    if flat.shape[1] == 0:
        raise ValueError(f"{name} has zero features per sample (shape {arr.shape}).")
    if not np.isfinite(flat).all():
        bad = int(np.count_nonzero(~np.isfinite(flat).all(axis=1)))
        raise ValueError(
            f"{name} contains NaN or inf in {bad} of {flat.shape[0]} samples "
            "(a generator that diverged produces these)."
        )
    return flat


def _pair(x, y, names=("x", "y")) -> tuple[np.ndarray, np.ndarray]:
    """Validate two sample sets with the same per-sample shape; return both as (N, D) float64."""
    ax, ay = to_numpy(x, names[0]), to_numpy(y, names[1])
    if ax.ndim >= 1 and ay.ndim >= 1 and ax.shape[1:] != ay.shape[1:]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same per-sample shape, found "
            f"{ax.shape[1:]} and {ay.shape[1:]} (full shapes {ax.shape} and {ay.shape})."
        )
    return _as_samples(ax, names[0]), _as_samples(ay, names[1])


def _check_max_samples(max_samples) -> None:
    if max_samples is not None and (
        isinstance(max_samples, bool) or not isinstance(max_samples, (int, np.integer)) or max_samples < 1
    ):
        raise ValueError(f"max_samples must be a positive int or None, found {max_samples!r}.")


def _subsample(x: np.ndarray, max_samples, rng: np.random.Generator) -> np.ndarray:
    """At most ``max_samples`` rows of ``x``, drawn without replacement (order kept)."""
    if max_samples is None or len(x) <= max_samples:
        return x
    return x[np.sort(rng.choice(len(x), size=int(max_samples), replace=False))]


# ------------------------------------------------------------------------------------ distances


_BACKEND_SWITCHES = {
    "POT_BACKEND_DISABLE_PYTORCH": "torch",
    "POT_BACKEND_DISABLE_JAX": "jax",
    "POT_BACKEND_DISABLE_TENSORFLOW": "tensorflow",
    "POT_BACKEND_DISABLE_CUPY": "cupy",
}


def _import_ot():
    """POT, imported without pulling in frameworks this process has not loaded already.

    ``import ot`` otherwise imports torch, JAX, TensorFlow and CuPy when installed: seconds of
    start-up and hundreds of MB (all of TensorFlow under the JAX backend). We only pass numpy
    arrays, so the backends are switched off unless their framework is already imported (then
    they cost nothing). A user's own POT_BACKEND_DISABLE_* settings are respected.
    """
    import sys

    if "ot" in sys.modules:
        return sys.modules["ot"]
    saved = {key: os.environ.get(key) for key in _BACKEND_SWITCHES}
    try:
        for key, module in _BACKEND_SWITCHES.items():
            if module not in sys.modules:
                os.environ.setdefault(key, "1")
        import ot
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return ot


def _euclidean_cost(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances (N, M) float64, exact near zero (identical samples cost exactly 0)."""
    ot = _import_ot()
    # ot.dist uses |x|^2 + |y|^2 - 2 x.y (fast, BLAS), whose rounding error grows with the norms:
    # centre both sets on their joint mean first (distances do not change), then recompute the
    # few entries that are tiny compared with the norms directly.
    centre = np.concatenate([a, b]).mean(axis=0)
    a, b = a - centre, b - centre
    cost = np.asarray(ot.dist(a, b, metric="euclidean"), dtype=np.float64)
    scale = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :]
    rows, cols = np.nonzero(cost**2 <= 1e-6 * scale)
    for start in range(0, len(rows), 4096):
        r, c = rows[start : start + 4096], cols[start : start + 4096]
        cost[r, c] = np.linalg.norm(a[r] - b[c], axis=1)
    return np.ascontiguousarray(cost)


def wasserstein1(x, y, max_samples: int | None = None, seed: int = 0) -> float:
    """Exact W1 (float, sample units) between empirical x (N, ...) and y (M, ...), equal weights, Euclidean cost."""
    ot = _import_ot()
    _check_max_samples(max_samples)
    a, b = _pair(x, y)
    rng = np.random.default_rng(seed)
    a, b = _subsample(a, max_samples, rng), _subsample(b, max_samples, rng)
    cost = _euclidean_cost(a, b)
    wa = np.full(len(a), 1.0 / len(a))
    wb = np.full(len(b), 1.0 / len(b))
    # POT's default cap of 100,000 simplex iterations stops short of optimality already at
    # 2,000 x 2,000 (and then only warns); allow far more and insist on an optimal plan.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        value, log = ot.emd2(wa, wb, cost, numItermax=max(10**7, 100 * len(a) * len(b)), log=True)
    if log.get("result_code", 1) != 1:
        raise RuntimeError(f"exact optimal transport did not converge: {log.get('warning')}")
    return max(float(value), 0.0)


def _wp_1d_pow(xs: np.ndarray, ys: np.ndarray, p: float) -> np.ndarray:
    """W_p^p between the columns of sorted xs (N, L) and sorted ys (M, L), uniform weights: (L,).

    W_p^p = integral over t in [0, 1] of |F_x^-1(t) - F_y^-1(t)|^p; both quantile functions are
    step functions with jumps at multiples of 1/N and 1/M. Working in units of 1/(N*M) keeps
    the breakpoints exact integers.
    """
    n, m = len(xs), len(ys)
    if n == m:
        return np.mean(np.abs(xs - ys) ** p, axis=0)
    cuts = np.union1d(np.arange(0, n * m + 1, m), np.arange(0, n * m + 1, n))  # 0..n*m, sorted
    left, width = cuts[:-1], np.diff(cuts) / (n * m)
    ix, iy = left // m, left // n  # the quantile index that covers [left, next cut)
    return width @ (np.abs(xs[ix] - ys[iy]) ** p)


def sliced_wasserstein(x, y, n_projections: int = 128, seed: int = 0, p: float = 1) -> float:
    """Monte Carlo sliced W_p (float, sample units) between x (N, ...) and y (M, ...) over random unit directions.

    SW_p = (mean over directions u of W_p(u.x, u.y)^p)^(1/p), each 1-D W_p exact (quantile
    functions, so N and M may differ). For D = 1 it equals the exact W_p. For a pure shift by a
    vector s in D dimensions SW_1 = |s| * E|u_1|, which is 2/pi * |s| for D = 2 and shrinks like
    sqrt(2 / (pi * D)): sliced values are smaller than W_p and comparable only at equal D.
    """
    if isinstance(n_projections, bool) or not isinstance(n_projections, (int, np.integer)) or n_projections < 1:
        raise ValueError(f"n_projections must be a positive int, found {n_projections!r}.")
    if not (isinstance(p, (int, float, np.number)) and p >= 1 and math.isfinite(p)):
        raise ValueError(f"p must be a finite number >= 1, found {p!r}.")
    a, b = _pair(x, y)
    rng = np.random.default_rng(seed)
    dirs = rng.standard_normal((a.shape[1], int(n_projections)))
    dirs /= np.linalg.norm(dirs, axis=0, keepdims=True)
    xs = np.sort(a @ dirs, axis=0)
    ys = np.sort(b @ dirs, axis=0)
    return float(np.mean(_wp_1d_pow(xs, ys, float(p))) ** (1.0 / p))


# ------------------------------------------------------------------------------------ diversity


def mean_pairwise_distance(x, max_samples: int | None = 500, seed: int = 0) -> float:
    """Mean Euclidean distance (float, sample units) over all pairs of distinct samples of x (N, ...), N >= 2."""
    from scipy.spatial.distance import pdist

    _check_max_samples(max_samples)
    a = _subsample(_as_samples(x, "x"), max_samples, np.random.default_rng(seed))
    if len(a) < 2:
        raise ValueError(f"need at least 2 samples for pairwise distances, found {len(a)}.")
    return float(np.mean(pdist(a, metric="euclidean")))


def diversity_ratio(fake, real, max_samples: int | None = 500, seed: int = 0) -> float:
    """Mean pairwise distance of fake (N, ...) over that of real (M, ...): float, ~1 good, <<1 collapsed.

    A generator that maps every z to one or a few images has a ratio near 0 even when every
    sample looks like a perfect digit; a healthy generator scores about 1. A ratio well above 1
    means samples more spread out than the data (noise, unstructured blobs). Compare fake with
    real data of the same classes (one digit against that digit).
    """
    fa, re = _pair(fake, real, names=("fake", "real"))
    d_real = mean_pairwise_distance(re, max_samples, seed)
    if d_real == 0.0:
        raise ValueError("all real samples are identical: the diversity ratio is undefined.")
    return mean_pairwise_distance(fa, max_samples, seed + 1) / d_real


def interpolate_grad_norm(critic, real: np.ndarray, fake: np.ndarray, seed: int = 0) -> float:
    """Mean over samples of ||grad_x critic(x_hat)||_2 at uniform interpolates x_hat of the first
    min(len) real and fake samples (N, ...): about 1 for a penalised critic, far below for a clipped one."""
    from keras import ops

    from wganlab import autodiff

    n = min(len(real), len(fake))
    alpha = np.random.default_rng(seed).uniform(size=(n,) + (1,) * (real.ndim - 1)).astype("float32")
    x_hat = ops.convert_to_tensor(alpha * real[:n] + (1 - alpha) * fake[:n])
    grads = ops.convert_to_numpy(autodiff.input_gradients(critic, x_hat))
    return float(np.linalg.norm(grads.reshape(n, -1), axis=1).mean())


# ----------------------------------------------------------------------------- Frechet distance


@dataclass(frozen=True)
class FeatureStats:
    """Mean (D,) and covariance (D, D) of n feature vectors, float64: all a Frechet distance needs of a set."""

    mean: np.ndarray
    cov: np.ndarray
    n: int


def feature_stats(features) -> FeatureStats:
    """Mean and unbiased covariance (ddof 1, as FID) of features (N, ...) flattened to (N, D), N >= 2."""
    f = _as_samples(features, "features")
    if len(f) < 2:
        raise ValueError(f"need at least 2 feature vectors for a covariance, found {len(f)}.")
    return FeatureStats(f.mean(axis=0), np.atleast_2d(np.cov(f, rowvar=False)), len(f))


def _sqrt_psd(s: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric positive semi-definite matrix (rounding negatives to 0)."""
    w, v = np.linalg.eigh((s + s.T) / 2)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def _frechet(a: FeatureStats, b: FeatureStats) -> float:
    if a.mean.shape != b.mean.shape:
        raise ValueError(f"the two feature sets have {a.mean.shape[0]} and {b.mean.shape[0]} features per sample.")
    # tr((S1 S2)^(1/2)) = tr((S1^(1/2) S2 S1^(1/2))^(1/2)): the symmetric form has real,
    # non-negative eigenvalues, so no complex square root (scipy.linalg.sqrtm) is needed.
    root = _sqrt_psd(a.cov)
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root @ b.cov @ root), 0.0, None)).sum()
    value = float(np.sum((a.mean - b.mean) ** 2) + np.trace(a.cov) + np.trace(b.cov) - 2.0 * cross)
    return max(value, 0.0)


def frechet_distance(x, y) -> float:
    """Frechet distance (squared feature units) between Gaussians fitted to x (N, D) and y (M, D), or FeatureStats.

    d = |mu_x - mu_y|^2 + tr(S_x + S_y - 2 (S_x S_y)^(1/2)): the squared W2 distance between
    the two fitted Gaussians (0 for identical sets). Like FID it is biased upwards for small N.
    """
    a = x if isinstance(x, FeatureStats) else feature_stats(x)
    b = y if isinstance(y, FeatureStats) else feature_stats(y)
    return _frechet(a, b)


_REAL_STATS: dict = {}  # (classifier id, sha1 of the images) -> FeatureStats; a sweep scores the same reals often


def _digit_stats(images, classifier) -> FeatureStats:
    import hashlib

    from wganlab import classifier as clf

    arr = np.ascontiguousarray(to_numpy(images, "real"))
    model = classifier if classifier is not None else clf.digit_classifier()
    key = (id(model), arr.shape, str(arr.dtype), hashlib.sha1(arr.tobytes()).hexdigest())
    if key not in _REAL_STATS:
        if len(_REAL_STATS) >= 16:
            _REAL_STATS.pop(next(iter(_REAL_STATS)))
        _REAL_STATS[key] = feature_stats(clf.digit_features(arr, model))
    return _REAL_STATS[key]


def digit_frechet_distance(fake, real, classifier=None) -> float:
    """Frechet distance between the digit classifier's 128 penultimate features of fake and real digits (N, 28, 28, 1).

    The FID recipe (Heusel et al., 2017) with MNIST's own small classifier
    (:func:`wganlab.classifier.digit_features`) in place of Inception-v3: it is **not** FID, its
    values are not comparable with published FIDs, only with each other at equal sample sizes
    (use 500 against 500, as :func:`evaluate_samples` does). Units: squared ReLU activations.
    Images are in [-1, 1] as for :func:`wganlab.classifier.classify_digits`; ``real`` may also be
    a :class:`FeatureStats`. The real set's statistics are memoised per classifier and content.
    """
    from wganlab import classifier as clf

    model = classifier if classifier is not None else clf.digit_classifier()
    real_stats = real if isinstance(real, FeatureStats) else _digit_stats(real, model)
    fake_features = clf.digit_features(fake, model)
    if len(fake_features) < 2:
        raise ValueError(f"need at least 2 generated digits for a covariance, found {len(fake_features)}.")
    return _frechet(feature_stats(fake_features), real_stats)


# ---------------------------------------------------------------------------------- the report


def _is_digit(d) -> bool:
    return isinstance(d, (int, np.integer)) and not isinstance(d, bool) and 0 <= d <= 9


def _parse_target_digits(target_digits) -> tuple[int, ...] | None:
    if target_digits is None:
        return None
    if _is_digit(target_digits):
        return (int(target_digits),)
    try:
        wanted = tuple(target_digits) if not isinstance(target_digits, (str, bytes)) else ()
    except TypeError:
        wanted = ()
    if not wanted or not all(_is_digit(d) for d in wanted):
        raise ValueError(
            f"target_digits must be an int or a non-empty iterable of ints in 0..9, found {target_digits!r}."
        )
    return tuple(sorted({int(d) for d in wanted}))


@dataclass(frozen=True)
class SampleReport:
    """Metrics of generated against real samples (see :func:`evaluate_samples`); None where not applicable.

    w1: exact W1 in sample units (pixels in [-1, 1] for images); sliced_w: sliced W1, same units;
    diversity: :func:`diversity_ratio` (~1 good, <<1 collapsed); digit_fraction: fraction of
    generated images classified as one of ``target_digits``; histogram: fraction per digit 0..9
    (a tuple of 10 floats); n_fake, n_real: how many samples each number used.
    """

    w1: float
    sliced_w: float
    diversity: float | None
    digit_fraction: float | None
    histogram: tuple[float, ...] | None
    n_fake: int
    n_real: int
    fd: float | None = None

    def as_dict(self) -> dict:
        """The fields as a plain dict (histogram as a list), e.g. for a CSV row or JSON."""
        d = asdict(self)
        if d["histogram"] is not None:
            d["histogram"] = list(d["histogram"])
        return d

    def summary(self) -> str:
        """One readable line."""
        parts = [f"W1 {self.w1:.3f}", f"sliced W1 {self.sliced_w:.3f}"]
        if self.fd is not None:
            parts.append(f"feature FD {self.fd:.2f}")
        if self.diversity is not None:
            parts.append(f"diversity {self.diversity:.2f}")
        if self.digit_fraction is not None:
            parts.append(f"target digits {self.digit_fraction:.1%}")
        if self.histogram is not None:
            top = int(np.argmax(self.histogram))
            parts.append(f"most common digit {top} ({self.histogram[top]:.0%})")
        return f"{' | '.join(parts)}  ({self.n_fake} generated vs {self.n_real} real)"


def evaluate_samples(fake, real, target_digits=None, max_samples: int | None = 500, seed: int = 0,
                     classifier=None, n_projections: int = 128) -> SampleReport:
    """W1, sliced W1, diversity and (for 28x28 digits) digit fractions and feature FD of fake (N, ...) against real (M, ...).

    Both sets are first subsampled to at most ``max_samples`` each (reproducibly from ``seed``)
    and every number is computed on those subsamples. The classifier fields (and ``fd``) are filled only for
    (28, 28, 1), (28, 28) or (784,) samples; ``digit_fraction`` only when ``target_digits``
    (an int or ints in 0..9) is given.
    """
    _check_max_samples(max_samples)
    targets = _parse_target_digits(target_digits)
    fake_arr, real_arr = to_numpy(fake, "fake"), to_numpy(real, "real")
    a, b = _pair(fake_arr, real_arr, names=("fake", "real"))
    rng = np.random.default_rng(seed)
    fake_idx = np.sort(rng.choice(len(a), min(len(a), max_samples or len(a)), replace=False))
    real_idx = np.sort(rng.choice(len(b), min(len(b), max_samples or len(b)), replace=False))
    a, b = a[fake_idx], b[real_idx]
    w1 = wasserstein1(a, b)
    sliced = sliced_wasserstein(a, b, n_projections=n_projections, seed=seed)
    diversity = diversity_ratio(a, b, max_samples=None, seed=seed) if len(a) > 1 and len(b) > 1 else None
    digit_fraction = histogram = fd = None
    if fake_arr.shape[1:] in ((28, 28, 1), (28, 28), (784,)):
        from wganlab.classifier import digit_histogram

        hist = digit_histogram(fake_arr[fake_idx], classifier)
        if len(a) > 1 and len(b) > 1:
            fd = digit_frechet_distance(fake_arr[fake_idx], real_arr[real_idx], classifier)
        histogram = tuple(float(h) for h in hist)
        if targets is not None:
            digit_fraction = float(hist[list(targets)].sum())
    elif targets is not None:
        raise ValueError(f"target_digits needs 28x28 digit images, but the samples have shape {fake_arr.shape[1:]}.")
    return SampleReport(w1, sliced, diversity, digit_fraction, histogram, len(a), len(b), fd)
