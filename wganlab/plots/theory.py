"""Theory: KL, JS and W against theta (Example 1), the estimator's curves, fits and transport plans."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from wganlab.plots._common import EXACT_COLOR, FAKE_COLOR, REAL_COLOR, array, curve, finish, points, save


def _estimate_curves(estimates, labels, n: int) -> dict[str, np.ndarray]:
    """Normalise estimates (1-D, 2-D / list of 1-D, or dict label -> 1-D) to {label: values}."""
    if isinstance(estimates, Mapping):
        if labels is not None:
            raise ValueError("give labels only when estimates is not a dict (a dict's keys are its labels).")
        if not estimates:
            raise ValueError("estimates is an empty dict.")
        return {str(k): curve(v, f"estimates[{k!r}]", n) for k, v in estimates.items()}
    arr = array(estimates, "estimates")
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
    return {str(lab): curve(row, f"estimates[{lab!r}]", n) for lab, row in zip(labels, arr)}


def w_versus_theta(thetas, estimates, exact=None, path=None, title: str | None = None, labels=None,
                   rescale: bool = False) -> Figure:
    """Critic estimate(s) and exact W against theta; thetas (K,), estimates (K,) or several (dict / list), exact (K,).

    A weight-clipped critic estimates kappa * W for an unknown kappa > 0 (tiny for c = 0.01);
    ``rescale=True`` divides each estimate by its least-squares kappa against ``exact`` (shown in
    the legend) so that the shapes can be compared on one axis.
    """
    thetas = curve(thetas, "thetas")
    n = len(thetas)
    curves = _estimate_curves(estimates, labels, n)
    exact = None if exact is None else curve(exact, "exact", n)
    if rescale and exact is None:
        raise ValueError("rescale=True needs the exact values to fit kappa against.")
    order = np.argsort(thetas, kind="stable")
    fig = Figure(figsize=(6.5, 4.5))
    ax = fig.add_subplot()
    if exact is not None:
        ax.plot(thetas[order], exact[order], color=EXACT_COLOR, linewidth=2.2, linestyle="--", label="exact W",
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
    return save(fig, path)


def divergences_versus_theta(thetas, kl, js, w, path=None, title: str | None = None) -> Figure:
    """Example 1: KL, JS and W (values (K,) each) against thetas (K,) in three panels; inf KL drawn as markers at the top."""
    thetas = curve(thetas, "thetas")
    n = len(thetas)
    kl, js, w = curve(kl, "kl", n), curve(js, "js", n), curve(w, "w", n)
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

    ax_w.plot(thetas, w, "-o", color=REAL_COLOR, markersize=3.5, linewidth=1.5, label="W")
    ax_w.set_title(r"$W(P_0, P_\theta)$  (continuous)")
    ax_w.set_ylabel("distance")
    ax_w.set_ylim(bottom=-0.05 * max(1e-12, float(np.nanmax(np.abs(w)))))

    for ax in (ax_kl, ax_js, ax_w):
        ax.set_xlabel("θ")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(title or "Example 1 (parallel lines): only W varies continuously with θ", fontsize=12)
    fig.set_layout_engine("constrained")
    return save(fig, path)


def kl_fits(x, target, fits, path=None, title: str | None = None) -> Figure:
    """A 1-D target density and fitted densities on one axis: x (n,), target (n,), fits {label: (n,)}."""
    x = curve(x, "x")
    target = curve(target, "target", len(x))
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.fill_between(x, target, color="gray", alpha=0.3, label="target p (two modes)")
    for (label, values), color in zip(fits.items(), ("#d62728", "#2ca02c", "#9467bd")):
        ax.plot(x, curve(values, f"fits[{label!r}]", len(x)), color=color, linewidth=2, label=str(label))
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize=9)
    ax.set_title(title or "Fitting one Gaussian to two modes")
    fig.set_layout_engine("constrained")
    return save(fig, path)


def transport_plan(x, y, a, b, plan, path=None, title: str | None = None) -> Figure:
    """An optimal transport plan between weighted 2-D points: x (n, 2) weights a (n,), y (m, 2) weights b (m,), plan (n, m).

    Marker areas show the weights; an arrow from x_i to y_j for every plan entry above 1e-9,
    its width proportional to the mass it moves, labelled with that mass.
    """
    x, y = points(x, "x"), points(y, "y")
    a, b = curve(a, "a", len(x)), curve(b, "b", len(y))
    plan = array(plan, "plan")
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
    ax.scatter(x[:, 0], x[:, 1], s=600 * a / a.max(), color=REAL_COLOR, alpha=0.8, label="source x (weights a)",
               zorder=3)
    ax.scatter(y[:, 0], y[:, 1], s=600 * b / b.max(), color=FAKE_COLOR, alpha=0.8, marker="s",
               label="target y (weights b)", zorder=3)
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.15)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8, markerscale=0.4)
    ax.set_title(title or "optimal transport plan")
    fig.set_layout_engine("constrained")
    return save(fig, path)


def js_and_w_versus_theta(thetas, js, w, exact_js=None, exact_w=None, path=None, title: str | None = None) -> Figure:
    """Two panels against thetas (K,): a JS estimate (K,) in nats beside W estimates {label: (K,)}, exact curves dashed."""
    thetas = curve(thetas, "thetas")
    n = len(thetas)
    js = curve(js, "js", n)
    curves = _estimate_curves(w, None, n)
    order = np.argsort(thetas, kind="stable")
    fig = Figure(figsize=(11, 4))
    ax_js, ax_w = fig.subplots(1, 2, sharex=True)
    if exact_js is not None:
        ax_js.plot(thetas[order], curve(exact_js, "exact_js", n)[order], "--", color=EXACT_COLOR, label="exact JS")
    ax_js.plot(thetas[order], js[order], "o-", color="#ff7f0e", markersize=4, label="discriminator: log 2 − loss / 2")
    ax_js.axhline(math.log(2.0), color="gray", linestyle=":", linewidth=1.0)
    ax_js.set_ylim(-0.05, 0.85)
    ax_js.set_ylabel("JS estimate (nats)")
    ax_js.set_title("GAN discriminator: Jensen–Shannon")
    if exact_w is not None:
        ax_w.plot(thetas[order], curve(exact_w, "exact_w", n)[order], "--", color=EXACT_COLOR, label="exact W")
    for (label, values), marker in zip(curves.items(), "osD^v"):
        ax_w.plot(thetas[order], values[order], marker=marker, markersize=4, label=label)
    ax_w.set_ylabel("W estimate")
    ax_w.set_title("WGAN critics: Wasserstein-1")
    for ax in (ax_js, ax_w):
        ax.set_xlabel("θ")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    return finish(fig, path, title)
