"""Seed sweep behind 02's sentences (docs/claims.py reads its rows).

Usage: python tools/sweep_estimator_02.py N_SEEDS OUT.jsonl

For seeds 0..N-1, on parallel lines (theta0 = 0, 11 thetas in [-1, 1], 500 steps: the notebook's
schedule): clipped critics for c in (0.003, 0.01, 0.03, 0.1) with kappa, correlation, argmin, the
share of kernel and bias entries at the clip bound (|w| >= 0.99 c) and, for the three critics the
notebook draws, the share of the squared input gradient along x1 between the segments; the
log-log slope of kappa on c; the one-sided-penalty critic (same numbers); the GAN discriminators'
JS estimate. One JSON line per seed, appended to OUT.
"""

import json
import sys
import time

import numpy as np
from keras import ops

from wganlab import autodiff, estimator

C_VALUES = (0.003, 0.01, 0.03, 0.1)
THETAS = np.linspace(-1.0, 1.0, 11)
PICKS = [0, len(THETAS) // 2 - 1, len(THETAS) - 1]  # the members 02's contour cell draws


def critic_loss(r, f):
    return ops.mean(f) - ops.mean(r)


def clip(model, c):
    for v in model.trainable_variables:
        v.assign(ops.clip(v, -c, c))


def at_bound(critic, c: float) -> dict:
    """Share of kernel entries and of bias entries with |w| >= 0.99 c."""
    kernels = np.concatenate([np.abs(np.asarray(v)).ravel() for v in critic.trainable_variables if v.path.endswith("kernel")])
    biases = np.concatenate([np.abs(np.asarray(v)).ravel() for v in critic.trainable_variables if v.path.endswith("bias")])
    return {"kernels_at_bound": float((kernels >= 0.99 * c).mean()), "biases_at_bound": float((biases >= 0.99 * c).mean())}


def x1_share(curve) -> list[float]:
    """Per drawn member: mean over points between its segments of (df/dx1)^2 / |grad f|^2 (1: contours parallel to the segments)."""
    rng = np.random.default_rng(0)
    n, members = 400, len(THETAS)
    shares = []
    for i in PICKS:
        lo, hi = sorted((0.0, float(THETAS[i])))
        pts = np.stack([rng.uniform(lo, hi, n) if hi > lo else np.full(n, lo), rng.uniform(0, 1, n)], 1).astype("float32")
        x = np.broadcast_to(pts, (members, n, 2)).copy()
        g = np.asarray(ops.convert_to_numpy(autodiff.input_gradients(curve.critic, ops.convert_to_tensor(x))))[i]
        norm2 = (g ** 2).sum(1)
        ok = norm2 > 0
        shares.append(float(((g[ok, 0] ** 2) / norm2[ok]).mean()) if ok.any() else float("nan"))
    return shares


def summary(curve) -> dict:
    return {"kappa": curve.kappa, "pearson": curve.pearson, "argmin": float(THETAS[np.argmin(curve.estimates)]),
            "max_abs_err": float(np.max(np.abs(curve.estimates - curve.exact)))}


if len(sys.argv) != 3 or not sys.argv[1].isdigit():
    sys.exit(__doc__)
n_seeds, out = int(sys.argv[1]), sys.argv[2]
for seed in range(n_seeds):
    row = {"seed": seed, "steps": 500, "family": "parallel_lines", "thetas": THETAS.tolist()}
    kappas = {}
    for c in C_VALUES:
        t = time.time()
        cfg = estimator.CriticConfig(kind="clip", clip=c, steps=500, seed=seed)
        cur = estimator.estimate_curve("parallel_lines", THETAS, 0.0, estimator.clipped_objective(critic_loss), cfg,
                                       constraint=lambda m, c=c: clip(m, c))
        kappas[c] = cur.kappa
        row[f"c={c}"] = {**summary(cur), **at_bound(cur.critic, c), "sec": round(time.time() - t, 1)}
        if c == 0.01:
            row[f"c={c}"]["x1_share"] = x1_share(cur)
    row["slope"] = float(np.polyfit(np.log(list(kappas)), np.log(list(kappas.values())), 1)[0])
    t = time.time()
    pen = estimator.estimate_curve("parallel_lines", THETAS, 0.0, estimator.penalised_objective(critic_loss),
                                   estimator.CriticConfig(kind="gp", steps=500, seed=seed))
    row["gp"] = {**summary(pen), "x1_share": x1_share(pen), "sec": round(time.time() - t, 1)}
    t = time.time()
    js = estimator.estimate_js_curve("parallel_lines", THETAS, 0.0, estimator.CriticConfig(steps=500, seed=seed))
    away = js.estimates[THETAS != 0]
    row["js"] = {"away_min": float(away.min()), "away_max": float(away.max()),
                 "at0": float(js.estimates[THETAS == 0][0]), "sec": round(time.time() - t, 1)}
    with open(out, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)
