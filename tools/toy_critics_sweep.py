"""Clipped against penalised toy critics over seeds (04's toy section): one JSON line per run, one figure.

Usage: python tools/toy_critics_sweep.py DATASET STEPS SEEDS OUT_DIR  (SEEDS like 0,1,2)
"""

import json
import sys
import time
from pathlib import Path

from wganlab import metrics, plots
from wganlab import toy_critics as T
from wganlab.course.functions import reference_functions

penalty = reference_functions("04_wgan_gp_celeba").gradient_penalty  # the master's, as a student's would be

dataset, steps, seeds, out = sys.argv[1], int(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")], Path(sys.argv[4])
out.mkdir(parents=True, exist_ok=True)
with open(out / f"{dataset}.jsonl", "a") as f:
    for seed in seeds:
        panels = []
        for kind in ("clip", "gp"):
            start = time.perf_counter()
            run = T.train_toy_critic(T.ToyConfig(kind=kind, dataset=dataset, steps=steps, seed=seed), penalty=penalty)
            xs, ys, values = T.critic_surface(run.critic)
            w1 = metrics.wasserstein1(run.real[:1000], run.fake[:1000])
            row = {"dataset": dataset, "kind": kind, "seed": seed, "steps": steps,
                   "seconds": round(time.perf_counter() - start, 1),
                   "value_range": float(values.max() - values.min()),
                   "grad_norm": metrics.interpolate_grad_norm(run.critic, run.real, run.fake),
                   "quadratic_r2": T.quadratic_r2(xs, ys, values),
                   "mode_contrast": T.mode_contrast(run.critic) if dataset == "8gaussians" else None,
                   "normalised_gap_over_w1": T.normalised_gap(run.critic, run.real, run.fake) / w1}
            f.write(json.dumps(row) + "\n")
            f.flush()
            print(row, flush=True)
            panels.append((f"{kind}, seed {seed}", xs, ys, values, run.real, run.fake))
        plots.toy_critic_contours(panels, path=out / f"{dataset}_seed{seed}.png")
