"""Critics: contours of trained critics over the plane, with the samples they saw."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from wganlab.plots._common import FAKE_COLOR, REAL_COLOR, array, curve, points, save


def critic_contours(xs, ys, values, real, fakes, labels, path=None, title: str | None = None) -> Figure:
    """Trained critics over the plane, one panel each: xs (nx,), ys (ny,), values (K, ny, nx), real (n, 2), fakes K x (m, 2).

    Filled contours of each critic's score (its own colour scale: a clipped critic's values are
    tiny), with the real samples and that panel's generated samples on top.
    """
    xs, ys = curve(xs, "xs"), curve(ys, "ys")
    values = array(values, "values")
    if values.ndim == 2:
        values = values[None]
    if values.ndim != 3 or values.shape[1:] != (len(ys), len(xs)):
        raise ValueError(f"values must have shape (K, len(ys), len(xs)) = (K, {len(ys)}, {len(xs)}), "
                         f"found {values.shape}.")
    k = len(values)
    real = points(real, "real")
    fakes = [points(f, f"fakes[{i}]") for i, f in enumerate(fakes)]
    labels = [str(lab) for lab in labels]
    if len(fakes) != k or len(labels) != k:
        raise ValueError(f"got {k} critics, {len(fakes)} sets of fakes and {len(labels)} labels; they must match.")
    fig = Figure(figsize=(4.2 * k, 3.6), layout="constrained")  # before the colorbars
    axes = np.atleast_1d(fig.subplots(1, k))
    for ax, v, fake, label in zip(axes, values, fakes, labels):
        filled = ax.contourf(xs, ys, v, levels=14, cmap="viridis")
        ax.contour(xs, ys, v, levels=14, colors="white", linewidths=0.4, alpha=0.5)
        fig.colorbar(filled, ax=ax, fraction=0.06, pad=0.02, format="%.2g")
        ax.scatter(real[:300, 0], real[:300, 1], s=4, color=REAL_COLOR, edgecolors="white", linewidths=0.2,
                   label="real")
        ax.scatter(fake[:300, 0], fake[:300, 1], s=4, color=FAKE_COLOR, edgecolors="white", linewidths=0.2,
                   label="generated")
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ys[0], ys[-1])
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("x₁")
    axes[0].set_ylabel("x₂")
    axes[0].legend(loc="lower left", fontsize=8, markerscale=2.5)
    if title:
        fig.suptitle(title, fontsize=12)
    return save(fig, path)


def toy_critic_contours(panels, path=None, title: str | None = None, max_points: int = 400) -> Figure:
    """Filled contours of 2-D critics with their samples on top, one panel each.

    ``panels``: a sequence of ``(label, xs (n,), ys (m,), values (m, n), real (k, 2), fake (k, 2))``.
    Each panel has its own colour scale (a clipped critic's values span a hundredth of a
    penalised one's), shown by its colour bar.
    """
    panels = list(panels)
    if not panels:
        raise ValueError("toy_critic_contours needs at least one panel")
    fig = Figure(figsize=(4.6 * len(panels), 4.2))
    for i, panel in enumerate(panels):
        if len(panel) != 6:
            raise ValueError(f"panel {i} must be (label, xs, ys, values, real, fake), got {len(panel)} items")
        label, xs, ys, values, real, fake = panel
        xs, ys, values = array(xs, "xs"), array(ys, "ys"), array(values, "values")
        if values.shape != (len(ys), len(xs)):
            raise ValueError(f"panel {i}: values must have shape (len(ys), len(xs)) = {(len(ys), len(xs))}, "
                             f"got {values.shape}")
        real, fake = points(real, "real")[:max_points], points(fake, "fake")[:max_points]
        ax = fig.add_subplot(1, len(panels), i + 1)
        filled = ax.contourf(xs, ys, values, levels=20, cmap="viridis")
        ax.contour(xs, ys, values, levels=10, colors="white", linewidths=0.4, alpha=0.6)
        fig.colorbar(filled, ax=ax, shrink=0.85, label="critic value")
        ax.scatter(fake[:, 0], fake[:, 1], s=3, c=FAKE_COLOR, alpha=0.5, label="generated (fixed)")
        ax.scatter(real[:, 0], real[:, 1], s=3, c="white", edgecolors="none", label="real")
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ys[0], ys[-1])
        ax.set_aspect("equal")
        ax.set_title(str(label), fontsize=10)
        if i == 0:
            ax.legend(loc="lower left", fontsize=7, markerscale=3, framealpha=0.6)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)
