"""Sample-quality metrics: exact and sliced Wasserstein distances, diversity, a digit classifier.

Why several numbers: a generator that collapses onto a few good-looking digits fools a digit
classifier (almost every sample is "the right digit"), so classifier accuracy alone cannot tell
convergence from mode collapse. The exact W1 between generated and real samples measures the
whole distribution, and :func:`diversity_ratio` flags collapse directly. :func:`evaluate_samples`
reports them together.

Only numpy, scipy and POT are imported at module level; Keras is imported inside the classifier
functions, so the distance functions work (and import fast) without any Keras backend. The
classifier is written in backend-neutral Keras and runs unchanged under TensorFlow, JAX and
PyTorch; its weights file (``.weights.h5``) is the same for all of them.

Units: distances are in the units of the samples, i.e. pixel values in [-1, 1] for images,
with every sample flattened to one vector (so a 28x28 image is a point in R^784).
"""

from __future__ import annotations

import json
import math
import os
import secrets
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "wasserstein1",
    "sliced_wasserstein",
    "mean_pairwise_distance",
    "diversity_ratio",
    "digit_classifier",
    "heldout_digits",
    "classify_digits",
    "digit_histogram",
    "SampleReport",
    "evaluate_samples",
]

# ------------------------------------------------------------------------------ input checking


def _to_numpy(x, name: str) -> np.ndarray:
    """Any array-like (numpy, TF/JAX/torch tensor, nested lists) as a numpy array."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # torch, without importing it
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be an array of samples; could not convert it: {exc}") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, found dtype {arr.dtype}.")
    return arr


def _as_samples(x, name: str) -> np.ndarray:
    """(N, ...) samples as float64 (N, D); a 1-D array is N scalar samples."""
    arr = _to_numpy(x, name)
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
    ax, ay = _to_numpy(x, names[0]), _to_numpy(y, names[1])
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


# ------------------------------------------------------------------------------ digit classifier

# Bump the version whenever the architecture, data split or training recipe changes, so that
# stale cache files are never loaded into a different model.
_CLASSIFIER_VERSION = "v1"
_CLASSIFIER_STEM = f"digit_classifier_{_CLASSIFIER_VERSION}"
_CLASSIFIER_SEED = 0
_CLASSIFIER_EPOCHS = 12
_CLASSIFIER_BATCH = 64
_HELDOUT_PER_DIGIT = 50
_MIN_HELDOUT_ACCURACY = 0.95
_MEMO: dict = {}


def _cache_dir(cache_dir) -> Path:
    if cache_dir is None:
        cache_dir = os.environ.get("WGANLAB_CACHE") or Path.home() / ".cache" / "wganlab"
    return Path(cache_dir).expanduser()


def _heldout_split(labels: np.ndarray, seed: int = _CLASSIFIER_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, held-out): 50 held-out digits per class, drawn reproducibly."""
    rng = np.random.default_rng(seed)
    held = np.concatenate(
        [rng.choice(np.flatnonzero(labels == d), _HELDOUT_PER_DIGIT, replace=False) for d in range(10)]
    )
    return np.setdiff1d(np.arange(len(labels)), held), np.sort(held)


