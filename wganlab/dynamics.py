"""GAN training dynamics in closed form: the bilinear game and the generator losses' gradients.

Two points of the GAN literature that need no network to see (EECS 182's GAN homework; Mescheder
et al. 2018, "Which training methods for GANs do actually converge?"; Goodfellow et al. 2014,
section 3):

- On min_x max_y x*y, whose only equilibrium is (0, 0), simultaneous gradient descent-ascent
  multiplies the distance to the equilibrium by sqrt(1 + lr^2) at every step: it spirals out.
  Alternating updates (y moves after seeing the new x) stay on a bounded orbit instead.
- Against a logit l = D(G(z)), the minimax generator loss log(1 - sigmoid(l)) has derivative
  -sigmoid(l), which vanishes as the discriminator rejects the fake (l -> -inf); the
  non-saturating loss -log sigmoid(l) has derivative sigmoid(l) - 1, which tends to -1 there.
"""

from __future__ import annotations

import numpy as np


def _check(lr: float, steps: int) -> None:
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite learning rate, got {lr!r}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")


def bilinear_gda(x0: float = 1.0, y0: float = 0.0, lr: float = 0.1, steps: int = 100,
                 alternating: bool = False) -> np.ndarray:
    """Iterates (steps + 1, 2) of gradient descent on x and ascent on y for f(x, y) = x*y.

    Simultaneous: x' = x - lr*y, y' = y + lr*x (both from the old point). Alternating: y' uses x'.
    """
    _check(lr, steps)
    path = np.empty((int(steps) + 1, 2))
    x, y = float(x0), float(y0)
    path[0] = x, y
    for t in range(1, int(steps) + 1):
        x_new = x - lr * y  # df/dx = y
        y = y + lr * (x_new if alternating else x)  # df/dy = x
        x = x_new
        path[t] = x, y
    return path


def bilinear_radius_growth(lr: float) -> float:
    """Exact factor by which simultaneous GDA on x*y multiplies |(x, y)| per step: sqrt(1 + lr^2)."""
    _check(lr, 0)
    return float(np.sqrt(1.0 + lr * lr))


def sigmoid(logits) -> np.ndarray:
    """Numerically stable logistic function of an array of logits (same shape)."""
    l = np.asarray(logits, dtype=np.float64)
    return np.where(l >= 0, 1.0 / (1.0 + np.exp(-np.abs(l))), np.exp(-np.abs(l)) / (1.0 + np.exp(-np.abs(l))))


def generator_loss_gradients(logits) -> dict[str, np.ndarray]:
    """d(loss)/d(logit) of both generator losses at each fake logit (same shape as ``logits``).

    'saturating': d/dl log(1 - sigmoid(l)) = -sigmoid(l); 'non_saturating': d/dl -log sigmoid(l)
    = sigmoid(l) - 1.
    """
    s = sigmoid(logits)
    return {"saturating": -s, "non_saturating": s - 1.0}
