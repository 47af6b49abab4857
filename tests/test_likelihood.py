"""wganlab.likelihood: entropy, discrete samples and the average log-likelihood that 01 compares with -KL - H."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats

from wganlab.likelihood import average_log_likelihood, entropy, sample_outcomes

P = np.array([0.5, 0.25, 0.125, 0.125])
Q = np.array([0.1, 0.2, 0.3, 0.4])


def test_entropy_of_uniform_point_mass_and_a_known_case():
    assert entropy(np.full(8, 1 / 8)) == pytest.approx(math.log(8), abs=1e-12)
    assert entropy([0.0, 1.0, 0.0]) == 0.0
    # 0.5 log 2 + 0.25 log 4 + 2 * 0.125 log 8 = 1.75 log 2
    assert entropy(P) == pytest.approx(1.75 * math.log(2), abs=1e-12)
    assert entropy(P) == pytest.approx(scipy.stats.entropy(P), abs=1e-12)


def test_an_exactly_proportional_sample_gives_minus_kl_minus_entropy():
    # 8 outcomes with the counts 4, 2, 1, 1 are P exactly, so the average is E_P[log Q] with no noise.
    outcomes = np.array([0, 0, 0, 0, 1, 1, 2, 3])
    expected = -scipy.stats.entropy(P, Q) - scipy.stats.entropy(P)  # scipy's two-argument entropy is KL
    assert average_log_likelihood(outcomes, Q) == pytest.approx(expected, abs=1e-12)
    assert average_log_likelihood(outcomes, Q) == pytest.approx(float(np.sum(P * np.log(Q))), abs=1e-12)


def test_the_average_of_many_samples_approaches_the_limit_and_the_data_model_wins():
    x = sample_outcomes(P, 200_000, seed=3)
    limit = -scipy.stats.entropy(P, Q) - entropy(P)
    spread = np.sqrt(np.sum(P * np.log(Q) ** 2) - np.sum(P * np.log(Q)) ** 2)  # sd of log Q(x), x ~ P
    assert abs(average_log_likelihood(x, Q) - limit) < 5 * spread / math.sqrt(x.size)
    # Gibbs: no model is more likely on P's samples than P itself (KL >= 0), by far more than the noise here.
    assert average_log_likelihood(x, P) > average_log_likelihood(x, Q) + 0.1


def test_samples_are_reproducible_and_follow_p():
    x = sample_outcomes(P, 100_000, seed=1)
    assert x.dtype == np.int64 and x.shape == (100_000,)
    assert np.array_equal(x, sample_outcomes(P, 100_000, seed=1))
    assert not np.array_equal(x, sample_outcomes(P, 100_000, seed=2))
    freq = np.bincount(x, minlength=P.size) / x.size
    assert np.abs(freq - P).max() < 0.01
    assert set(np.unique(sample_outcomes([0.0, 1.0, 0.0], 50))) == {1}


def test_an_impossible_sample_makes_the_likelihood_minus_infinity():
    assert average_log_likelihood([0, 1, 2], [0.5, 0.5, 0.0]) == -math.inf
    assert average_log_likelihood([0, 1], [0.5, 0.5, 0.0]) == pytest.approx(math.log(0.5))


@pytest.mark.parametrize("call, match", [
    (lambda: entropy([0.5, 0.6]), "sum to 1"),
    (lambda: entropy([1.5, -0.5]), ">= 0"),
    (lambda: entropy([[0.5, 0.5]]), "1-D"),
    (lambda: entropy([]), "non-empty"),
    (lambda: entropy(["a", "b"]), "real numbers"),
    (lambda: sample_outcomes(P, 0), "positive integer"),
    (lambda: sample_outcomes(P, 2.5), "positive integer"),
    (lambda: average_log_likelihood([0, 4], P), r"\[0, 4\)"),
    (lambda: average_log_likelihood([-1, 0], P), r"\[0, 4\)"),
    (lambda: average_log_likelihood([0.0, 1.0], P), "integer outcome indices"),
    (lambda: average_log_likelihood([], P), "non-empty"),
    (lambda: average_log_likelihood([0], [0.2, 0.2]), "sum to 1"),
])
def test_wrong_inputs_say_what_was_expected(call, match):
    with pytest.raises(ValueError, match=match):
        call()