def heldout_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 500 embedded MNIST digits the classifier never trains on: float32 (500, 28, 28, 1) in [-1, 1], int64 (500,)."""
    from wganlab.data import load_mnist

    images, labels = load_mnist()
    _, held = _heldout_split(labels)
    return images[held], labels[held]


def _build_classifier():
    """Two strided convolutions and a dense layer: ~215k parameters, ~97% on held-out digits."""
    import keras
    from keras import layers

    s = _CLASSIFIER_SEED
    # Explicit seeds and formats: deterministic without touching the global RNGs, and
    # independent of the user's keras.json (channels_first) or a mixed-precision policy.
    conv = dict(strides=2, padding="same", activation="relu", data_format="channels_last", dtype="float32")
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(16, 5, kernel_initializer=keras.initializers.GlorotUniform(s + 1), **conv),
            layers.Conv2D(32, 5, kernel_initializer=keras.initializers.GlorotUniform(s + 2), **conv),
            layers.Flatten(dtype="float32"),
            layers.Dropout(0.4, seed=s + 3, dtype="float32"),
            layers.Dense(128, activation="relu", kernel_initializer=keras.initializers.GlorotUniform(s + 4),
                         dtype="float32"),
            layers.Dense(10, kernel_initializer=keras.initializers.GlorotUniform(s + 5), dtype="float32"),
        ],
        name="digit_classifier",
    )


def _shift_images(images: np.ndarray, rng: np.random.Generator, max_shift: int = 2) -> np.ndarray:
    """Each image translated by a random integer offset in [-max_shift, max_shift]^2, background -1."""
    m = max_shift
    padded = np.pad(images, ((0, 0), (m, m), (m, m), (0, 0)), constant_values=-1.0)
    dy, dx = rng.integers(0, 2 * m + 1, len(images)), rng.integers(0, 2 * m + 1, len(images))
    out = np.empty_like(images)
    for a in range(2 * m + 1):
        for b in range(2 * m + 1):
            sel = (dy == a) & (dx == b)
            out[sel] = padded[sel, a : a + 28, b : b + 28]
    return out


def _train_classifier():
    """Train a fresh classifier on the 4,500 non-held-out embedded digits: (model, info dict)."""
    import keras

    from wganlab.data import load_mnist

    images, labels = load_mnist()
    train_idx, held = _heldout_split(labels)
    model = _build_classifier()
    steps = _CLASSIFIER_EPOCHS * math.ceil(len(train_idx) / _CLASSIFIER_BATCH)
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    # Shuffling and augmentation (small random shifts) in numpy from a fixed seed, so the data
    # stream is identical under every backend; one fit call per epoch, shuffle off.
    rng = np.random.default_rng(_CLASSIFIER_SEED)
    start = time.perf_counter()
    for epoch in range(_CLASSIFIER_EPOCHS):
        order = rng.permutation(train_idx)
        batch = images[order] if epoch == 0 else _shift_images(images[order], rng)
        model.fit(batch, labels[order], batch_size=_CLASSIFIER_BATCH, epochs=1, shuffle=False, verbose=0)
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(_predict(model, images[held]) == labels[held]))
    if accuracy < _MIN_HELDOUT_ACCURACY:
        warnings.warn(
            f"the digit classifier reached only {accuracy:.1%} on 500 held-out digits "
            f"(expected > {_MIN_HELDOUT_ACCURACY:.0%}); its labels are unreliable.",
            RuntimeWarning,
            stacklevel=3,
        )
    info = {
        "version": _CLASSIFIER_VERSION,
        "heldout_accuracy": accuracy,
        "train_seconds": round(seconds, 2),
        "trained_with_backend": keras.backend.backend(),
        "keras_version": keras.__version__,
    }
    return model, info


def _atomic_write(final: Path, write) -> None:
    """Call ``write(tmp_path)`` then move the file into place, so readers never see half a file."""
    tmp = final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp{''.join(final.suffixes)}")
    try:
        write(tmp)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def digit_classifier(cache_dir=None, *, retrain: bool = False):
    """A Keras MNIST digit classifier (N, 28, 28, 1) in [-1, 1] -> logits (N, 10), trained once, then cached.

    The weights live in ``cache_dir`` (default: ``$WGANLAB_CACHE``, else ``~/.cache/wganlab``)
    as ``digit_classifier_v1.weights.h5`` (loadable under every Keras backend) next to a JSON
    file with the held-out accuracy; the model is also memoised per process. The first call
    trains on the embedded digits minus the 500 of :func:`heldout_digits` (a few seconds on a
    laptop CPU); ``retrain=True`` forces that again. An unwritable cache only costs a warning.
    """
    import keras

    folder = _cache_dir(cache_dir)
    weights = folder / f"{_CLASSIFIER_STEM}.weights.h5"
    key = (keras.backend.backend(), str(weights.resolve()))
    if not retrain and key in _MEMO:
        return _MEMO[key]
    model = None
    if not retrain and weights.is_file():
        model = _build_classifier()
        try:
            model.load_weights(weights)
        except Exception as exc:  # truncated or foreign file: rebuild it
            warnings.warn(f"could not load {weights} ({exc}); retraining the digit classifier.", stacklevel=2)
            model = None
    if model is None:
        model, info = _train_classifier()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _atomic_write(weights, model.save_weights)
            _atomic_write(weights.with_name(f"{_CLASSIFIER_STEM}.json"),
                          lambda p: p.write_text(json.dumps(info, indent=2) + "\n"))
        except OSError as exc:
            warnings.warn(f"could not cache the digit classifier in {folder} ({exc}); "
                          "it will be retrained in the next process.", stacklevel=2)
    _MEMO[key] = model
    return model


def _digit_images(images) -> np.ndarray:
    """Validate digit images and return float32 (N, 28, 28, 1) clipped to [-1, 1]."""
    arr = _to_numpy(images, "images")
    if arr.dtype.kind in "biu":
        raise ValueError(
            f"images must be floats in [-1, 1], found integer dtype {arr.dtype} "
            "(scale 0..255 pixels with pixels / 127.5 - 1)."
        )
    if arr.ndim < 2 or arr.shape[0] == 0 or arr.shape[1:] not in ((28, 28, 1), (28, 28), (784,)):
        raise ValueError(
            f"images must have shape (N, 28, 28, 1), (N, 28, 28) or (N, 784) with N >= 1, found {arr.shape}."
        )
    arr = arr.reshape(-1, 28, 28, 1).astype(np.float32)
    if not np.isfinite(arr).all():
        raise ValueError("images contain NaN or inf (a generator that diverged produces these).")
    return np.clip(arr, -1.0, 1.0)


def _predict(model, images: np.ndarray, batch: int = 1000) -> np.ndarray:
    import keras

    out = [
        np.argmax(keras.ops.convert_to_numpy(model(images[i : i + batch], training=False)), axis=-1)
        for i in range(0, len(images), batch)
    ]
    return np.concatenate(out).astype(np.int64)


def classify_digits(images, classifier=None) -> np.ndarray:
    """Predicted digits, int64 (N,), for images (N, 28, 28, 1) (or (N, 28, 28), (N, 784)) in [-1, 1]."""
    arr = _digit_images(images)
    return _predict(classifier if classifier is not None else digit_classifier(), arr)


def digit_histogram(images, classifier=None) -> np.ndarray:
    """Fraction of images classified as each digit: float64 (10,) summing to 1; images as in classify_digits."""
    predicted = classify_digits(images, classifier)
    return np.bincount(predicted, minlength=10).astype(np.float64) / len(predicted)


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

    def as_dict(self) -> dict:
        """The fields as a plain dict (histogram as a list), e.g. for a CSV row or JSON."""
        d = asdict(self)
        if d["histogram"] is not None:
            d["histogram"] = list(d["histogram"])
        return d

    def summary(self) -> str:
        """One readable line."""
        parts = [f"W1 {self.w1:.3f}", f"sliced W1 {self.sliced_w:.3f}"]
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
    """W1, sliced W1, diversity and (for 28x28 digits) digit fractions of fake (N, ...) against real (M, ...).

    Both sets are first subsampled to at most ``max_samples`` each (reproducibly from ``seed``)
    and every number is computed on those subsamples. The classifier fields are filled only for
    (28, 28, 1), (28, 28) or (784,) samples; ``digit_fraction`` only when ``target_digits``
    (an int or ints in 0..9) is given.
    """
    _check_max_samples(max_samples)
    targets = _parse_target_digits(target_digits)
    fake_arr, real_arr = _to_numpy(fake, "fake"), _to_numpy(real, "real")
    a, b = _pair(fake_arr, real_arr, names=("fake", "real"))
    rng = np.random.default_rng(seed)
    fake_idx = np.sort(rng.choice(len(a), min(len(a), max_samples or len(a)), replace=False))
    real_idx = np.sort(rng.choice(len(b), min(len(b), max_samples or len(b)), replace=False))
    a, b = a[fake_idx], b[real_idx]
    w1 = wasserstein1(a, b)
    sliced = sliced_wasserstein(a, b, n_projections=n_projections, seed=seed)
    diversity = diversity_ratio(a, b, max_samples=None, seed=seed) if len(a) > 1 and len(b) > 1 else None
    digit_fraction = histogram = None
    if fake_arr.shape[1:] in ((28, 28, 1), (28, 28), (784,)):
        hist = digit_histogram(fake_arr[fake_idx], classifier)
        histogram = tuple(float(h) for h in hist)
        if targets is not None:
            digit_fraction = float(hist[list(targets)].sum())
    elif targets is not None:
        raise ValueError(f"target_digits needs 28x28 digit images, but the samples have shape {fake_arr.shape[1:]}.")
    return SampleReport(w1, sliced, diversity, digit_fraction, histogram, len(a), len(b))
