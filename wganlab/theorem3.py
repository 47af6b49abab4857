"""The WGAN paper's Theorem 3: the generator's gradient of W taken through a trained critic.

With P_theta the law of g_theta(Z) and f the critic that attains the Kantorovich-Rubinstein
supremum (high on the real samples, as the course's critic loss mean(fake) - mean(real) trains it),

    grad_theta W(P_r, P_theta) = -E_z[ grad_theta f(g_theta(z)) ].

The family here is one-dimensional and its exact W is not linear in theta, so a check of the
theorem is a check of the gradient's size and not only of its sign: g_theta(z) = z**theta with
Z ~ U(0, 1), against the real P_r = law of Z**theta0. Both generators are increasing in z, so the
monotone (quantile) coupling is optimal and W = int_0^1 |z**theta - z**theta0| dz
= |1 / (theta + 1) - 1 / (theta0 + 1)| (z**theta - z**theta0 keeps one sign on (0, 1)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import keras
import numpy as np
from keras import ops

from wganlab import autodiff, estimator

__all__ = ["power_samples", "power_w", "power_w_slope", "critic_gradient", "Theorem3Curve", "theorem3_curve"]

_Z_FLOOR = 1e-6  # log z enters the derivative z**theta log z; z = 0 would make it 0 * -inf


def _check_theta(theta, name: str = "theta") -> float:
    """``theta`` as a float > 0 (the family z**theta is increasing only there), or a ValueError."""
    value = float(theta)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0 (g_theta(z) = z**theta), got {theta!r}.")
    return value


def _uniform_z(n: int, seed: int) -> np.ndarray:
    """(n,) float64 draws of Z ~ U(0, 1), kept above a floor so that log z is finite."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer number of samples, got {n!r}.")
    return np.random.default_rng(seed).uniform(_Z_FLOOR, 1.0, size=int(n))


def power_samples(theta: float, n: int, seed: int = 0) -> np.ndarray:
    """(n, 1) float32 samples of g_theta(Z) = Z**theta, Z ~ U(0, 1); theta > 0."""
    theta = _check_theta(theta)
    return (_uniform_z(n, seed) ** theta).astype("float32")[:, None]


def power_w(theta: float, theta0: float = 1.0) -> float:
    """Exact W1 between the laws of Z**theta and Z**theta0 (Z ~ U(0, 1)): |1/(theta+1) - 1/(theta0+1)|."""
    theta, theta0 = _check_theta(theta), _check_theta(theta0, "theta0")
    return abs(1.0 / (theta + 1.0) - 1.0 / (theta0 + 1.0))


def power_w_slope(theta: float, theta0: float = 1.0, h: float = 1e-4) -> float:
    """Central finite difference (W(theta + h) - W(theta - h)) / 2h of :func:`power_w` (W per unit theta)."""
    theta = _check_theta(theta)
    if not 0 < h < theta:
        raise ValueError(f"h must be in (0, theta) = (0, {theta}) so that theta - h stays > 0, got {h!r}.")
    return (power_w(theta + h, theta0) - power_w(theta - h, theta0)) / (2.0 * h)


def critic_gradient(critic: keras.Model, thetas, z) -> np.ndarray:
    """Theorem 3's gradient -E_z[d/dtheta f_n(z**theta_n)] per member n: thetas (N,), z (n,) in (0, 1) -> (N,).

    ``critic`` maps (N, n, 1) to (N, n, 1), member n scoring the samples of thetas[n] (the stacked
    critics of :func:`wganlab.estimator.train_critics`). Theta is given one copy per sample, so that
    the gradient of the summed scores holds each sample's own d f(g_theta(z)) / d theta.
    """
    thetas = np.asarray(thetas, dtype=np.float64).reshape(-1)
    z = np.asarray(z, dtype=np.float64).reshape(-1)
    if z.size == 0 or z.min() <= 0 or z.max() > 1:
        raise ValueError(f"z must be a non-empty array of values in (0, 1], got {z.size} values "
                         f"in [{z.min() if z.size else 'nan'}, {z.max() if z.size else 'nan'}].")
    for theta in thetas:
        _check_theta(theta)
    dtype = keras.backend.floatx()
    log_z = ops.convert_to_tensor(np.broadcast_to(np.log(z)[None, :, None], (thetas.size, z.size, 1)).astype(dtype))
    theta_copies = np.broadcast_to(thetas[:, None, None], (thetas.size, z.size, 1)).astype(dtype)
    # g_theta(z) = exp(theta log z): its theta-derivative z**theta log z is finite for every z > 0
    grads = autodiff.input_gradients(lambda th: critic(ops.exp(th * log_z)), theta_copies)
    return -np.asarray(ops.convert_to_numpy(grads), dtype=np.float64).mean(axis=(1, 2))


@dataclass
class Theorem3Curve:
    """For each theta (N,): Theorem 3's gradient through the trained critic, the exact W's slope, W and its estimate."""

    thetas: np.ndarray
    gradient: np.ndarray  # -E_z[d f(g_theta(z)) / d theta], W per unit theta
    exact_slope: np.ndarray  # central finite difference of the exact W
    estimate: np.ndarray  # the critic's gap E[f(real)] - E[f(fake)]
    exact_w: np.ndarray
    critic: keras.Model | None = field(default=None, repr=False, compare=False)


def theorem3_curve(thetas, critic_objective: Callable, config: estimator.CriticConfig | None = None,
                   theta0: float = 1.0, n_gradient: int = 4000) -> Theorem3Curve:
    """Train one critic per theta between Z**theta0 and Z**theta, then Theorem 3's gradient of each.

    ``critic_objective`` is as for :func:`wganlab.estimator.estimate_curve` (for example
    ``estimator.penalised_objective(critic_loss)``, whose critics estimate W itself, kappa near 1;
    a clipped critic's gradient is kappa times smaller). The gradient uses ``n_gradient`` fresh z.
    """
    config = config or estimator.CriticConfig(kind="gp")
    thetas = np.asarray(thetas, dtype=np.float64).reshape(-1)
    if thetas.size == 0:
        raise ValueError("thetas is empty: give at least one theta > 0")
    theta0 = _check_theta(theta0, "theta0")
    est = estimator.estimate_curve(power_samples, thetas, theta0, critic_objective, config,
                                   exact=lambda theta: power_w(theta, theta0))
    z = _uniform_z(n_gradient, 30_000 + config.seed)  # not a training draw
    return Theorem3Curve(thetas, critic_gradient(est.critic, thetas, z),
                         np.array([power_w_slope(t, theta0) for t in thetas]), est.estimates, est.exact, est.critic)
