"""Seed sweep behind the estimator question's thresholds (``ESTIMATOR``, NOTES.md). Usage:
    python tools/estimator_sweep.py FIRST_SEED END_SEED OUT.jsonl [VARIANT ...]
    python tools/estimator_sweep.py summary OUT.jsonl

Each run is the grader's own ``check_estimator`` with the seed replaced, so a row says both what
the estimator measured (pearson, kappa, argmin) and whether the question would pass.
"""
import collections, json, sys, time
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "autograder")]
import os
from wganlab.course.protocol import TRAIN_ENV
os.environ.setdefault(TRAIN_ENV, "1")  # the checks train only where this is set
import numpy as np


def summary(path):
    """Markdown table: per variant, runs, passes and the range of each measurement."""
    by = collections.defaultdict(list)
    for line in open(path):
        row = json.loads(line)
        if "seed" in row:
            by[(row["variant"], row["backend"], row.get("estimator", "batched"))].append(row)
    keys = ["pearson", "kappa", "estimate_at_theta0", "seconds"]
    print("| variant | backend | estimator | runs | passed | argmin at θ0 | " + " | ".join(keys) + " |")
    print("|" + " --- |" * (len(keys) + 6))
    for (variant, backend, kind), rows in by.items():
        cells = [f"{min(r[k] for r in rows):.3g}–{max(r[k] for r in rows):.3g}" for k in keys]
        at0 = sum(r["argmin"] == r["theta0_index"] for r in rows)
        passed = sum(r["passed"] for r in rows)
        print(f"| {variant} | {backend} | {kind} | {len(rows)} | {passed} | {at0} | " + " | ".join(cells) + " |")


if sys.argv[1] == "summary":
    summary(sys.argv[2]); sys.exit()

import keras
from keras import ops
from wganlab import estimator
from wganlab.course import functions
import wganlab_checks as checks

ref = functions.reference_functions("02_critic_estimator")
def flip_critic(r, f): return ref.critic_loss(f, r)
def clip_kernels_only(m, c):
    for v in m.trainable_variables:
        if "bias" not in v.name:  # by name: on the stacked critic biases are 3-D like kernels
            v.assign(ops.clip(v, -c, c))
VARIANTS = {"reference": (ref.critic_loss, ref.clip_weights),
            "critic_sign_flipped": (flip_critic, ref.clip_weights),
            "biases_not_clipped": (ref.critic_loss, clip_kernels_only)}


def run(critic_loss, clip_weights, seed):
    """check_estimator at ``seed``: (Estimate, failure message or None, seconds)."""
    curves, original = [], estimator.estimate_curve
    def recording(*args, **kwargs):
        curves.append(original(*args, **kwargs)); return curves[-1]
    estimator.estimate_curve, failure, t = recording, None, time.perf_counter()
    try:
        checks.check_estimator(critic_loss, clip_weights, seed=seed)
    except AssertionError as e:
        failure = str(e)
    finally:
        estimator.estimate_curve = original
    return curves[0], failure, time.perf_counter() - t


seeds, out = range(int(sys.argv[1]), int(sys.argv[2])), open(sys.argv[3], "a")
names = sys.argv[4:] or list(VARIANTS)
for seed in seeds:
    for name in names:
        est, failure, seconds = run(*VARIANTS[name], seed)
        thetas = checks.ESTIMATOR["thetas"]
        row = {"variant": name, "seed": seed, "backend": keras.backend.backend(), "passed": failure is None,
               "pearson": est.pearson, "kappa": est.kappa, "argmin": int(np.argmin(est.estimates)),
               "theta0_index": thetas.index(0.0), "estimate_at_theta0": float(est.estimates[thetas.index(0.0)]),
               "estimates": est.estimates.tolist(), "steps": checks.ESTIMATOR["steps"],
               "pearson_min": checks.ESTIMATOR["pearson_min"], "seconds": seconds,
               "failure": failure and failure[:200]}
        out.write(json.dumps(row) + "\n"); out.flush()
