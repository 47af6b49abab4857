"""Seed sweep of 04's convergence question with a student-style train_step (wganlab.gp_step).

Usage: python tools/gp_step_sweep.py FIRST_SEED LAST_SEED OUT.jsonl [CELEBA_CACHE_32.npz]
One JSON line per (variant, seed): the RunReport's numbers and whether the hidden check's
thresholds (autograder/wganlab_checks/thresholds.py, FACES) pass.
"""

import json
import sys
from pathlib import Path

from keras import ops

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "autograder"))
import wganlab_checks  # noqa: E402

from wganlab.course import convergence  # noqa: E402
from wganlab.course.functions import reference_functions  # noqa: E402

ref = reference_functions("04_wgan_gp_celeba")


def step_with(critic_loss_gp):
    """The reference train_step's algorithm around another critic loss (plain TensorFlow)."""
    import tensorflow as tf

    def train_step(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
        for i in range(real.shape[0]):
            fake = generator(z[i], training=True)
            with tf.GradientTape() as tape:
                c_loss = critic_loss_gp(critic, real[i], fake, alpha[i], lam)
            c_opt.apply_gradients(zip(tape.gradient(c_loss, critic.trainable_variables), critic.trainable_variables))
        with tf.GradientTape() as tape:
            g_loss = -tf.reduce_mean(critic(generator(z[-1], training=True)))
        g_opt.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables))
        return c_loss, g_loss

    return train_step


VARIANTS = {
    "reference": ref.train_step,
    "penalty_stopped": step_with(lambda c, r, f, a, lam: ops.mean(c(f)) - ops.mean(c(r))
                                 + lam * ops.stop_gradient(ref.gradient_penalty(c, r, f, a))),
    "critic_sign_flipped": step_with(lambda c, r, f, a, lam: ops.mean(c(r)) - ops.mean(c(f))
                                     + lam * ref.gradient_penalty(c, r, f, a)),
}

first, last, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
images, label = convergence.faces(sys.argv[4] if len(sys.argv) > 4 else None)
lo, hi = wganlab_checks.FACES["grad_norm_range"]
with open(out, "a") as f:
    for seed in range(first, last + 1):
        for name, step in VARIANTS.items():
            try:
                r = convergence.faces_wgan_gp_own_step(step, ref.sample_alpha, images, label, seed=seed)
                row = {"variant": name, "seed": seed, "data": label, "w1_init": r.w1_init, "w1_final": r.w1_final,
                       "ratio": r.w1_ratio, "grad_norm": r.grad_norm, "seconds": r.seconds,
                       "passes": bool(r.w1_ratio <= wganlab_checks.FACES["w1_ratio_max"] and lo <= r.grad_norm <= hi)}
            except Exception as exc:  # noqa: BLE001 - a diverged run fails the check too
                row = {"variant": name, "seed": seed, "data": label, "error": f"{type(exc).__name__}: {str(exc)[:120]}",
                       "passes": False}
            f.write(json.dumps(row) + "\n")
            f.flush()
            print(row, flush=True)
