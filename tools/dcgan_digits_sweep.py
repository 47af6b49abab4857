"""How soon a small DCGAN WGAN-GP draws digits a reader recognises (assignment 04, "Digits in three minutes").

Usage: python tools/dcgan_digits_sweep.py CONFIG[,CONFIG...] SEEDS STEPS EVERY OUT.jsonl [GRID_DIR]

Trains what 04's digits cell trains: the embedded 5,000 MNIST digits at 28x28 (shuffled as the cell
shuffles them), a DCGAN pair (models.dcgan_generator/critic, size 28), the master's train_step and
sample_alpha called by fit_model.StepWGAN, for STEPS generator steps per (config, seed). Every EVERY
steps it generates 500 samples from one fixed noise batch and, after training, appends one JSON
line per checkpoint: W1 from those samples to the first 500 real digits, the real-to-real floor
(digits 500-999 against the first 500), the digit classifier's share of samples read with
probability >= 0.9 (the same for the 500 real digits: ``confident_real``), the class histogram
of the samples, and the training seconds up to the checkpoint (compilation included, the
checkpoints' own generation excluded; wall and this process's CPU seconds, with the 1-minute load
average: the machine is shared, so wall seconds are upper bounds). GRID_DIR gets a PNG of 64 samples per checkpoint.
"""

import json
import os
import sys
import time
from pathlib import Path

import keras
import numpy as np

from wganlab import classifier, data, fit_model, metrics, models, plots
from wganlab.course.functions import reference_functions

# name -> (width, n_critic, Adam lr, beta_1, beta_2, batch norm in the generator); "paper" is the
# WGAN-GP paper's optimizer, the others keras.io's (2e-4, 0.5, 0.9) with fewer critic updates.
CONFIGS = {
    "paper": (32, 5, 1e-4, 0.0, 0.9, False),
    "fast": (32, 2, 2e-4, 0.5, 0.9, False),
    "fast_bn": (32, 2, 2e-4, 0.5, 0.9, True),
    "fast_bn_nc1": (32, 1, 2e-4, 0.5, 0.9, True),
    "wide_bn": (64, 2, 2e-4, 0.5, 0.9, True),
    "fast_bn_nc1_lr5": (32, 1, 5e-4, 0.5, 0.9, True),
}


class Checkpoints(keras.callbacks.Callback):
    """Every ``every`` steps: 500 samples from one fixed noise batch and the training seconds so far."""

    def __init__(self, every):
        super().__init__()
        self.every, self.rows, self.steps, self.spent, self.cpu_spent = every, [], 0, 0.0, 0.0

    def on_train_begin(self, logs=None):
        # The noise train.generate(generator, 500) draws: the last checkpoint is what the cell prints.
        self.z = np.random.default_rng(0).standard_normal((500, self.model.latent_dim)).astype("float32")
        self.start, self.cpu_start = time.perf_counter(), time.process_time()

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.steps % self.every == 0:
            begin, cpu_begin = time.perf_counter(), time.process_time()
            images = keras.ops.convert_to_numpy(self.model.generator(self.z, training=False))
            self.rows.append((self.steps, begin - self.start - self.spent, cpu_begin - self.cpu_start - self.cpu_spent,
                              images))
            self.spent += time.perf_counter() - begin
            self.cpu_spent += time.process_time() - cpu_begin


if len(sys.argv) not in (6, 7):
    sys.exit(__doc__)
configs, seeds = sys.argv[1].split(","), [int(s) for s in sys.argv[2].split(",")]
steps, every, out = int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])
grids = Path(sys.argv[6]) if len(sys.argv) == 7 else None
ref = reference_functions("04_wgan_gp_celeba")
digits, _ = data.load_mnist()
real = digits[np.random.default_rng(0).permutation(len(digits))]
floor = metrics.wasserstein1(real[500:1000], real[:500])
confident_real = classifier.confident_fraction(real[:500])
for name in configs:
    width, n_critic, lr, beta_1, beta_2, batch_norm = CONFIGS[name]
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        generator = models.dcgan_generator(size=28, width=width, batch_norm=batch_norm)
        critic = models.dcgan_critic(size=28, width=width)
        adam = [keras.optimizers.Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2) for _ in range(2)]
        model = fit_model.StepWGAN(generator, critic, ref.train_step, ref.sample_alpha, n_critic=n_critic,
                                   seed=seed, g_optimizer=adam[0], c_optimizer=adam[1])
        model.compile()
        marks = Checkpoints(every)
        model.fit(fit_model.RealBatches(real, steps, n_critic=n_critic, seed=seed), epochs=1, verbose=0,
                  callbacks=[marks])
        for step, seconds, cpu_seconds, fake in marks.rows:
            hist = classifier.digit_histogram(fake)
            row = {"data": "mnist28", "config": name, "width": width, "n_critic": n_critic, "lr": lr,
                   "beta_1": beta_1, "beta_2": beta_2, "batch_norm": batch_norm, "seed": seed, "steps": step, "seconds": seconds,
                   "cpu_seconds": cpu_seconds, "load_1min": os.getloadavg()[0],
                   "w1": metrics.wasserstein1(fake, real[:500]), "w1_real_floor": floor,
                   "confident": classifier.confident_fraction(fake), "confident_real": confident_real,
                   "histogram": [round(float(h), 4) for h in hist], "backend": keras.backend.backend()}
            if grids is not None:
                grids.mkdir(parents=True, exist_ok=True)
                plots.sample_grid(fake[:64], path=grids / f"digits_{name}_seed{seed}_{step}steps.png",
                                  title=f"{name}, seed {seed}, {step} steps")
            with open(out, "a") as f:
                f.write(json.dumps(row) + "\n")
            print({k: v for k, v in row.items() if k != "histogram"}, flush=True)
