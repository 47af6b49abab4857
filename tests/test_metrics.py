"""Tests for wganlab.metrics (exact and sliced W, diversity, the report) and wganlab.classifier.

The classifier is trained once per session into a pytest temporary cache folder; nothing is
written into the repository or the user's ~/.cache.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
import scipy.stats

from wganlab import classifier as clf
from wganlab.classifier import classify_digits, digit_histogram
from wganlab.metrics import (
    FeatureStats,
    SampleReport,
    digit_frechet_distance,
    diversity_ratio,
    evaluate_samples,
    feature_stats,
    frechet_distance,
    mean_pairwise_distance,
    sliced_wasserstein,
    wasserstein1,
)

# -------------------------------------------------------------------------------- exact W1


def test_w1_of_a_shift_is_the_shift_norm():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))
    shift = np.array([1.0, -2.0, 0.5, 0.0, 2.0])
    # Translation is optimal for a convex cost, so W1(x, x + s) = |s| exactly.
    assert wasserstein1(x, x + shift) == pytest.approx(np.linalg.norm(shift), rel=1e-9)


def test_w1_hand_computed_case():
    # Two points each side: matching (0,0)->(0,1) and (3,0)->(3,4) costs (1 + 4) / 2.
    x = np.array([[0.0, 0.0], [3.0, 0.0]])
    y = np.array([[3.0, 4.0], [0.0, 1.0]])
    assert wasserstein1(x, y) == pytest.approx(2.5)


@pytest.mark.parametrize("sizes", [(50, 50), (70, 31)])
def test_w1_1d_matches_scipy(sizes):
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=sizes[0]), rng.exponential(size=sizes[1]) + 0.3
    assert wasserstein1(u, v) == pytest.approx(scipy.stats.wasserstein_distance(u, v), rel=1e-9)
    # A trailing axis of size 1 is the same thing.
    assert wasserstein1(u[:, None], v[:, None]) == pytest.approx(wasserstein1(u, v), rel=1e-12)


def test_w1_symmetric_zero_and_image_shapes():
    rng = np.random.default_rng(2)
    x, y = rng.uniform(-1, 1, (40, 28, 28, 1)), rng.uniform(-1, 1, (30, 28, 28, 1))
    assert wasserstein1(x, y) == pytest.approx(wasserstein1(y, x), rel=1e-9)
    assert wasserstein1(x, x) == pytest.approx(0.0, abs=1e-9)
    assert wasserstein1(x, y) == pytest.approx(wasserstein1(x.reshape(40, -1), y.reshape(30, -1)), rel=1e-12)
    # Independent uniform images are about sqrt(784 * 2/3) ~ 22.9 apart in pixel units.
    assert 18 < wasserstein1(x, y) < 24


def test_w1_is_accurate_for_nearly_identical_images():
    # |x|^2 + |y|^2 - 2x.y loses ~1e-7 to rounding at this size; the cost matrix must not.
    rng = np.random.default_rng(11)
    x = rng.uniform(-1, 1, (60, 784))
    step = rng.normal(size=784)
    step *= 1e-7 / np.linalg.norm(step)
    assert wasserstein1(x, x + step) == pytest.approx(1e-7, rel=1e-4)


def test_w1_max_samples_is_reproducible_and_bounded():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(400, 3)), rng.normal(size=(300, 3)) + 1.0
    a = wasserstein1(x, y, max_samples=100, seed=7)
    assert a == wasserstein1(x, y, max_samples=100, seed=7)
    assert a != wasserstein1(x, y, max_samples=100, seed=8)
    assert a == pytest.approx(wasserstein1(x, y), rel=0.25)


@pytest.mark.parametrize(
    "x, y, match",
    [
        (np.zeros((5, 3)), np.zeros((5, 4)), "same per-sample shape"),
        (np.zeros((0, 3)), np.zeros((5, 3)), "empty"),
        (np.array([[0.0, np.nan]]), np.zeros((2, 2)), "NaN or inf"),
        (np.zeros((3, 2)), np.full((3, 2), np.inf), "NaN or inf"),
        (np.float64(1.0), np.zeros(3), "leading sample axis"),
        (np.array(["a", "b"]), np.zeros(2), "real numbers"),
    ],
)
def test_w1_rejects_bad_inputs(x, y, match):
    with pytest.raises(ValueError, match=match):
        wasserstein1(x, y)


def test_w1_rejects_bad_max_samples():
    with pytest.raises(ValueError, match="max_samples"):
        wasserstein1(np.zeros((3, 2)), np.zeros((3, 2)), max_samples=0)


def test_w1_large_problem_reaches_optimality():
    # POT's default iteration cap stops short here; wasserstein1 must not return a suboptimal value.
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1500, 2))
    assert wasserstein1(x, x + [0.6, 0.8]) == pytest.approx(1.0, rel=1e-9)


# ------------------------------------------------------------------------------- sliced W


def test_sliced_w_in_1d_is_exact_w():
    rng = np.random.default_rng(5)
    u, v = rng.normal(size=(80, 1)), rng.normal(size=(80, 1)) * 2 + 0.5
    assert sliced_wasserstein(u, v, n_projections=3) == pytest.approx(wasserstein1(u, v), rel=1e-9)
    # Unequal sizes go through the quantile functions and agree with scipy.
    w, z = rng.normal(size=37), rng.uniform(size=64)
    assert sliced_wasserstein(w, z) == pytest.approx(scipy.stats.wasserstein_distance(w, z), rel=1e-9)


def test_sliced_w_p2_in_1d_matches_sorted_formula():
    rng = np.random.default_rng(6)
    u, v = rng.normal(size=60), rng.normal(size=60) + 1
    expected = math.sqrt(np.mean((np.sort(u) - np.sort(v)) ** 2))
    assert sliced_wasserstein(u, v, p=2) == pytest.approx(expected, rel=1e-9)


def test_sliced_w_of_a_2d_shift_is_2_over_pi_times_the_norm():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(300, 2))
    # A shift s projects to a shift u.s; E|u.s| over unit directions in 2-D is 2|s|/pi.
    value = sliced_wasserstein(x, x + [3.0, 4.0], n_projections=4000, seed=1)
    assert value == pytest.approx(5 * 2 / math.pi, rel=0.03)


def test_sliced_w_zero_symmetric_seeded():
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(50, 10)), rng.normal(size=(40, 10))
    assert sliced_wasserstein(x, x) == pytest.approx(0.0, abs=1e-12)
    assert sliced_wasserstein(x, y, seed=3) == pytest.approx(sliced_wasserstein(y, x, seed=3), rel=1e-9)
    assert sliced_wasserstein(x, y, seed=3) == sliced_wasserstein(x, y, seed=3)
    assert 0 < sliced_wasserstein(x, y) < wasserstein1(x, y)


@pytest.mark.parametrize("kwargs, match", [({"n_projections": 0}, "n_projections"), ({"p": 0.5}, "p must")])
def test_sliced_w_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sliced_wasserstein(np.zeros((3, 2)), np.ones((3, 2)), **kwargs)
    with pytest.raises(ValueError, match="same per-sample shape"):
        sliced_wasserstein(np.zeros((3, 2)), np.ones((3, 3)))


# ------------------------------------------------------------------------------- Frechet distance


def _gaussian_w2_squared(m1, s1, m2, s2):
    """Closed form |m1 - m2|^2 + tr(S1 + S2 - 2 (S2^1/2 S1 S2^1/2)^1/2) with scipy's general sqrtm."""
    import scipy.linalg

    r2 = scipy.linalg.sqrtm(s2)
    return float(np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * np.real(scipy.linalg.sqrtm(r2 @ s1 @ r2))))


