"""Training: loss curves, the critic's estimate against W1, and the dynamics figures."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from wganlab.plots._common import EXACT_COLOR, FAKE_COLOR, REAL_COLOR, array, curve, finish


def _running_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Centred running mean over ``window`` points (shorter at the ends), ignoring NaN."""
    finite = np.isfinite(values)
    sums = np.concatenate([[0.0], np.cumsum(np.where(finite, values, 0.0))])
    counts = np.concatenate([[0], np.cumsum(finite)])
    idx = np.arange(len(values))
    lo = np.clip(idx - window // 2, 0, len(values))
    hi = np.clip(idx - window // 2 + window, 0, len(values))
    c = counts[hi] - counts[lo]
    return np.where(c > 0, (sums[hi] - sums[lo]) / np.maximum(c, 1), np.nan)


def _pretty(key: str) -> str:
    special = {"w_estimate": "W estimate (critic gap)", "w1": "W1", "gp": "gradient penalty"}
    return special.get(key, key.replace("_", " "))


def loss_curves(history, path=None, title: str | None = None, xlabel: str = "generator step") -> Figure:
    """One panel per curve of history (mapping name -> 1-D sequence over steps, or a keras History).

    Curves longer than 50 points are drawn faintly with a centred running mean (window ~len/25)
    on top; a panel whose extremes (e.g. the first steps) dwarf the rest is zoomed to the 1st-99th
    percentile, with a note saying so.
    """
    if hasattr(history, "history") and isinstance(history.history, Mapping):  # keras History
        history = history.history
    if not isinstance(history, Mapping) or len(history) == 0:
        raise ValueError(f"history must be a non-empty mapping name -> 1-D sequence, found {type(history).__name__}.")
    curves = {str(k): curve(v, f"history[{k!r}]") for k, v in history.items()}
    n = len(curves)
    fig = Figure(figsize=(7.5, 1.2 + 2.1 * n))
    axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    for i, (ax, (key, values)) in enumerate(zip(axes, curves.items())):
        steps = np.arange(1, len(values) + 1)
        color = colors[i % len(colors)]
        finite = np.isfinite(values)
        if not finite.any():
            ax.text(0.5, 0.5, "no finite values", transform=ax.transAxes, ha="center", va="center", color="gray")
        elif len(values) > 50:
            window = max(5, len(values) // 25)
            ax.plot(steps, values, color=color, alpha=0.3, linewidth=0.8, label="per step")
            ax.plot(steps, _running_mean(values, window), color=color, linewidth=1.8,
                    label=f"running mean ({window} steps)")
            ax.legend(loc="best", fontsize=8, framealpha=0.8)
            # Keep early transients or single spikes from flattening the rest of the curve.
            lo, hi = np.nanpercentile(values[finite], [1, 99])
            span = hi - lo
            vmin, vmax = np.nanmin(values[finite]), np.nanmax(values[finite])
            if span > 0 and (vmax - vmin) > 3 * span:
                ax.set_ylim(lo - 0.3 * span, hi + 0.3 * span)
                ax.text(0.99, 0.02, "y clipped to 1-99th percentile", transform=ax.transAxes,
                        ha="right", va="bottom", fontsize=7, color="gray")
        else:
            ax.plot(steps, values, color=color, linewidth=1.5, marker="o" if len(values) <= 20 else None,
                    markersize=3)
        if (~finite).any() and finite.any():
            ax.text(0.01, 0.98, f"{int((~finite).sum())} non-finite value(s) not drawn", transform=ax.transAxes,
                    ha="left", va="top", fontsize=7, color=FAKE_COLOR)
        ax.set_ylabel(_pretty(key))
        ax.grid(True, alpha=0.3)
        if finite.any() and values[finite].min() < 0 < values[finite].max():
            ax.axhline(0.0, color="gray", linewidth=0.6, alpha=0.5)
    from matplotlib.ticker import MaxNLocator

    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1].set_xlabel(xlabel)
    return finish(fig, path, title)


def estimate_against_w1(estimate, checkpoint_steps, w1, path=None, title: str | None = None,
                        label: str = "critic estimate", floor: float | None = None) -> Figure:
    """The loss-side signal of a run (1-D, one value per generator step) on its own axis, the
    exact W1 of generator checkpoints on a second axis, and the two against each other.

    The scatter uses the signal's mean over the steps since the previous checkpoint; its Pearson
    correlation with W1 is in the panel's title. ``floor`` draws the real-against-real W1.
    """
    values = curve(estimate, "estimate")
    at = curve(checkpoint_steps, "checkpoint_steps").astype(int)
    w = curve(w1, "w1", n=len(at))
    if at.min() < 1 or at.max() > len(values) or (np.diff(at) <= 0).any():
        raise ValueError(f"checkpoint_steps must increase within 1..{len(values)}, got {at.tolist()}.")
    starts = np.concatenate([[0], at[:-1]])
    windowed = np.array([np.nanmean(values[s:e]) for s, e in zip(starts, at)])
    r = float(np.corrcoef(windowed, w)[0, 1]) if len(at) > 2 else float("nan")
    fig = Figure(figsize=(11, 3.4))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.8, 1]})
    steps = np.arange(1, len(values) + 1)
    left.plot(steps, values, color=REAL_COLOR, alpha=0.25, linewidth=0.7)
    left.plot(steps, _running_mean(values, max(5, len(values) // 25)), color=REAL_COLOR, linewidth=1.8)
    left.set_ylabel(label, color=REAL_COLOR)
    left.set_xlabel("generator step")
    left.grid(True, alpha=0.3)
    twin = left.twinx()
    twin.plot(at, w, color=EXACT_COLOR, marker="o", markersize=4, linewidth=1.2, label="exact W1 of the generator")
    if floor is not None:
        twin.axhline(floor, color="gray", linestyle="--", linewidth=1, label=f"real against real ({floor:.1f})")
    twin.set_ylabel("exact W1 (pixels)")
    twin.legend(loc="upper right", fontsize=8, framealpha=0.8)
    right.scatter(windowed, w, c=at, cmap="viridis", s=25)
    right.set_xlabel(f"{label} (mean since last checkpoint)")
    right.set_ylabel("exact W1")
    right.set_title(f"Pearson r = {r:.2f} over {len(at)} checkpoints", fontsize=10)
    right.grid(True, alpha=0.3)
    return finish(fig, path, title)


def bilinear_phase(paths, path=None, title: str | None = None) -> Figure:
    """Phase plot of iterates on min_x max_y x*y: mapping label -> (T, 2) array of (x, y)."""
    if not isinstance(paths, Mapping) or not paths:
        raise ValueError("paths must be a non-empty mapping label -> (T, 2) array of iterates.")
    fig = Figure(figsize=(5.2, 5))
    ax = fig.subplots()
    colors = [FAKE_COLOR, REAL_COLOR, "#2ca02c", "#9467bd"]
    for i, (name, xy) in enumerate(paths.items()):
        xy = array(xy, f"paths[{name!r}]")
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(f"paths[{name!r}] must have shape (T, 2), found {xy.shape}.")
        ax.plot(xy[:, 0], xy[:, 1], color=colors[i % len(colors)], linewidth=1, label=name)
        ax.plot(*xy[0], "o", color=colors[i % len(colors)], markersize=5)
    ax.plot(0, 0, "*", color=EXACT_COLOR, markersize=12, label="equilibrium (0, 0)")
    ax.set_xlabel("x (minimises x*y)")
    ax.set_ylabel("y (maximises x*y)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return finish(fig, path, title, ax=ax)


def generator_loss_gradients(logits, gradients, path=None, title: str | None = None) -> Figure:
    """d(loss)/d(logit) against the fake's logit: mapping label -> 1-D array, same length as logits."""
    l = curve(logits, "logits")
    fig = Figure(figsize=(6.5, 3.6))
    ax = fig.subplots()
    for (name, g), color in zip(gradients.items(), [FAKE_COLOR, REAL_COLOR, "#2ca02c"]):
        ax.plot(l, curve(g, f"gradients[{name!r}]", n=len(l)), color=color, linewidth=2, label=name)
    ax.axhline(0.0, color="gray", linewidth=0.6)
    ax.set_xlabel("discriminator logit of a fake sample (left: confidently rejected)")
    ax.set_ylabel("d loss / d logit")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=9)
    return finish(fig, path, title, ax=ax)


def gradient_norms(steps, norms, path=None, title: str | None = None) -> Figure:
    """Generator gradient norm (log scale) against critic updates ``steps`` (K,); ``norms``: label -> (K,) norms > 0."""
    k = curve(steps, "steps")
    fig = Figure(figsize=(6.5, 3.6))
    ax = fig.subplots()
    for (name, values), color in zip(norms.items(), [FAKE_COLOR, REAL_COLOR, "#2ca02c", "#9467bd"]):
        v = curve(values, f"norms[{name!r}]")
        if v.size != k.size:  # curve()'s own message speaks of thetas
            raise ValueError(f"norms[{name!r}] has {v.size} values but steps has {k.size}; they must match.")
        if (v <= 0).any():
            raise ValueError(f"norms[{name!r}] must be > 0 to draw on a log scale, got {v.tolist()}.")
        ax.plot(k, v, "o-", color=color, linewidth=2, label=name)
    ax.set_xscale("symlog", linthresh=10)  # k = 0 on the same axis as 10, 100, 1000
    ax.set_yscale("log")
    ax.set_xlabel("critic (discriminator) updates against the fixed generator")
    ax.set_ylabel("||gradient of the generator loss||")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="best", fontsize=9)
    return finish(fig, path, title, ax=ax)
