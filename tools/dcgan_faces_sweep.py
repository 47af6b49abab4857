"""What assignment 04's DCGAN training cell produces, over seeds and step counts.

Usage: python tools/dcgan_faces_sweep.py CACHE_32.npz|mnist STEPS[,STEPS...] SEEDS OUT.jsonl [GRID_DIR]

Runs exactly what the cell runs (global seed, DCGAN pair of the data's size, the master's
train_step and sample_alpha through gp_step.train_with_step, then 500 samples from
train.generate) once per (steps, seed), and appends one JSON line each: W1 from those 500
samples to the first 500 real images (what the cell prints), W1 before training, the real-to-real
floor (images 500-999 against the first 500) and seconds (compilation included). GRID_DIR gets
a PNG of 64 samples per run, to look at; CelebA-derived, so never commit it. ``mnist`` instead of
a cache trains on what the cell falls back to: the 5,000 MNIST digits padded to 32x32.
"""

import json
import sys
from pathlib import Path

import keras
import numpy as np

from wganlab import data, gp_step, metrics, models, plots, train
from wganlab.course.functions import reference_functions

if len(sys.argv) not in (5, 6):
    sys.exit(__doc__)
cache, out = Path(sys.argv[1]), Path(sys.argv[4])
step_counts = [int(s) for s in sys.argv[2].split(",")]
seeds = [int(s) for s in sys.argv[3].split(",")]
grids = Path(sys.argv[5]) if len(sys.argv) == 6 else None
ref = reference_functions("04_wgan_gp_celeba")
if str(cache) == "mnist":  # the cell's fallback, padded as it pads
    digits, _ = data.load_mnist()
    real = np.pad(digits, ((0, 0), (2, 2), (2, 2), (0, 0)), constant_values=-1.0)[np.random.default_rng(0).permutation(len(digits))]
    label = "mnist32"
else:
    real = data.load_celeba(cache)
    label = f"celeba{real.shape[1]}"
floor = metrics.wasserstein1(real[500:1000], real[:500])
for steps in step_counts:
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        size = real.shape[1]
        generator, critic = models.dcgan_generator(size=size), models.dcgan_critic(size=size)
        w1_init = metrics.wasserstein1(train.generate(generator, 500), real[:500])
        result = gp_step.train_with_step(generator, critic, real, ref.train_step, ref.sample_alpha,
                                         steps=steps, seed=seed)
        fake = train.generate(generator, 500)
        row = {"data": label, "n_images": len(real), "steps": result.steps, "seed": seed,
               "w1_init": w1_init, "w1_final": metrics.wasserstein1(fake, real[:500]), "w1_real_floor": floor,
               "w_estimate_last50": float(result.history["w_estimate"][-50:].mean()),
               "seconds": result.seconds, "backend": keras.backend.backend()}
        if grids is not None:
            grids.mkdir(parents=True, exist_ok=True)
            plots.sample_grid(fake[:64], path=grids / f"dcgan_{steps}steps_seed{seed}.png",
                              title=f"{steps} steps, seed {seed}")
        with open(out, "a") as f:
            f.write(json.dumps(row) + "\n")
        print(row, flush=True)