def test_frechet_of_1d_gaussians_is_mean_gap_plus_sd_gap_squared():
    # W2^2(N(m1, s1^2), N(m2, s2^2)) = (m1 - m2)^2 + (s1 - s2)^2.
    a = FeatureStats(np.array([1.0]), np.array([[4.0]]), 10)
    b = FeatureStats(np.array([-2.0]), np.array([[0.25]]), 10)
    assert frechet_distance(a, b) == pytest.approx(9.0 + 1.5**2, rel=1e-12)


def test_frechet_of_commuting_covariances_is_the_sum_over_axes():
    # Diagonal covariances commute: the cross term is sum sqrt(s1_i s2_i).
    s1, s2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.0])
    m1, m2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    expected = np.sum((m1 - m2) ** 2) + np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)
    value = frechet_distance(FeatureStats(m1, np.diag(s1), 5), FeatureStats(m2, np.diag(s2), 5))
    assert value == pytest.approx(expected, rel=1e-12)


def test_frechet_of_non_commuting_covariances_matches_the_general_closed_form():
    rng = np.random.default_rng(12)
    a, b = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    s1, s2 = a @ a.T + 0.1 * np.eye(6), b @ b.T
    m1, m2 = rng.normal(size=6), rng.normal(size=6)
    assert not np.allclose(s1 @ s2, s2 @ s1)
    value = frechet_distance(FeatureStats(m1, s1, 7), FeatureStats(m2, s2, 7))
    assert value == pytest.approx(_gaussian_w2_squared(m1, s1, m2, s2), rel=1e-8)
    assert frechet_distance(FeatureStats(m1, s1, 7), FeatureStats(m1, s1, 7)) == pytest.approx(0.0, abs=1e-9)


