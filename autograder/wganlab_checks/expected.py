"""Expected values: what the reference does on every case, computed at build time into expected.json.

The same functions measure a submission at grading time, so the two sides cannot drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path

from wganlab.course.protocol import EXPECTED_FILE

from .cases import (cases_divergence, cases_input_gradients, cases_penalty, cases_scores, cases_train_step,
                    cases_wasserstein_1d, seeded_critic, seeded_pair)
from .compare import scalar, to_numpy, to_tensor

# The autograder's files/ folder (this package's parent): expected.json, and a faces cache where
# the build shipped one, lie there.
FILES = Path(__file__).resolve().parents[1]


def run_train_step(fn, case):
    """What one call of ``train_step`` does to seeded models: losses, weights after, update counts."""
    shape, seed, real, z, alpha, lam = case
    generator, critic, g_opt, c_opt = seeded_pair(shape, seed)
    out = fn(generator, critic, g_opt, c_opt, to_tensor(real), to_tensor(z), to_tensor(alpha), lam)
    assert isinstance(out, (tuple, list)) and len(out) == 2, (
        f"train_step must return a pair (critic_loss, generator_loss), got {type(out).__name__}"
        + (" (hint: the stub returns None: fill in the body and end it with `return c_loss, g_loss`)" if out is None else ""))
    c_loss, g_loss = (scalar(v, "train_step's losses") for v in out)
    return {"critic_loss": c_loss, "generator_loss": g_loss,
            "generator": [to_numpy(v).tolist() for v in generator.trainable_variables],
            "critic": [to_numpy(v).tolist() for v in critic.trainable_variables],
            "g_updates": int(to_numpy(g_opt.iterations)), "c_updates": int(to_numpy(c_opt.iterations))}


def penalty_and_grads(fn, case):
    """Value of ``fn(critic, real, fake, alpha)`` and its gradients w.r.t. the critic's kernels."""
    from wganlab import autodiff

    shape, seed, real, fake, alpha = case
    critic = seeded_critic(shape, seed)
    real, fake, alpha = to_tensor(real), to_tensor(fake), to_tensor(alpha)
    value, grads = autodiff.value_and_grad(lambda: fn(critic, real, fake, alpha), critic.trainable_variables)
    kernels = [to_numpy(g) for g, v in zip(grads, critic.trainable_variables) if len(v.shape) == 2]
    return float(to_numpy(value)), kernels


def input_gradients_and_grads(fn, case):
    """``fn(critic, x)`` and the gradient of sum(fn(critic, x)^2) w.r.t. the critic's kernels."""
    from wganlab import autodiff

    shape, seed, x = case
    critic = seeded_critic(shape, seed, hidden=8)
    got = fn(critic, to_tensor(x))
    assert got is not None, ("critic_input_gradients returned None (hint: is its body still the stub, and "
                             "does it end with `return tape.gradient(...)`?)")
    got = to_numpy(got)
    assert got.shape == x.shape, f"critic_input_gradients must return the shape of x, {x.shape}; got {got.shape}"
    try:
        _, grads = autodiff.value_and_grad(lambda: _sum_sq(fn(critic, to_tensor(x))), critic.trainable_variables)
        kernels = [to_numpy(g).tolist() for g, v in zip(grads, critic.trainable_variables) if len(v.shape) == 2]
    except Exception as exc:  # noqa: BLE001 - turned into a message below
        raise AssertionError(f"the gradients critic_input_gradients returns cannot be differentiated again "
                             f"({type(exc).__name__}: {str(exc)[:200]}): keep them tensors (no numpy, no "
                             ".numpy()) and do not stop their gradient") from exc
    return {"value": got.tolist(), "kernel_grads": kernels}


def _sum_sq(x):
    from keras import ops

    return ops.sum(ops.square(x))


def compute_expected(assignment: str, ref) -> dict:
    """Expected values of ``assignment``'s hidden value checks from the reference namespace."""
    if assignment == "01_divergences":
        return {
            "kl": [float(ref.kl_divergence(p, q)) for p, q in cases_divergence()],
            "kl_reverse": [float(ref.kl_divergence(q, p)) for p, q in cases_divergence()],
            "js": [float(ref.js_divergence(p, q)) for p, q in cases_divergence()],
            "w1d": [float(ref.wasserstein_1d(*c)) for c in cases_wasserstein_1d()],
        }
    out = {}
    names = vars(ref)
    if "critic_loss" in names:
        out["critic_loss"] = [float(to_numpy(ref.critic_loss(r, f))) for r, f in cases_scores()]
    if "discriminator_loss" in names:
        out["discriminator_loss"] = [float(to_numpy(ref.discriminator_loss(r, f))) for r, f in cases_scores()]
        out["generator_loss"] = [float(to_numpy(ref.generator_loss(f))) for _, f in cases_scores()]
        out["wgan_generator_loss"] = [float(to_numpy(ref.wgan_generator_loss(f))) for _, f in cases_scores()]
    if "critic_input_gradients" in names:
        out["critic_input_gradients"] = [input_gradients_and_grads(ref.critic_input_gradients, c)
                                         for c in cases_input_gradients()]
    if "train_step" in names:
        out["train_step"] = [run_train_step(ref.train_step, c) for c in cases_train_step()]
    if "gradient_penalty" in names:
        pens = [penalty_and_grads(ref.gradient_penalty, c) for c in cases_penalty()]
        out["gradient_penalty"] = [v for v, _ in pens]
        out["gradient_penalty_grads"] = [[g.tolist() for g in grads] for _, grads in pens]
        out["critic_loss_gp"] = {
            str(lam): [penalty_and_grads(lambda c, r, f, a: ref.critic_loss_gp(c, r, f, a, lam), case)[0]
                       for case in cases_penalty()]
            for lam in (10.0, 1.0)}
    return out


def load_expected() -> dict:
    """The expected values shipped beside this module."""
    path = FILES / EXPECTED_FILE
    with open(path, encoding="utf-8") as f:
        return json.load(f)
