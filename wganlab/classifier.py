"""A small digit classifier for generated MNIST samples, trained once on the embedded digits and cached.

It labels generated digits for :func:`wganlab.metrics.evaluate_samples` and the convergence
checks. Alone it cannot grade a generator: a collapsed one draws a single good digit, which the
classifier reads as right (pair it with W1 and the diversity ratio of :mod:`wganlab.metrics`).
It is written in backend-neutral Keras and runs unchanged under TensorFlow, JAX and PyTorch;
its weights file (``.weights.h5``) is the same for all of them. Keras is imported inside the
functions, so importing this module is cheap.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from pathlib import Path

import numpy as np

from wganlab.arrays import to_numpy
from wganlab.files import atomic_write, cache_dir as default_cache_dir

__all__ = ["digit_classifier", "heldout_digits", "classify_digits", "digit_histogram", "confident_fraction",
           "digit_features"]

# Bump the version whenever the architecture, data split or training recipe changes, so that
# stale cache files are never loaded into a different model.
_CLASSIFIER_VERSION = "v1"
_CLASSIFIER_SEED = 0
_CLASSIFIER_EPOCHS = 12
_CLASSIFIER_BATCH = 64
_HELDOUT_PER_DIGIT = 50
_MIN_HELDOUT_ACCURACY = 0.95
_MEMO: dict = {}


def _cache_dir(cache_dir) -> Path:
    return default_cache_dir() if cache_dir is None else Path(cache_dir).expanduser()


def cache_files() -> tuple[str, str]:
    """(weights, metadata) file names of the cached classifier, both named for the current version.

    The grader copies exactly these into its snapshot (:mod:`wganlab.course.protocol`), so a
    version bump changes what it copies too.
    """
    stem = f"digit_classifier_{_CLASSIFIER_VERSION}"
    return f"{stem}.weights.h5", f"{stem}.json"


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


def digit_classifier(cache_dir=None, *, retrain: bool = False):
    """A Keras MNIST digit classifier (N, 28, 28, 1) in [-1, 1] -> logits (N, 10), trained once, then cached.

    The weights live in ``cache_dir`` (default: ``$WGANLAB_CACHE``, else ``~/.cache/wganlab``)
    as the :func:`cache_files` (a ``.weights.h5`` file, loadable under every Keras backend, and a
    JSON file with the held-out accuracy); the model is also memoised per process. The first call
    trains on the embedded digits minus the 500 of :func:`heldout_digits` (a few seconds on a
    laptop CPU); ``retrain=True`` forces that again. An unwritable cache only costs a warning.
    """
    import keras

    folder = _cache_dir(cache_dir)
    weights_name, info_name = cache_files()
    weights = folder / weights_name
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
            atomic_write(weights, model.save_weights)
            atomic_write(folder / info_name,
                          lambda p: p.write_text(json.dumps(info, indent=2) + "\n"))
        except OSError as exc:
            warnings.warn(f"could not cache the digit classifier in {folder} ({exc}); "
                          "it will be retrained in the next process.", stacklevel=2)
    _MEMO[key] = model
    return model


def _digit_images(images) -> np.ndarray:
    """Validate digit images and return float32 (N, 28, 28, 1) clipped to [-1, 1]."""
    arr = to_numpy(images, "images")
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


def _penultimate(model, images: np.ndarray, batch: int = 1000) -> np.ndarray:
    """The 128 ReLU activations before the logits, float64 (N, 128), in inference mode."""
    import keras

    out = []
    for i in range(0, len(images), batch):
        x = images[i : i + batch]
        for layer in model.layers[:-1]:  # every layer but the logits; Dropout is the identity here
            x = layer(x, training=False)
        out.append(keras.ops.convert_to_numpy(x))
    return np.concatenate(out).astype(np.float64)


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


def confident_fraction(images, threshold: float = 0.9, classifier=None) -> float:
    """Share in [0, 1] of images (as in classify_digits) whose most likely digit has softmax probability >= threshold."""
    import keras

    if not 0.0 < float(threshold) < 1.0:
        raise ValueError(f"threshold must be a probability strictly between 0 and 1, got {threshold!r}")
    arr = _digit_images(images)
    model = classifier if classifier is not None else digit_classifier()
    top = [np.max(keras.ops.convert_to_numpy(keras.ops.softmax(model(arr[i:i + 1000], training=False))), axis=-1)
           for i in range(0, len(arr), 1000)]
    return float(np.mean(np.concatenate(top) >= float(threshold)))


def digit_features(images, classifier=None) -> np.ndarray:
    """The classifier's penultimate activations, float64 (N, 128) (ReLU, so >= 0); images as in classify_digits.

    These are the features that :func:`wganlab.metrics.digit_frechet_distance` compares: what the
    classifier has learned to tell digits apart by, rather than raw pixels.
    """
    arr = _digit_images(images)
    return _penultimate(classifier if classifier is not None else digit_classifier(), arr)
