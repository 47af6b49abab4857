"""Seed sweep behind the convergence thresholds (NOTES.md). Usage:
    python tools/convergence_sweep.py mnist FIRST_SEED END_SEED OUT.jsonl [STEPS]
    python tools/convergence_sweep.py faces FIRST_SEED END_SEED OUT.jsonl [CACHE.npz [STEPS]]
"""
import json, sys, time, types
import numpy as np
from keras import ops
from wganlab.course import convergence as C
from wganlab.course.functions import reference_functions

# The reference implementations come from the masters (solutions/), the broken ones are below.
ref = types.SimpleNamespace(**vars(reference_functions("03_gan_vs_wgan_mnist")),
                            **{k: v for k, v in vars(reference_functions("04_wgan_gp_celeba")).items()
                               if k in ("gradient_penalty", "critic_loss_gp")})

def flip_critic(r, f): return ops.mean(r) - ops.mean(f)
def gen_wrong_sign(f): return ops.mean(f)
def clip_kernels_only(m, c):
    for v in m.trainable_variables:
        if len(v.shape) > 1: v.assign(ops.clip(v, -c, c))
def gp_stopped(critic, real, fake, alpha, lam=10.0):
    return ref.critic_loss(critic(real), critic(fake)) + lam * ops.stop_gradient(ref.gradient_penalty(critic, real, fake, alpha))
def gp_flipped(critic, real, fake, alpha, lam=10.0):
    return flip_critic(critic(real), critic(fake)) + lam * ref.gradient_penalty(critic, real, fake, alpha)

which, seeds, out = sys.argv[1], range(int(sys.argv[2]), int(sys.argv[3])), open(sys.argv[4], "a")
if which == "mnist":
    variants = {"reference": (ref.critic_loss, ref.wgan_generator_loss, ref.clip_weights),
                "critic_sign_flipped": (flip_critic, ref.wgan_generator_loss, ref.clip_weights),
                "biases_not_clipped": (ref.critic_loss, ref.wgan_generator_loss, clip_kernels_only),
                "generator_wrong_sign": (ref.critic_loss, gen_wrong_sign, ref.clip_weights)}
    for seed in seeds:
        for name, fns in variants.items():
            t = time.time()
            try:
                r = C.mnist_wgan(*fns, seed=seed, steps=int(sys.argv[5]) if len(sys.argv) > 5 else 1000)
                row = {k: v for k, v in vars(r).items() if k != "history"}
            except Exception as e:
                row = {"error": str(e)[:200]}
            row.update(variant=name, seed=seed, wall=time.time() - t)
            out.write(json.dumps(row) + "\n"); out.flush()
else:
    images, label = C.faces(sys.argv[5] if len(sys.argv) > 5 else None)
    variants = {"reference": ref.critic_loss_gp, "penalty_stopped": gp_stopped, "critic_sign_flipped": gp_flipped}
    for seed in seeds:
        for name, fn in variants.items():
            t = time.time()
            try:
                r = C.faces_wgan_gp(fn, ref.wgan_generator_loss, images, label, seed=seed, steps=int(sys.argv[6]) if len(sys.argv) > 6 else 500)
                row = {k: v for k, v in vars(r).items() if k != "history"}
                row["critic_loss_max"] = float(np.max(r.history["critic_loss"]))
                row["critic_loss_last50"] = float(np.mean(r.history["critic_loss"][-50:]))
            except Exception as e:
                row = {"error": str(e)[:200]}
            row.update(variant=name, seed=seed, wall=time.time() - t)
            out.write(json.dumps(row) + "\n"); out.flush()