def test_frechet_of_samples_uses_their_mean_and_unbiased_covariance():
    rng = np.random.default_rng(13)
    x = rng.normal(size=(4000, 3)) @ np.diag([1.0, 2.0, 0.5])
    y = rng.normal(size=(3000, 3)) + [2.0, 0.0, 0.0]
    stats = feature_stats(x)
    np.testing.assert_allclose(stats.cov, np.cov(x, rowvar=False))
    assert stats.n == 4000
    value = frechet_distance(x, y)
    assert value == pytest.approx(frechet_distance(stats, feature_stats(y)), rel=1e-12)
    # The population value: mean gap 4, standard deviations (1, 2, 0.5) against 1: 0 + 1 + 0.25.
    assert value == pytest.approx(4.0 + 1.0 + 0.25, abs=0.2)
    assert frechet_distance(y, x) == pytest.approx(value, rel=1e-9)


@pytest.mark.parametrize(
    "x, y, match",
    [
        (np.zeros((1, 3)), np.zeros((5, 3)), "at least 2"),
        (np.zeros((5, 3)), np.zeros((5, 4)), "features per sample"),
        (np.array([[0.0, np.nan], [1.0, 1.0]]), np.zeros((2, 2)), "NaN or inf"),
    ],
)
def test_frechet_rejects_bad_inputs(x, y, match):
    with pytest.raises(ValueError, match=match):
        frechet_distance(x, y)


# ------------------------------------------------------------------------------- diversity


@pytest.fixture(scope="module")
def threes():
    from wganlab.data import load_mnist

    images, _ = load_mnist(digits=3)
    return images


def test_diversity_of_real_against_real_is_about_one(threes):
    assert diversity_ratio(threes[:250], threes[250:]) == pytest.approx(1.0, abs=0.05)


def test_diversity_of_a_collapsed_generator_is_near_zero(threes):
    collapsed = np.repeat(threes[:1], 300, axis=0)
    assert diversity_ratio(collapsed, threes) == pytest.approx(0.0, abs=1e-9)
    few_modes = np.repeat(threes[:3], 100, axis=0)  # three images only: still far below 1
    assert diversity_ratio(few_modes, threes) < 0.8


def test_mean_pairwise_distance_hand_case_and_errors():
    # Unit square corners: 4 sides of length 1 and 2 diagonals of sqrt(2).
    square = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert mean_pairwise_distance(square) == pytest.approx((4 + 2 * math.sqrt(2)) / 6)
    with pytest.raises(ValueError, match="at least 2"):
        mean_pairwise_distance(square[:1])
    with pytest.raises(ValueError, match="identical"):
        diversity_ratio(square, np.zeros((5, 2)))


# ------------------------------------------------------------------------- digit classifier


@pytest.fixture(scope="session")
def classifier_cache(tmp_path_factory):
    """A folder with a freshly trained classifier (trained once per session), and the model."""
    folder = tmp_path_factory.mktemp("wganlab_cache")
    clf._MEMO.clear()
    model = clf.digit_classifier(cache_dir=folder)
    return folder, model


