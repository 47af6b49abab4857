"""Figures for the assignments: sample grids, toy scatter plots, loss curves, W against theta.

Every function builds a :class:`matplotlib.figure.Figure` directly, without pyplot: nothing
touches pyplot's global state or the active backend, so the functions work headless (tests,
graders, the CLI) and inside notebooks alike, where the returned Figure displays itself as the
cell's value. Pass ``path`` to also write a PNG (100 dpi, parent folders created).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

__all__ = ["sample_grid", "scatter_2d", "loss_curves", "w_versus_theta", "divergences_versus_theta"]

_REAL_COLOR = "#1f77b4"
_FAKE_COLOR = "#d62728"
_EXACT_COLOR = "black"


def _save(fig: Figure, path) -> Figure:
    if path is not None:
        path = Path(path).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    return fig


def _array(x, name: str) -> np.ndarray:
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # torch, without importing it
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric array-like: {exc}") from None
    return arr


def _curve(x, name: str, n: int | None = None) -> np.ndarray:
    arr = _array(x, name)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, found shape {arr.shape}.")
    if n is not None and arr.size != n:
        raise ValueError(f"{name} has {arr.size} values but thetas has {n}; they must match.")
    return arr


# --------------------------------------------------------------------------------- sample grid


def sample_grid(images, path=None, nrow: int | None = None, title: str | None = None) -> Figure:
    """Grid of images (N, H, W, 1), (N, H, W) or RGB (N, H, W, 3) in [-1, 1] (clipped); nrow = images per row.

    NaN or inf pixels (a diverged generator) show in red so that they cannot pass for black.
    """
    arr = _array(images, "images")
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
    return _save(fig, path)


# ------------------------------------------------------------------------------- toy scatter


def _points(x, name: str) -> np.ndarray:
    arr = _array(x, name)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
        raise ValueError(f"{name} must be 2-D points of shape (N, 2) with N >= 1, found {arr.shape}.")
    return arr


def scatter_2d(real, fake=None, path=None, title: str | None = None) -> Figure:
    """Scatter plot of real (N, 2) and generated (M, 2) toy samples on equal axes (fake may be None)."""
    real = _points(real, "real")
    fake = None if fake is None else _points(fake, "fake")
    fig = Figure(figsize=(5.5, 5.0))
    ax = fig.add_subplot()
    size = float(np.clip(3000 / max(len(real), 1), 2, 20))
    ax.scatter(real[:, 0], real[:, 1], s=size, alpha=0.35, color=_REAL_COLOR, label=f"real ({len(real)})",
               edgecolors="none")
    if fake is not None:
        finite = np.isfinite(fake).all(axis=1)
        label = f"generated ({len(fake)})" + ("" if finite.all() else f", {int((~finite).sum())} non-finite hidden")
        ax.scatter(fake[finite, 0], fake[finite, 1], s=size, alpha=0.35, color=_FAKE_COLOR, label=label,
                   edgecolors="none")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(True, alpha=0.3)
    legend = ax.legend(loc="best", markerscale=max(1.0, 30 / size) ** 0.5, framealpha=0.9)
    for handle in legend.legend_handles:
        handle.set_alpha(1.0)
    ax.set_title(title or "real and generated samples")
    return _save(fig, path)


# ------------------------------------------------------------------------------- loss curves


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
    curves = {str(k): _curve(v, f"history[{k!r}]") for k, v in history.items()}
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
                    ha="left", va="top", fontsize=7, color=_FAKE_COLOR)
        ax.set_ylabel(_pretty(key))
        ax.grid(True, alpha=0.3)
        if finite.any() and values[finite].min() < 0 < values[finite].max():
            ax.axhline(0.0, color="gray", linewidth=0.6, alpha=0.5)
    from matplotlib.ticker import MaxNLocator

    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1].set_xlabel(xlabel)
    if title:
        fig.suptitle(title, fontsize=12)
    fig.set_layout_engine("constrained")
    return _save(fig, path)


# ------------------------------------------------------------------------------ W versus theta


def _estimate_curves(estimates, labels, n: int) -> dict[str, np.ndarray]:
    """Normalise estimates (1-D, 2-D / list of 1-D, or dict label -> 1-D) to {label: values}."""
    if isinstance(estimates, Mapping):
        if labels is not None:
            raise ValueError("give labels only when estimates is not a dict (a dict's keys are its labels).")
        if not estimates:
            raise ValueError("estimates is an empty dict.")
        return {str(k): _curve(v, f"estimates[{k!r}]", n) for k, v in estimates.items()}
    arr = _array(estimates, "estimates")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"estimates must be 1-D, a list of 1-D sequences or a dict, found shape {arr.shape}.")
    if isinstance(labels, str):
        labels = [labels]
    if labels is None:
        labels = ["critic estimate"] if len(arr) == 1 else [f"estimate {i + 1}" for i in range(len(arr))]
    if len(labels) != len(arr):
        raise ValueError(f"got {len(labels)} labels for {len(arr)} estimate curves.")
    return {str(lab): _curve(row, f"estimates[{lab!r}]", n) for lab, row in zip(labels, arr)}


def w_versus_theta(thetas, estimates, exact=None, path=None, title: str | None = None, labels=None,
                   rescale: bool = False) -> Figure:
    """Critic estimate(s) and exact W against theta; thetas (K,), estimates (K,) or several (dict / list), exact (K,).

    A weight-clipped critic estimates kappa * W for an unknown kappa > 0 (tiny for c = 0.01);
    ``rescale=True`` divides each estimate by its least-squares kappa against ``exact`` (shown in
    the legend) so that the shapes can be compared on one axis.
    """
    thetas = _curve(thetas, "thetas")
    n = len(thetas)
    curves = _estimate_curves(estimates, labels, n)
    exact = None if exact is None else _curve(exact, "exact", n)
    if rescale and exact is None:
        raise ValueError("rescale=True needs the exact values to fit kappa against.")
    order = np.argsort(thetas, kind="stable")
    fig = Figure(figsize=(6.5, 4.5))
    ax = fig.add_subplot()
    if exact is not None:
        ax.plot(thetas[order], exact[order], color=_EXACT_COLOR, linewidth=2.2, linestyle="--", label="exact W",
                zorder=3)
    markers = "osD^vP*X"
    for i, (label, values) in enumerate(curves.items()):
        if rescale:
            mask = np.isfinite(values) & np.isfinite(exact)
            denom = float(np.dot(exact[mask], exact[mask]))
            kappa = float(np.dot(values[mask], exact[mask]) / denom) if denom > 0 else float("nan")
            if kappa > 0:
                values = values / kappa
                label = f"{label} / κ  (κ = {kappa:.3g})"
            else:
                label = f"{label} (κ not positive, not rescaled)"
        ax.plot(thetas[order], values[order], marker=markers[i % len(markers)], markersize=4, linewidth=1.4,
                label=label)
    ax.set_xlabel("θ")
    ax.set_ylabel("W estimate / κ" if rescale else "Wasserstein-1 distance")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=9)
    ax.set_title(title or "critic estimate versus exact W")
    fig.set_layout_engine("constrained")
    return _save(fig, path)


def divergences_versus_theta(thetas, kl, js, w, path=None, title: str | None = None) -> Figure:
    """Example 1: KL, JS and W (values (K,) each) against thetas (K,) in three panels; inf KL drawn as markers at the top."""
    thetas = _curve(thetas, "thetas")
    n = len(thetas)
    kl, js, w = _curve(kl, "kl", n), _curve(js, "js", n), _curve(w, "w", n)
    order = np.argsort(thetas, kind="stable")
    thetas, kl, js, w = thetas[order], kl[order], js[order], w[order]
    fig = Figure(figsize=(13, 3.9))
    ax_kl, ax_js, ax_w = fig.subplots(1, 3, sharex=True)
    log2 = math.log(2.0)

    def discontinuous(ax, values, color):
        # Lines only within runs of finite values on one side of theta = 0, so a jump at 0 is
        # not drawn as a steep but continuous line.
        zero = thetas == 0
        finite = np.isfinite(values)
        seg = np.where(zero | ~finite, np.nan, values)
        ax.plot(np.where(thetas < 0, thetas, np.nan), np.where(thetas < 0, seg, np.nan), color=color, linewidth=1.5)
        ax.plot(np.where(thetas > 0, thetas, np.nan), np.where(thetas > 0, seg, np.nan), color=color, linewidth=1.5)
        ax.plot(thetas[finite & ~zero], values[finite & ~zero], "o", color=color, markersize=3.5)
        if zero.any():
            ax.plot(thetas[zero], values[zero], "o", color=color, markersize=7, markerfacecolor="white",
                    markeredgewidth=1.8, zorder=4, label="θ = 0")

    # KL: infinite wherever the supports are disjoint.
    finite_kl = np.isfinite(kl)
    top = max(1.0, float(np.max(kl[finite_kl])) * 1.3) if finite_kl.any() else 1.0
    discontinuous(ax_kl, kl, "#9467bd")
    inf = np.isposinf(kl)
    if inf.any():
        ax_kl.plot(thetas[inf], np.full(inf.sum(), top), "^", color="#9467bd", markersize=6, clip_on=False,
                   label="+∞")
        ax_kl.axhline(top, color="#9467bd", linestyle=":", linewidth=1.0, alpha=0.7)
        ax_kl.text(0.5, 0.8, "KL = +∞ for θ ≠ 0\n(disjoint supports)", transform=ax_kl.transAxes, ha="center", va="top", fontsize=9,
                   bbox=dict(boxstyle="round", facecolor="white", edgecolor="none", alpha=0.8))
        ticks = [t for t in ax_kl.get_yticks() if 0 <= t < 0.85 * top]
        ax_kl.set_yticks(ticks + [top], [f"{t:g}" for t in ticks] + ["+∞"])
    ax_kl.set_ylim(-0.05 * top, top * 1.08)
    ax_kl.set_title(r"$\mathrm{KL}(P_0\,\|\,P_\theta)$")
    ax_kl.set_ylabel("nats")

    discontinuous(ax_js, js, "#ff7f0e")
    ax_js.axhline(log2, color="gray", linestyle="--", linewidth=1.2, label="log 2")
    ax_js.set_ylim(-0.05, max(log2, float(np.nanmax(np.where(np.isfinite(js), js, np.nan)) if np.isfinite(js).any() else log2)) * 1.2)
    ax_js.set_title(r"$\mathrm{JS}(P_0, P_\theta)$  (jumps at θ = 0)")
    ax_js.set_ylabel("nats")

    ax_w.plot(thetas, w, "-o", color=_REAL_COLOR, markersize=3.5, linewidth=1.5, label="W")
    ax_w.set_title(r"$W(P_0, P_\theta)$  (continuous)")
    ax_w.set_ylabel("distance")
    ax_w.set_ylim(bottom=-0.05 * max(1e-12, float(np.nanmax(np.abs(w)))))

    for ax in (ax_kl, ax_js, ax_w):
        ax.set_xlabel("θ")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(title or "Example 1 (parallel lines): only W varies continuously with θ", fontsize=12)
    fig.set_layout_engine("constrained")
    return _save(fig, path)


def critic_contours(xs, ys, values, real, fakes, labels, path=None, title: str | None = None) -> Figure:
    """Trained critics over the plane, one panel each: xs (nx,), ys (ny,), values (K, ny, nx), real (n, 2), fakes K x (m, 2).

    Filled contours of each critic's score (its own colour scale: a clipped critic's values are
    tiny), with the real samples and that panel's generated samples on top.
    """
    xs, ys = _curve(xs, "xs"), _curve(ys, "ys")
    values = _array(values, "values")
    if values.ndim == 2:
        values = values[None]
    if values.ndim != 3 or values.shape[1:] != (len(ys), len(xs)):
        raise ValueError(f"values must have shape (K, len(ys), len(xs)) = (K, {len(ys)}, {len(xs)}), "
                         f"found {values.shape}.")
    k = len(values)
    real = _points(real, "real")
    fakes = [_points(f, f"fakes[{i}]") for i, f in enumerate(fakes)]
    labels = [str(lab) for lab in labels]
    if len(fakes) != k or len(labels) != k:
        raise ValueError(f"got {k} critics, {len(fakes)} sets of fakes and {len(labels)} labels; they must match.")
    fig = Figure(figsize=(4.2 * k, 3.6), layout="constrained")  # before the colorbars
    axes = np.atleast_1d(fig.subplots(1, k))
    for ax, v, fake, label in zip(axes, values, fakes, labels):
        filled = ax.contourf(xs, ys, v, levels=14, cmap="viridis")
        ax.contour(xs, ys, v, levels=14, colors="white", linewidths=0.4, alpha=0.5)
        fig.colorbar(filled, ax=ax, fraction=0.06, pad=0.02, format="%.2g")
        ax.scatter(real[:300, 0], real[:300, 1], s=4, color=_REAL_COLOR, edgecolors="white", linewidths=0.2,
                   label="real")
        ax.scatter(fake[:300, 0], fake[:300, 1], s=4, color=_FAKE_COLOR, edgecolors="white", linewidths=0.2,
                   label="generated")
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ys[0], ys[-1])
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("x₁")
    axes[0].set_ylabel("x₂")
    axes[0].legend(loc="lower left", fontsize=8, markerscale=2.5)
    if title:
        fig.suptitle(title, fontsize=12)
    return _save(fig, path)


def kl_fits(x, target, fits, path=None, title: str | None = None) -> Figure:
    """A 1-D target density and fitted densities on one axis: x (n,), target (n,), fits {label: (n,)}."""
    x = _curve(x, "x")
    target = _curve(target, "target", len(x))
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.fill_between(x, target, color="gray", alpha=0.3, label="target p (two modes)")
    for (label, values), color in zip(fits.items(), ("#d62728", "#2ca02c", "#9467bd")):
        ax.plot(x, _curve(values, f"fits[{label!r}]", len(x)), color=color, linewidth=2, label=str(label))
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize=9)
    ax.set_title(title or "Fitting one Gaussian to two modes")
    fig.set_layout_engine("constrained")
    return _save(fig, path)


def transport_plan(x, y, a, b, plan, path=None, title: str | None = None) -> Figure:
    """An optimal transport plan between weighted 2-D points: x (n, 2) weights a (n,), y (m, 2) weights b (m,), plan (n, m).

    Marker areas show the weights; an arrow from x_i to y_j for every plan entry above 1e-9,
    its width proportional to the mass it moves, labelled with that mass.
    """
    x, y = _points(x, "x"), _points(y, "y")
    a, b = _curve(a, "a", len(x)), _curve(b, "b", len(y))
    plan = _array(plan, "plan")
    if plan.shape != (len(x), len(y)):
        raise ValueError(f"plan must have shape (len(x), len(y)) = ({len(x)}, {len(y)}), found {plan.shape}.")
    fig = Figure(figsize=(6, 4.5))
    ax = fig.add_subplot()
    top = float(plan.max()) if plan.size else 1.0
    for i, j in zip(*np.nonzero(plan > 1e-9)):
        ax.annotate("", xy=y[j], xytext=x[i],
                    arrowprops=dict(arrowstyle="-|>", color="gray", lw=0.6 + 4.0 * plan[i, j] / top,
                                    shrinkA=6, shrinkB=6))
        mid = 0.5 * (x[i] + y[j])
        ax.text(mid[0], mid[1], f"{plan[i, j]:.2f}", fontsize=8, ha="center", va="bottom", color="dimgray")
    ax.scatter(x[:, 0], x[:, 1], s=600 * a / a.max(), color=_REAL_COLOR, alpha=0.8, label="source x (weights a)",
               zorder=3)
    ax.scatter(y[:, 0], y[:, 1], s=600 * b / b.max(), color=_FAKE_COLOR, alpha=0.8, marker="s",
               label="target y (weights b)", zorder=3)
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.15)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8, markerscale=0.4)
    ax.set_title(title or "optimal transport plan")
    fig.set_layout_engine("constrained")
    return _save(fig, path)


def js_and_w_versus_theta(thetas, js, w, exact_js=None, exact_w=None, path=None, title: str | None = None) -> Figure:
    """Two panels against thetas (K,): a JS estimate (K,) in nats beside W estimates {label: (K,)}, exact curves dashed."""
    thetas = _curve(thetas, "thetas")
    n = len(thetas)
    js = _curve(js, "js", n)
    curves = _estimate_curves(w, None, n)
    order = np.argsort(thetas, kind="stable")
    fig = Figure(figsize=(11, 4))
    ax_js, ax_w = fig.subplots(1, 2, sharex=True)
    if exact_js is not None:
        ax_js.plot(thetas[order], _curve(exact_js, "exact_js", n)[order], "--", color=_EXACT_COLOR, label="exact JS")
    ax_js.plot(thetas[order], js[order], "o-", color="#ff7f0e", markersize=4, label="discriminator: log 2 − loss / 2")
    ax_js.axhline(math.log(2.0), color="gray", linestyle=":", linewidth=1.0)
    ax_js.set_ylim(-0.05, 0.85)
    ax_js.set_ylabel("JS estimate (nats)")
    ax_js.set_title("GAN discriminator: Jensen–Shannon")
    if exact_w is not None:
        ax_w.plot(thetas[order], _curve(exact_w, "exact_w", n)[order], "--", color=_EXACT_COLOR, label="exact W")
    for (label, values), marker in zip(curves.items(), "osD^v"):
        ax_w.plot(thetas[order], values[order], marker=marker, markersize=4, label=label)
    ax_w.set_ylabel("W estimate")
    ax_w.set_title("WGAN critics: Wasserstein-1")
    for ax in (ax_js, ax_w):
        ax.set_xlabel("θ")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=12)
    fig.set_layout_engine("constrained")
    return _save(fig, path)


# ------------------------------------------------- training progress against exact W1 (03)


def estimate_against_w1(estimate, checkpoint_steps, w1, path=None, title: str | None = None,
                        label: str = "critic estimate", floor: float | None = None) -> Figure:
    """The loss-side signal of a run (1-D, one value per generator step) on its own axis, the
    exact W1 of generator checkpoints on a second axis, and the two against each other.

    The scatter uses the signal's mean over the steps since the previous checkpoint; its Pearson
    correlation with W1 is in the panel's title. ``floor`` draws the real-against-real W1.
    """
    values = _curve(estimate, "estimate")
    at = _curve(checkpoint_steps, "checkpoint_steps").astype(int)
    w = _curve(w1, "w1", n=len(at))
    if at.min() < 1 or at.max() > len(values) or (np.diff(at) <= 0).any():
        raise ValueError(f"checkpoint_steps must increase within 1..{len(values)}, got {at.tolist()}.")
    starts = np.concatenate([[0], at[:-1]])
    windowed = np.array([np.nanmean(values[s:e]) for s, e in zip(starts, at)])
    r = float(np.corrcoef(windowed, w)[0, 1]) if len(at) > 2 else float("nan")
    fig = Figure(figsize=(11, 3.4))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.8, 1]})
    steps = np.arange(1, len(values) + 1)
    left.plot(steps, values, color=_REAL_COLOR, alpha=0.25, linewidth=0.7)
    left.plot(steps, _running_mean(values, max(5, len(values) // 25)), color=_REAL_COLOR, linewidth=1.8)
    left.set_ylabel(label, color=_REAL_COLOR)
    left.set_xlabel("generator step")
    left.grid(True, alpha=0.3)
    twin = left.twinx()
    twin.plot(at, w, color=_EXACT_COLOR, marker="o", markersize=4, linewidth=1.2, label="exact W1 of the generator")
    if floor is not None:
        twin.axhline(floor, color="gray", linestyle="--", linewidth=1, label=f"real against real ({floor:.1f})")
    twin.set_ylabel("exact W1 (pixels)")
    twin.legend(loc="upper right", fontsize=8, framealpha=0.8)
    right.scatter(windowed, w, c=at, cmap="viridis", s=25)
    right.set_xlabel(f"{label} (mean since last checkpoint)")
    right.set_ylabel("exact W1")
    right.set_title(f"Pearson r = {r:.2f} over {len(at)} checkpoints", fontsize=10)
    right.grid(True, alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=12)
    fig.set_layout_engine("constrained")
    return _save(fig, path)


# ---------------------------------------------------------------- GAN training dynamics (03)


def bilinear_phase(paths, path=None, title: str | None = None) -> Figure:
    """Phase plot of iterates on min_x max_y x*y: mapping label -> (T, 2) array of (x, y)."""
    if not isinstance(paths, Mapping) or not paths:
        raise ValueError("paths must be a non-empty mapping label -> (T, 2) array of iterates.")
    fig = Figure(figsize=(5.2, 5))
    ax = fig.subplots()
    colors = [_FAKE_COLOR, _REAL_COLOR, "#2ca02c", "#9467bd"]
    for i, (name, xy) in enumerate(paths.items()):
        xy = _array(xy, f"paths[{name!r}]")
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(f"paths[{name!r}] must have shape (T, 2), found {xy.shape}.")
        ax.plot(xy[:, 0], xy[:, 1], color=colors[i % len(colors)], linewidth=1, label=name)
        ax.plot(*xy[0], "o", color=colors[i % len(colors)], markersize=5)
    ax.plot(0, 0, "*", color=_EXACT_COLOR, markersize=12, label="equilibrium (0, 0)")
    ax.set_xlabel("x (minimises x*y)")
    ax.set_ylabel("y (maximises x*y)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title, fontsize=11)
    fig.set_layout_engine("constrained")
    return _save(fig, path)


def generator_loss_gradients(logits, gradients, path=None, title: str | None = None) -> Figure:
    """d(loss)/d(logit) against the fake's logit: mapping label -> 1-D array, same length as logits."""
    l = _curve(logits, "logits")
    fig = Figure(figsize=(6.5, 3.6))
    ax = fig.subplots()
    for (name, g), color in zip(gradients.items(), [_FAKE_COLOR, _REAL_COLOR, "#2ca02c"]):
        ax.plot(l, _curve(g, f"gradients[{name!r}]", n=len(l)), color=color, linewidth=2, label=name)
    ax.axhline(0.0, color="gray", linewidth=0.6)
    ax.set_xlabel("discriminator logit of a fake sample (left: confidently rejected)")
    ax.set_ylabel("d loss / d logit")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=9)
    if title:
        ax.set_title(title, fontsize=11)
    fig.set_layout_engine("constrained")
    return _save(fig, path)


__all__ += ["estimate_against_w1", "bilinear_phase", "generator_loss_gradients"]


# ------------------------------------------------- clipped against penalised toy critics (04)


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
        xs, ys, values = _array(xs, "xs"), _array(ys, "ys"), _array(values, "values")
        if values.shape != (len(ys), len(xs)):
            raise ValueError(f"panel {i}: values must have shape (len(ys), len(xs)) = {(len(ys), len(xs))}, "
                             f"got {values.shape}")
        real, fake = _points(real, "real")[:max_points], _points(fake, "fake")[:max_points]
        ax = fig.add_subplot(1, len(panels), i + 1)
        filled = ax.contourf(xs, ys, values, levels=20, cmap="viridis")
        ax.contour(xs, ys, values, levels=10, colors="white", linewidths=0.4, alpha=0.6)
        fig.colorbar(filled, ax=ax, shrink=0.85, label="critic value")
        ax.scatter(fake[:, 0], fake[:, 1], s=3, c=_FAKE_COLOR, alpha=0.5, label="generated (fixed)")
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
    return _save(fig, path)


__all__ += ["toy_critic_contours"]
