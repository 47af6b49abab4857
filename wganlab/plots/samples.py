"""Samples: image grids and 2-D scatter plots of real against generated points."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from wganlab.plots._common import FAKE_COLOR, REAL_COLOR, array, points, save


def sample_grid(images, path=None, nrow: int | None = None, title: str | None = None) -> Figure:
    """Grid of images (N, H, W, 1), (N, H, W) or RGB (N, H, W, 3) in [-1, 1] (clipped); nrow = images per row.

    NaN or inf pixels (a diverged generator) show in red so that they cannot pass for black.
    """
    arr = array(images, "images")
    if arr.ndim == 4 and arr.shape[-1] in (1, 3):
        if arr.shape[-1] == 1:
            arr = arr[..., 0]
    elif arr.ndim != 3:
        raise ValueError(
            f"images must have shape (N, H, W), (N, H, W, 1) or (N, H, W, 3), found {arr.shape} "
            "(flat (N, H*W) samples: reshape first; 2-D point clouds: use scatter_2d)."
        )
    n = arr.shape[0]
    if n == 0:
        raise ValueError("images is empty: nothing to draw.")
    if nrow is not None and (isinstance(nrow, bool) or not isinstance(nrow, (int, np.integer)) or nrow < 1):
        raise ValueError(f"nrow (images per row) must be a positive int, found {nrow!r}.")
    cols = min(int(nrow), n) if nrow is not None else math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    h, w = arr.shape[1:3]
    pad = max(1, round(min(h, w) / 14))
    # One RGB mosaic on a white background and one imshow: fast for hundreds of images.
    bad = ~np.isfinite(arr)
    tiles = (np.clip(np.where(bad, 0.0, arr), -1.0, 1.0) + 1.0) / 2.0
    if arr.ndim == 3:
        tiles, bad = np.repeat(tiles[..., None], 3, axis=-1), np.repeat(bad[..., None], 3, axis=-1)
    tiles = np.where(bad.any(axis=-1, keepdims=True), np.array([1.0, 0.0, 0.0]), tiles)
    canvas = np.ones((rows * (h + pad) + pad, cols * (w + pad) + pad, 3))
    for i in range(n):
        r, c = divmod(i, cols)
        y0, x0 = pad + r * (h + pad), pad + c * (w + pad)
        canvas[y0 : y0 + h, x0 : x0 + w] = tiles[i]
    # Each image drawn ~0.6-0.9 inch wide; the whole figure between 2.5 and 12 inches wide.
    cell = 0.9 if cols <= 4 else 0.6 if cols <= 10 else max(0.12, 6.0 / cols)
    width = float(np.clip(cols * cell * w / h, 2.5, 12.0))
    title_h = 0.43 if title else 0.0
    image_h = width * canvas.shape[0] / canvas.shape[1]
    fig = Figure(figsize=(width, image_h + title_h))
    ax = fig.add_axes((0, 0, 1, image_h / (image_h + title_h)))
    ax.imshow(canvas, interpolation="nearest")
    ax.set_axis_off()
    if bad.any():
        title = f"{title + chr(10) if title else ''}red: NaN/inf pixels in {int(bad.any(axis=(1, 2, 3)).sum())} image(s)"
        title_h = 0.1 + 0.25 * (title.count(chr(10)) + 1)
        fig.set_size_inches(width, image_h + title_h)
        ax.set_position((0, 0, 1, image_h / (image_h + title_h)))
    if title:
        fig.suptitle(title, y=1.0, va="top", fontsize=11)
    return save(fig, path)


def scatter_2d(real, fake=None, path=None, title: str | None = None) -> Figure:
    """Scatter plot of real (N, 2) and generated (M, 2) toy samples on equal axes (fake may be None)."""
    real = points(real, "real")
    fake = None if fake is None else points(fake, "fake")
    fig = Figure(figsize=(5.5, 5.0))
    ax = fig.add_subplot()
    size = float(np.clip(3000 / max(len(real), 1), 2, 20))
    ax.scatter(real[:, 0], real[:, 1], s=size, alpha=0.35, color=REAL_COLOR, label=f"real ({len(real)})",
               edgecolors="none")
    if fake is not None:
        finite = np.isfinite(fake).all(axis=1)
        label = f"generated ({len(fake)})" + ("" if finite.all() else f", {int((~finite).sum())} non-finite hidden")
        ax.scatter(fake[finite, 0], fake[finite, 1], s=size, alpha=0.35, color=FAKE_COLOR, label=label,
                   edgecolors="none")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(True, alpha=0.3)
    legend = ax.legend(loc="best", markerscale=max(1.0, 30 / size) ** 0.5, framealpha=0.9)
    for handle in legend.legend_handles:
        handle.set_alpha(1.0)
    ax.set_title(title or "real and generated samples")
    return save(fig, path)