@pytest.fixture
def classifier(classifier_cache):
    return classifier_cache[1]


def test_classifier_accuracy_on_heldout_digits(classifier):
    images, labels = clf.heldout_digits()
    assert images.shape == (500, 28, 28, 1) and np.bincount(labels).tolist() == [50] * 10
    predicted = classify_digits(images, classifier)
    assert predicted.shape == (500,) and predicted.dtype == np.int64
    accuracy = float(np.mean(predicted == labels))
    assert accuracy > 0.95, f"held-out accuracy {accuracy:.3f}"


def test_heldout_digits_are_not_in_the_training_split():
    from wganlab.data import load_mnist

    _, labels = load_mnist()
    train, held = clf._heldout_split(labels)
    assert len(held) == 500 and len(train) == 4500
    assert not set(train) & set(held)


def test_classifier_is_cached_and_reloaded_without_training(classifier_cache, monkeypatch):
    folder, model = classifier_cache
    weights = folder / "digit_classifier_v1.weights.h5"
    assert weights.is_file() and weights.stat().st_size > 100_000
    assert (folder / "digit_classifier_v1.json").is_file()
    # Atomic write: no temporary files are left behind.
    assert sorted(p.name for p in folder.iterdir()) == ["digit_classifier_v1.json", "digit_classifier_v1.weights.h5"]
    mtime = weights.stat().st_mtime_ns

    def no_training():
        raise AssertionError("the classifier was retrained although a cached copy exists")

    monkeypatch.setattr(clf, "_train_classifier", no_training)
    assert clf.digit_classifier(cache_dir=folder) is model  # memoised in-process
    monkeypatch.setattr(clf, "_MEMO", {})
    reloaded = clf.digit_classifier(cache_dir=folder)  # from the file
    assert reloaded is not model
    assert weights.stat().st_mtime_ns == mtime
    images, _ = clf.heldout_digits()
    np.testing.assert_array_equal(classify_digits(images[:100], reloaded), classify_digits(images[:100], model))


