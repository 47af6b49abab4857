"""Seed sweep behind 02's sentences: clipped kappa and correlation per c, the log-log slope of kappa on c, the penalised critic's kappa and error, the JS estimate (python tools/sweep_estimator_02.py N_SEEDS)."""
import sys, time, json
import numpy as np
from keras import ops
from wganlab import estimator

def critic_loss(r, f):
    return ops.mean(f) - ops.mean(r)

def clip(model, c):
    for v in model.trainable_variables:
        v.assign(ops.clip(v, -c, c))

THETAS = np.linspace(-1.0, 1.0, 11)
seeds = range(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
rows = []
for seed in seeds:
    row = {"seed": seed}
    kap = {}
    for c in (0.003, 0.01, 0.03, 0.1):
        t = time.time()
        cfg = estimator.CriticConfig(kind="clip", clip=c, steps=500, seed=seed)
        cur = estimator.estimate_curve("parallel_lines", THETAS, 0.0, estimator.clipped_objective(critic_loss), cfg,
                                       constraint=lambda m, c=c: clip(m, c))
        kap[c] = cur.kappa
        row[f"c={c}"] = dict(kappa=cur.kappa, pearson=cur.pearson, argmin=float(THETAS[np.argmin(cur.estimates)]),
                             sec=round(time.time() - t, 1))
    s, a = np.polyfit(np.log(list(kap)), np.log(list(kap.values())), 1)
    row["slope"] = s
    t = time.time()
    pen = estimator.estimate_curve("parallel_lines", THETAS, 0.0, estimator.penalised_objective(critic_loss),
                                   estimator.CriticConfig(kind="gp", steps=500, seed=seed))
    row["gp"] = dict(kappa=pen.kappa, pearson=pen.pearson, argmin=float(THETAS[np.argmin(pen.estimates)]),
                     max_abs_err=float(np.max(np.abs(pen.estimates - pen.exact))), sec=round(time.time() - t, 1))
    t = time.time()
    js = estimator.estimate_js_curve("parallel_lines", THETAS, 0.0, estimator.CriticConfig(steps=500, seed=seed))
    away = js.estimates[THETAS != 0]
    row["js"] = dict(away_min=float(away.min()), away_max=float(away.max()), at0=float(js.estimates[THETAS == 0][0]),
                     sec=round(time.time() - t, 1))
    print(json.dumps(row), flush=True)
    rows.append(row)
print("slope mean/min/max", np.mean([r["slope"] for r in rows]), min(r["slope"] for r in rows), max(r["slope"] for r in rows))
for c in (0.003, 0.01, 0.03, 0.1):
    k = [r[f"c={c}"]["kappa"] for r in rows]; p = [r[f"c={c}"]["pearson"] for r in rows]
    am = [r[f"c={c}"]["argmin"] for r in rows]
    print(f"c={c} kappa {min(k):.4g}-{max(k):.4g} pearson {min(p):.3f}-{max(p):.3f} argmin {sorted(set(am))}")
k = [r["gp"]["kappa"] for r in rows]; e = [r["gp"]["max_abs_err"] for r in rows]
print(f"gp kappa {min(k):.3f}-{max(k):.3f} max|err| {max(e):.3f}")
print("js away min", min(r["js"]["away_min"] for r in rows), "max", max(r["js"]["away_max"] for r in rows),
      "at0", [round(r["js"]["at0"], 4) for r in rows])
