"""Figures for the assignments: sample grids, toy scatter plots, loss curves, W against theta.

Every function builds a :class:`matplotlib.figure.Figure` directly, without pyplot: nothing
touches pyplot's global state or the active backend, so the functions work headless (tests,
graders, the CLI) and inside notebooks alike, where the returned Figure displays itself as the
cell's value. Pass ``path`` to also write a PNG (100 dpi, parent folders created).

The figures live in ``samples``, ``training``, ``theory`` and ``critics``; import them from here.
"""

from wganlab.plots.critics import critic_contours, toy_critic_contours
from wganlab.plots.samples import sample_grid, scatter_2d
from wganlab.plots.theory import (divergences_versus_theta, js_and_w_versus_theta, kl_fits, transport_plan,
                                  w_versus_theta)
from wganlab.plots.training import (bilinear_phase, estimate_against_w1, generator_loss_gradients, gradient_norms,
                                    loss_curves)

__all__ = [
    "sample_grid", "scatter_2d",
    "loss_curves", "estimate_against_w1", "bilinear_phase", "generator_loss_gradients", "gradient_norms",
    "w_versus_theta", "divergences_versus_theta", "js_and_w_versus_theta", "kl_fits", "transport_plan",
    "critic_contours", "toy_critic_contours",
]