def test_cached_weights_load_under_the_other_backend(classifier_cache):
    """The .weights.h5 cache is backend-neutral: TF-trained weights load under JAX and back."""
    import importlib.util
    import subprocess
    import sys

    import keras

    other = "jax" if keras.backend.backend() != "jax" else "tensorflow"
    if importlib.util.find_spec(other) is None:
        pytest.skip(f"{other} is not installed")
    folder, model = classifier_cache
    images, labels = clf.heldout_digits()
    expected = classify_digits(images, model)
    code = (
        "import sys, numpy as np; from wganlab import classifier as clf; "
        "clf._train_classifier = lambda: 1 / 0; "  # must load, never train
        "m = clf.digit_classifier(sys.argv[1]); x, _ = clf.heldout_digits(); "
        "print(''.join(map(str, clf.classify_digits(x, m))))"
    )
    env = {**os.environ, "KERAS_BACKEND": other, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    predicted = np.array([int(c) for c in out.stdout.strip().splitlines()[-1]])
    # Different backends may round differently; allow a rare flip on a borderline digit.
    assert np.mean(predicted == expected) > 0.99


def test_classifier_cache_dir_defaults_to_env(monkeypatch, tmp_path):
    monkeypatch.setenv("WGANLAB_CACHE", str(tmp_path / "from_env"))
    assert clf._cache_dir(None) == tmp_path / "from_env"
    monkeypatch.delenv("WGANLAB_CACHE")
    assert clf._cache_dir(None) == Path.home() / ".cache" / "wganlab"


def test_corrupt_cache_file_is_replaced(classifier_cache, tmp_path, monkeypatch):
    folder, model = classifier_cache
    (tmp_path / "digit_classifier_v1.weights.h5").write_bytes(b"not an h5 file")
    monkeypatch.setattr(clf, "_MEMO", {})
    # Retraining is tested elsewhere; here a stand-in "training" returns the trained model.
    monkeypatch.setattr(clf, "_train_classifier", lambda: (model, {"version": "v1"}))
    with pytest.warns(UserWarning, match="could not load"):
        assert clf.digit_classifier(cache_dir=tmp_path) is model
    assert (tmp_path / "digit_classifier_v1.weights.h5").stat().st_size > 100_000


def test_classify_accepts_flat_and_channelless_images(classifier, threes):
    expected = classify_digits(threes[:20], classifier)
    np.testing.assert_array_equal(classify_digits(threes[:20, :, :, 0], classifier), expected)
    np.testing.assert_array_equal(classify_digits(threes[:20].reshape(20, 784), classifier), expected)


@pytest.mark.parametrize(
    "images, match",
    [
        (np.zeros((4, 32, 32, 1), np.float32), "shape"),
        (np.zeros((4, 28, 28, 3), np.float32), "shape"),
        (np.zeros((0, 28, 28, 1), np.float32), "shape"),
        (np.zeros((4, 28, 28, 1), np.uint8), "integer dtype"),
        (np.full((2, 28, 28, 1), np.nan, np.float32), "NaN"),
    ],
)
def test_classify_rejects_bad_images(classifier, images, match):
    with pytest.raises(ValueError, match=match):
        classify_digits(images, classifier)


def test_digit_histogram(classifier, threes):
    hist = digit_histogram(threes[:200], classifier)
    assert hist.shape == (10,) and hist.sum() == pytest.approx(1.0)
    assert hist[3] > 0.9


def test_digit_features_are_the_penultimate_activations(classifier, threes):
    features = clf.digit_features(threes[:30], classifier)
    assert features.shape == (30, 128) and features.dtype == np.float64 and features.min() >= 0  # ReLU
    # The logits are the last Dense layer applied to them.
    kernel, bias = (np.asarray(w) for w in classifier.layers[-1].get_weights())
    import keras

    logits = keras.ops.convert_to_numpy(classifier(threes[:30], training=False))
    np.testing.assert_allclose(features @ kernel + bias, logits, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(clf.digit_features(threes[:30].reshape(30, 784), classifier), features)
    with pytest.raises(ValueError, match="shape"):
        clf.digit_features(np.zeros((3, 32, 32, 1), np.float32), classifier)


@pytest.fixture(scope="module")
def digit_sets():
    """Reals split in two, blurred blends of two different digits, and uniform noise: 500 each (400+ blends)."""
    from scipy.ndimage import uniform_filter

    from wganlab.data import load_mnist

    images, labels = load_mnist()
    idx = np.random.default_rng(0).permutation(len(images))
    i, j = idx[1000:1500], idx[1500:2000]
    keep = labels[i] != labels[j]
    blends = uniform_filter(0.5 * (images[i] + images[j])[keep], size=(1, 3, 3, 1))
    noise = np.random.default_rng(1).uniform(-1, 1, (500, 28, 28, 1)).astype(np.float32)
    return images[idx[:500]], images[idx[500:1000]], blends, noise


def test_digit_fd_orders_real_split_blends_and_noise(classifier, digit_sets):
    real_a, real_b, blends, noise = digit_sets
    split = digit_frechet_distance(real_a, real_b, classifier)
    blend = digit_frechet_distance(blends, real_b, classifier)
    far = digit_frechet_distance(noise, real_b, classifier)
    assert split < blend < far, (split, blend, far)
    assert blend > 5 * split  # not a close call (measured 2026-12-06: 5.9, 118, 282)
    # What pixel W1 gets wrong and the feature distance does not: the blurred blends are closer
    # to the reals than another sample of reals is.
    assert wasserstein1(blends, real_b[: len(blends)]) < wasserstein1(real_a, real_b)


def test_digit_fd_memoises_the_reals_and_accepts_their_stats(classifier, digit_sets, monkeypatch):
    from wganlab import metrics

    real_a, real_b, blends, _ = digit_sets
    monkeypatch.setattr(metrics, "_REAL_STATS", {})
    first = digit_frechet_distance(blends, real_b, classifier)
    assert len(metrics._REAL_STATS) == 1
    calls = []
    real_features = clf.digit_features

    def counting(images, model=None):
        calls.append(len(images))
        return real_features(images, model)

    monkeypatch.setattr(clf, "digit_features", counting)
    assert digit_frechet_distance(blends, real_b.copy(), classifier) == first  # same content: one feature pass
    assert calls == [len(blends)]
    stats = feature_stats(real_features(real_b, classifier))
    assert digit_frechet_distance(blends, stats, classifier) == pytest.approx(first, rel=1e-12)
    with pytest.raises(ValueError, match="at least 2"):
        digit_frechet_distance(blends[:1], real_b, classifier)


# ------------------------------------------------------------------------------- the report


def test_evaluate_samples_for_digits(classifier, threes):
    report = evaluate_samples(threes[:250], threes[250:], target_digits=3, classifier=classifier)
    assert isinstance(report, SampleReport)
    assert report.n_fake == 250 and report.n_real == 250
    assert 5 < report.w1 < 20 and 0 < report.sliced_w < report.w1
    assert report.diversity == pytest.approx(1.0, abs=0.05)
    assert report.digit_fraction > 0.9
    assert len(report.histogram) == 10 and sum(report.histogram) == pytest.approx(1.0)
    assert report.digit_fraction == pytest.approx(report.histogram[3])
    with pytest.raises(AttributeError):
        report.w1 = 0.0  # frozen
    assert set(report.as_dict()) == {"w1", "sliced_w", "diversity", "digit_fraction", "histogram", "n_fake", "n_real",
                                     "fd"}
    assert report.fd == pytest.approx(digit_frechet_distance(threes[:250], threes[250:], classifier))
    assert "W1" in report.summary() and f"feature FD {report.fd:.2f}" in report.summary()


def test_evaluate_samples_flags_collapse_that_accuracy_misses(classifier, threes):
    collapsed = np.repeat(threes[:1], 250, axis=0)
    good = evaluate_samples(threes[:250], threes[250:], target_digits=[3], classifier=classifier)
    bad = evaluate_samples(collapsed, threes[250:], target_digits=[3], classifier=classifier)
    assert bad.digit_fraction == 1.0  # the classifier is fooled ...
    assert bad.diversity < 0.01 and bad.w1 > good.w1  # ... W1 and diversity are not


def test_evaluate_samples_max_samples_and_toy_data():
    rng = np.random.default_rng(9)
    real, fake = rng.normal(size=(800, 2)), rng.normal(size=(600, 2)) + [1.0, 0.0]
    report = evaluate_samples(fake, real, max_samples=200)
    assert (report.n_fake, report.n_real) == (200, 200)
    assert report.digit_fraction is None and report.histogram is None and report.fd is None
    assert "FD" not in report.summary()
    assert report.w1 == pytest.approx(1.0, abs=0.3)
    assert report == evaluate_samples(fake, real, max_samples=200)  # reproducible
    with pytest.raises(ValueError, match="28x28"):
        evaluate_samples(fake, real, target_digits=3)
    with pytest.raises(ValueError, match="target_digits"):
        evaluate_samples(fake, real, target_digits=[12])
    with pytest.raises(ValueError, match="same per-sample shape"):
        evaluate_samples(fake, real[:, :1])


def test_distance_functions_import_no_ml_framework():
    import subprocess
    import sys

    code = (
        "import sys, numpy as np; from wganlab import metrics; "
        "metrics.wasserstein1(np.zeros((3, 2)), np.ones((3, 2))); metrics.sliced_wasserstein(np.zeros(3), np.ones(3)); "
        "print('keras' in sys.modules, 'tensorflow' in sys.modules, 'jax' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert out.stdout.strip() == "False False False", "POT must not import the ML frameworks"


def test_confident_fraction_separates_digits_from_blurred_blends(classifier):
    images, _ = clf.heldout_digits()
    on_digits = clf.confident_fraction(images, classifier=classifier)
    # The mean of many digits is a blur that resembles several classes at once.
    blends = np.stack([images[i::50][:10].mean(axis=0) for i in range(50)])
    on_blends = clf.confident_fraction(blends, classifier=classifier)
    assert on_digits > 0.9 and on_blends < 0.5, (on_digits, on_blends)
    assert clf.confident_fraction(images[:4], threshold=0.999999, classifier=classifier) <= on_digits
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        clf.confident_fraction(images, threshold=1.0, classifier=classifier)
