"""Two-dimensional toy distributions for the Wasserstein estimator and GAN sanity checks.

Each sampler is a pure function of ``(n, seed, ...)`` that draws from its own
``np.random.default_rng(seed)``, so the same arguments always give the same float32 array of
shape ``(n, 2)``. They are re-exported by :mod:`wganlab.data`.
"""

from __future__ import annotations

import numbers

import numpy as np

from wganlab.errors import DataError

__all__ = ["parallel_lines", "eight_gaussians", "twenty_five_gaussians", "swiss_roll"]


def _check(n, theta: float = 0.0, **nonneg) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise DataError(f"n must be a non-negative integer number of samples, got {n!r}.")
    if not np.isfinite(theta):
        raise DataError(f"theta must be a finite number, got {theta!r}.")
    for name, value in nonneg.items():
        if not np.isfinite(value) or value < 0:
            raise DataError(f"{name} must be a finite number >= 0, got {value!r}.")
    return int(n)


def parallel_lines(n: int, theta: float = 0.0, seed: int = 0) -> np.ndarray:
    """Example 1 of Arjovsky et al. (2017): float32 (n, 2) points (theta, z), z ~ U[0, 1]."""
    n = _check(n, theta=theta)
    z = np.random.default_rng(seed).uniform(0.0, 1.0, size=n)
    return np.stack([np.full(n, theta), z], axis=1).astype(np.float32)


def eight_gaussians(n: int, seed: int = 0, radius: float = 2.0, std: float = 0.02) -> np.ndarray:
    """Mixture of 8 equal Gaussians on a circle of `radius`: float32 (n, 2), centres at k*45 degrees."""
    n = _check(n, radius=radius, std=std)
    rng = np.random.default_rng(seed)
    angles = np.arange(8) * (np.pi / 4)
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    idx = rng.integers(0, 8, size=n)
    return (centres[idx] + std * rng.standard_normal((n, 2))).astype(np.float32)


def twenty_five_gaussians(n: int, seed: int = 0, std: float = 0.05) -> np.ndarray:
    """Mixture of 25 equal Gaussians on the grid {-2,...,2}^2 (spacing 1): float32 (n, 2)."""
    n = _check(n, std=std)
    rng = np.random.default_rng(seed)
    grid = np.arange(-2, 3, dtype=np.float64)
    centres = np.stack(np.meshgrid(grid, grid, indexing="ij"), axis=-1).reshape(-1, 2)
    idx = rng.integers(0, len(centres), size=n)
    return (centres[idx] + std * rng.standard_normal((n, 2))).astype(np.float32)


def swiss_roll(n: int, seed: int = 0, noise: float = 0.25) -> np.ndarray:
    """2-D Swiss roll as in Gulrajani et al.: float32 (n, 2) in about [-1.7, 2.0], noise std noise/7.5."""
    n = _check(n, noise=noise)
    rng = np.random.default_rng(seed)
    # Same construction as sklearn's make_swiss_roll (x and z coordinates, noise added before
    # the /7.5 rescaling), so figures match the toy experiments of the WGAN-GP paper.
    t = 1.5 * np.pi * (1.0 + 2.0 * rng.uniform(0.0, 1.0, size=n))
    points = np.stack([t * np.cos(t), t * np.sin(t)], axis=1)
    points += noise * rng.standard_normal((n, 2))
    return (points / 7.5).astype(np.float32)
