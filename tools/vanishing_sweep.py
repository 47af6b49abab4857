"""Seed sweep behind 03 section 6's vanishing-gradient cell (docs/claims.py reads its rows).

Usage: python tools/vanishing_sweep.py FIRST_SEED LAST_SEED OUT.jsonl

For each seed, the notebook's cell: the 2x100 pair (models.mlp_pair(seed)) on the digit 1, the
generator fixed at its initial weights; a GAN discriminator (03's losses, the GAN's Adam 2e-4) and,
from the same initial pair, a clipped WGAN critic (RMSProp 5e-5, c = 0.01) trained alone for
k = 0, 10, 100, 1000 updates; after each k the norm of the gradient of the minimax, the
non-saturating and the WGAN generator loss with respect to all generator weights (256 fixed z) and
the mean fake score. One JSON line per seed, appended to OUT (the file is rewritten atomically).
"""

import json
import sys
import time
from pathlib import Path

import keras

from wganlab import data, models, train, vanishing
from wganlab.course.functions import reference_functions
from wganlab.files import atomic_write

CHECKPOINTS = (0, 10, 100, 1000)  # 03's cell
DIGITS = [1]


# 03's graded losses, from its reference master (the solutions' own code, not a copy here).
REF = reference_functions("03_gan_vs_wgan_mnist")
discriminator_loss, generator_loss = REF.discriminator_loss, REF.generator_loss
critic_loss, wgan_generator_loss, clip_weights = REF.critic_loss, REF.wgan_generator_loss, REF.clip_weights


def measure(seed: int, images) -> dict:
    """The cell's two measurements for one seed."""
    generator, discriminator = models.mlp_pair(seed=seed)
    gan = vanishing.gradient_norms_while_critic_trains(
        generator, discriminator, images, train.gan_objectives(discriminator_loss, generator_loss),
        {"minimax": vanishing.minimax_generator_loss, "non_saturating": generator_loss}, CHECKPOINTS,
        train.gan_config(seed=seed, progress=False))
    generator, critic = models.mlp_pair(seed=seed)
    wgan = vanishing.gradient_norms_while_critic_trains(
        generator, critic, images, train.wgan_objectives(critic_loss, wgan_generator_loss, clip_weights),
        {"wgan": wgan_generator_loss}, CHECKPOINTS, train.wgan_config(seed=seed, progress=False))
    return {"minimax": gan.norms["minimax"].tolist(), "non_saturating": gan.norms["non_saturating"].tolist(),
            "wgan": wgan.norms["wgan"].tolist(), "gan_fake_logit": gan.fake_score.tolist(),
            "wgan_fake_score": wgan.fake_score.tolist()}


def main(first: int, last: int, out: Path) -> None:
    images, _ = data.load_mnist(digits=DIGITS)
    for seed in range(first, last + 1):
        start = time.time()
        row = {"seed": seed, "digits": DIGITS, "checkpoints": list(CHECKPOINTS), "backend": keras.backend.backend(),
               **measure(seed, images), "sec": None}
        row["sec"] = round(time.time() - start, 1)
        old = out.read_text(encoding="utf-8") if out.exists() else ""
        atomic_write(out, lambda tmp: tmp.write_text(old + json.dumps(row) + "\n", encoding="utf-8"))
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
