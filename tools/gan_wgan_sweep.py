"""Seed sweep for assignment 03: GAN against WGAN with the 2x100 MLPs on MNIST digits.

Each run trains fresh networks with the reference losses for ``--steps`` generator steps and
writes one JSON line: the final W1 / diversity / digit fractions of 500 samples, and at every
checkpoint the exact W1 of the generator beside the critic's running estimate and the
discriminator's loss over the last ``log_every`` steps (their correlations too). One line per
digit set records the real-against-real W1 floor (two disjoint halves of the real digits) and
the classifier-feature Frechet distance between the same halves (``fd``).

    nice -n 10 python tools/gan_wgan_sweep.py --out docs/sweeps/gan_wgan_2000steps_tf_cpu.jsonl
    nice -n 10 python tools/gan_wgan_sweep.py --settings wgan_gp gan wgan \
        --out docs/sweeps/gan_wgan_gp_2000steps_tf_cpu.jsonl

``wgan_gp`` is the library's WGAN-GP (Adam 1e-4, betas 0 and 0.9, five critic steps, lambda 10)
with the reference penalty of assignment 04, on the same 2x100 networks. ``gan_bn`` and
``wgan_bn`` add batch normalisation to the generator:

    nice -n 10 python tools/gan_wgan_sweep.py --settings gan_bn wgan_bn \
        --out docs/sweeps/batch_norm_2000steps_tf_cpu.jsonl
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import keras
import numpy as np
from keras import ops

from wganlab import data, metrics, models, train


def discriminator_loss(real_logits, fake_logits):
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def generator_loss(fake_logits):
    return ops.mean(ops.softplus(-fake_logits))


def saturating_generator_loss(fake_logits):
    # mean log(1 - sigmoid(l)) = -mean softplus(l): Goodfellow et al.'s original minimax loss.
    return -ops.mean(ops.softplus(fake_logits))


def critic_loss(real_scores, fake_scores):
    return ops.mean(fake_scores) - ops.mean(real_scores)


def wgan_generator_loss(fake_scores):
    return -ops.mean(fake_scores)


def clip_weights(model, c):
    for v in model.trainable_variables:
        v.assign(ops.clip(v, -c, c))


def wgan_gp_objectives():
    """The library's WGAN-GP objectives with assignment 04's reference penalty (from the master)."""
    from wganlab.course.functions import reference_functions

    gp = reference_functions("04_wgan_gp_celeba")
    return train.wgan_gp_objectives(gp.critic_loss_gp, wgan_generator_loss)


RMSPROP5 = dict(optimizer="rmsprop", lr=5e-5, n_critic=5)
SETTINGS = {
    # name: (objectives, config overrides); the first two are the notebook's defaults.
    "gan": (lambda: train.gan_objectives(discriminator_loss, generator_loss), train.gan_config, {}),
    "wgan": (lambda: train.wgan_objectives(critic_loss, wgan_generator_loss, clip_weights), train.wgan_config, {}),
    # The course's last method on the same networks and data (issue 21).
    "wgan_gp": (wgan_gp_objectives, train.wgan_gp_config, {}),
    # The GAN with the WGAN's optimizer and n_critic: removes the comparison's confound.
    "gan_rmsprop": (lambda: train.gan_objectives(discriminator_loss, generator_loss), train.gan_config, RMSPROP5),
    # Goodfellow et al.'s minimax (saturating) generator loss, DCGAN optimizer.
    "gan_minimax": (lambda: train.gan_objectives(discriminator_loss, saturating_generator_loss), train.gan_config, {}),
    "gan_minimax_rmsprop": (lambda: train.gan_objectives(discriminator_loss, saturating_generator_loss),
                            train.gan_config, RMSPROP5),
}
# The paper's robustness claim (Arjovsky et al., section 4.3) on 03's networks: the same GAN and WGAN
# with batch normalisation in the generator's hidden layers (issue 21); the arms without it are "gan"
# and "wgan" above, whose Dense layers start from the same weights (models.mlp_generator).
BATCH_NORM = {"gan_bn": "gan", "wgan_bn": "wgan"}
DIGITS = {"1": [1], "01": [0, 1], "all": list(range(10))}


def floor(real: np.ndarray, seed: int = 0) -> dict:
    """W1 and feature FD between two disjoint random halves of the real images (the metrics' sampling floors)."""
    idx = np.random.default_rng(seed).permutation(len(real))
    half = min(len(real) // 2, 500)
    a, b = real[idx[:half]], real[idx[half:2 * half]]
    return {"w1": metrics.wasserstein1(a, b), "fd": metrics.digit_frechet_distance(a, b)}


def run(setting: str, digits: list[int], seed: int, steps: int, every: int) -> dict:
    real, _ = data.load_mnist(digits=digits)
    make_objectives, preset, overrides = SETTINGS[BATCH_NORM.get(setting, setting)]
    generator, critic = models.mlp_pair(seed=seed, batch_norm=setting in BATCH_NORM)
    config = preset(steps=steps, seed=seed, progress=False, log_every=every, **overrides)
    checkpoints: list[dict] = []
    eval_real = real[np.random.default_rng(0).choice(len(real), min(500, len(real)), replace=False)]

    def callback(step, latest):
        fake = train.generate(generator, 500, seed=seed)
        checkpoints.append({"step": step, "w1": metrics.wasserstein1(fake, eval_real)})

    start = time.perf_counter()
    result = train.train(generator, critic, real, make_objectives(), config, callback=callback)
    seconds = time.perf_counter() - start
    for cp in checkpoints:
        window = slice(cp["step"] - every, cp["step"])
        cp["w_estimate"] = float(np.mean(result.history["w_estimate"][window]))
        cp["critic_loss"] = float(np.mean(result.history["critic_loss"][window]))
    w1 = np.array([cp["w1"] for cp in checkpoints])
    fake = train.generate(generator, 500, seed=seed)
    report = metrics.evaluate_samples(fake, real, target_digits=digits)
    return {
        "setting": setting, "digits": digits, "seed": seed, "steps": steps, **report.as_dict(),
        "corr_w_estimate_w1": float(np.corrcoef([cp["w_estimate"] for cp in checkpoints], w1)[0, 1]),
        "corr_critic_loss_w1": float(np.corrcoef([cp["critic_loss"] for cp in checkpoints], w1)[0, 1]),
        "checkpoints": checkpoints, "seconds": seconds, "backend": keras.backend.backend(),
        "machine": f"{platform.machine()} CPU, {__import__('os').cpu_count()} cores, shared",
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS) + list(BATCH_NORM))
    parser.add_argument("--digits", nargs="+", default=["1", "01"], choices=list(DIGITS))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--seed-start", type=int, default=0, help="first seed (to resume a sweep)")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--every", type=int, default=200, help="checkpoint interval in generator steps")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a") as fh:
        for key in args.digits:
            real, _ = data.load_mnist(digits=DIGITS[key])
            fh.write(json.dumps({"setting": "real_floor", "digits": DIGITS[key], "n_half": min(len(real) // 2, 500),
                                 **floor(real)}) + "\n")
            for setting in args.settings:
                for seed in range(args.seed_start, args.seed_start + args.seeds):
                    row = run(setting, DIGITS[key], seed, args.steps, args.every)
                    fh.write(json.dumps(row) + "\n")
                    fh.flush()
                    print(setting, key, seed, f"W1 {row['w1']:.2f} FD {row['fd']:.1f} div {row['diversity']:.2f} "
                          f"frac {row['digit_fraction']:.2f} {row['seconds']:.0f}s", flush=True)


if __name__ == "__main__":
    main()
