"""Seed sweep behind 02's Theorem 3 cell (docs/claims.py reads its rows).

Usage: python tools/theorem3_sweep.py FIRST_SEED LAST_SEED OUT.jsonl

For each seed, the notebook's cell: penalised critics (the one-sided penalty, 500 steps, the
notebook's schedule) between Z**theta0 and Z**theta, theta0 = 1, for the notebook's thetas, then
Theorem 3's gradient -E_z[d f(z**theta) / d theta] through each critic against the central finite
difference of the exact W = |1/(theta + 1) - 1/2|. One JSON line per seed, appended to OUT
(atomically: the file is rewritten whole).
"""

import json
import sys
import time
from pathlib import Path

import keras
from keras import ops

from wganlab import estimator, theorem3
from wganlab.files import atomic_write

THETAS = (0.25, 0.5, 0.75, 1.5, 2.0, 3.0)  # 02's cell
STEPS = 500


def critic_loss(r, f):
    return ops.mean(f) - ops.mean(r)


def main(first: int, last: int, out: Path) -> None:
    for seed in range(first, last + 1):
        start = time.time()
        curve = theorem3.theorem3_curve(THETAS, estimator.penalised_objective(critic_loss),
                                        estimator.CriticConfig(kind="gp", steps=STEPS, seed=seed))
        row = {"seed": seed, "steps": STEPS, "theta0": 1.0, "backend": keras.backend.backend(),
               "thetas": list(THETAS), "gradient": curve.gradient.tolist(), "exact_slope": curve.exact_slope.tolist(),
               "estimate": curve.estimate.tolist(), "exact_w": curve.exact_w.tolist(),
               "sec": round(time.time() - start, 1)}
        old = out.read_text(encoding="utf-8") if out.exists() else ""
        atomic_write(out, lambda tmp: tmp.write_text(old + json.dumps(row) + "\n", encoding="utf-8"))
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
