"""Seed sweep behind the MNIST WGAN convergence thresholds (NOTES.md). Usage:
    python tools/convergence_sweep.py mnist FIRST_SEED END_SEED OUT.jsonl [STEPS]
04's faces question trains with the student's own step: its sweep is tools/gp_step_sweep.py.
"""
import json, sys, time
from keras import ops
from wganlab.course import convergence as C
from wganlab.course.functions import reference_functions

# The reference implementations come from the master (solutions/), the broken ones are below.
ref = reference_functions("03_gan_vs_wgan_mnist")

def flip_critic(r, f): return ops.mean(r) - ops.mean(f)
def gen_wrong_sign(f): return ops.mean(f)
def clip_kernels_only(m, c):
    for v in m.trainable_variables:
        if len(v.shape) > 1: v.assign(ops.clip(v, -c, c))

VARIANTS = {"reference": (ref.critic_loss, ref.wgan_generator_loss, ref.clip_weights),
            "critic_sign_flipped": (flip_critic, ref.wgan_generator_loss, ref.clip_weights),
            "biases_not_clipped": (ref.critic_loss, ref.wgan_generator_loss, clip_kernels_only),
            "generator_wrong_sign": (ref.critic_loss, gen_wrong_sign, ref.clip_weights)}

if __name__ == "__main__":  # tools/convergence_fd_sweep.py imports VARIANTS
    if len(sys.argv) < 5 or sys.argv[1] != "mnist":
        sys.exit(__doc__)
    seeds, out = range(int(sys.argv[2]), int(sys.argv[3])), open(sys.argv[4], "a")
    for seed in seeds:
        for name, fns in VARIANTS.items():
            t = time.time()
            try:
                r = C.mnist_wgan(*fns, seed=seed, steps=int(sys.argv[5]) if len(sys.argv) > 5 else 1000)
                row = {k: v for k, v in vars(r).items() if k != "history"}
            except Exception as e:
                row = {"error": str(e)[:200]}
            row.update(variant=name, seed=seed, wall=time.time() - t)
            out.write(json.dumps(row) + "\n"); out.flush()
