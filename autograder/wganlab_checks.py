"""Hidden checks for the wganlab assignments; shipped only inside the autograder zips.

Each ``check_*`` function raises AssertionError with a message a student can act on. The
inputs are made from fixed seeds by ``cases_*`` functions that the build also uses to compute
the expected values from the reference (``expected.json`` beside this file in the zip).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

EXPECTED_FILE = "expected.json"
# The convergence checks train for minutes. Under the guard plugin they run once, in the isolated
# process it starts (wganlab.course.isolation sets this variable there); in the notebook's kernel
# they fail at once, so a zip that lost its plugin scores them 0 rather than trusting the kernel.
TRAIN_ENV = "WGANLAB_RUN_CONVERGENCE"
INFO: list[str] = []  # what the isolated process reports beside the scores (results' "output")


def _trains_here(question: str) -> None:
    if os.environ.get(TRAIN_ENV) != "1":
        raise AssertionError(
            f"{question} is graded in an isolated process by the autograder's plugin "
            "(wganlab.course.guard.GradingGuard), not in the notebook's kernel; without that plugin it scores 0")


# ---------------------------------------------------------------- inputs from fixed seeds
def _simplex(rng, n, zeros=0):
    p = rng.uniform(0.05, 1.0, size=n)
    if zeros:
        p[rng.choice(n, zeros, replace=False)] = 0.0
    return p / p.sum()


def cases_divergence():
    """Pairs (p, q) of discrete distributions, some with zeros in p (q > 0 everywhere)."""
    rng = np.random.default_rng(2017)
    return [(_simplex(rng, n, z), _simplex(rng, n)) for n, z in [(2, 0), (5, 0), (8, 2), (16, 5), (64, 0)]]


def cases_wasserstein_1d():
    """(u_values, v_values, u_weights, v_weights) tuples; weights None or unnormalised."""
    rng = np.random.default_rng(1701)
    cases = []
    for n, m, weighted in [(5, 5, False), (7, 3, False), (50, 80, False), (6, 9, True), (40, 40, True)]:
        u, v = rng.normal(0.0, 1.0, n), rng.normal(0.7, 2.0, m)
        uw, vw = (rng.uniform(0.1, 3.0, n), rng.uniform(0.1, 3.0, m)) if weighted else (None, None)
        cases.append((u, v, uw, vw))
    return cases


CASES_THETA = [-2.5, -1.0, -0.3, 1e-3, 0.5, 4.0]


def cases_scores():
    """(real, fake) score arrays of shapes (batch, 1) and (batch,), float32, from fixed seeds."""
    rng = np.random.default_rng(1704)
    cases = []
    for shape in [(64, 1), (64,), (7, 1), (256,)]:
        real = rng.normal(1.0, 2.0, size=shape).astype("float32")
        fake = rng.normal(-0.5, 3.0, size=shape).astype("float32")
        cases.append((real, fake))
    # Extreme logits: a saturated discriminator must not produce inf or NaN.
    big = np.array([[100.0], [-100.0], [60.0], [-60.0]], dtype="float32")
    cases.append((big, -big))
    cases.append((-big, big))
    return cases


def seeded_critic(input_shape, seed, hidden=16):
    """An MLP critic whose weights come from numpy (identical under every Keras backend)."""
    from wganlab import models

    critic = models.mlp_critic(input_shape, hidden=hidden)
    rng = np.random.default_rng(seed)
    for v in critic.trainable_variables:
        v.assign(rng.normal(0.0, 0.5, size=tuple(v.shape)).astype("float32"))
    return critic


def cases_penalty():
    """(input_shape, critic seed, real, fake, alpha) with alpha of shape (batch, 1, ...)."""
    rng = np.random.default_rng(1706)
    cases = []
    for shape, batch in [((4,), 16), ((6, 6, 1), 8), ((2,), 64)]:
        real = rng.normal(size=(batch, *shape)).astype("float32")
        fake = rng.normal(0.5, 1.5, size=(batch, *shape)).astype("float32")
        alpha = rng.uniform(size=(batch,) + (1,) * len(shape)).astype("float32")
        cases.append((shape, int(rng.integers(1 << 30)), real, fake, alpha))
    return cases


def cases_input_gradients():
    """(input_shape, critic seed, x) for critic_input_gradients: vectors and image-shaped samples."""
    rng = np.random.default_rng(1708)
    return [(shape, int(rng.integers(1 << 30)), rng.normal(size=(batch, *shape)).astype("float32"))
            for shape, batch in [((3,), 5), ((4, 4, 1), 6)]]


TRAIN_STEP_LATENT = 5


def cases_train_step():
    """(sample shape, seed, real, z, alpha, lam): real (n_critic, batch, ...), z (n_critic + 1, batch, latent)."""
    rng = np.random.default_rng(1709)
    cases = []
    for shape, batch, n_critic, lam in [((4,), 8, 3, 10.0), ((3, 3, 1), 4, 2, 1.0)]:
        real = rng.normal(size=(n_critic, batch, *shape)).astype("float32")
        z = rng.normal(size=(n_critic + 1, batch, TRAIN_STEP_LATENT)).astype("float32")
        alpha = rng.uniform(size=(n_critic, batch) + (1,) * len(shape)).astype("float32")
        cases.append((shape, int(rng.integers(1 << 30)), real, z, alpha, lam))
    return cases


def seeded_pair(shape, seed):
    """A small MLP generator and critic with numpy-seeded weights, and plain SGD optimizers for both."""
    import keras

    from wganlab import models

    generator = models.mlp_generator(shape, latent_dim=TRAIN_STEP_LATENT, hidden=8)
    rng = np.random.default_rng(seed)
    for v in generator.trainable_variables:
        v.assign(rng.normal(0.0, 0.4, size=tuple(v.shape)).astype("float32"))
    critic = seeded_critic(shape, seed + 1, hidden=8)
    g_opt, c_opt = keras.optimizers.SGD(learning_rate=0.05), keras.optimizers.SGD(learning_rate=0.05)
    g_opt.build(generator.trainable_variables)
    c_opt.build(critic.trainable_variables)
    return generator, critic, g_opt, c_opt


def _run_train_step(fn, case):
    """What one call of ``train_step`` does to seeded models: losses, weights after, update counts."""
    shape, seed, real, z, alpha, lam = case
    generator, critic, g_opt, c_opt = seeded_pair(shape, seed)
    out = fn(generator, critic, g_opt, c_opt, _tensor(real), _tensor(z), _tensor(alpha), lam)
    assert isinstance(out, (tuple, list)) and len(out) == 2, (
        f"train_step must return a pair (critic_loss, generator_loss), got {type(out).__name__}"
        + (" (hint: the stub returns None: fill in the body and end it with `return c_loss, g_loss`)" if out is None else ""))
    c_loss, g_loss = (_scalar(v, "train_step's losses") for v in out)
    return {"critic_loss": c_loss, "generator_loss": g_loss,
            "generator": [_np(v).tolist() for v in generator.trainable_variables],
            "critic": [_np(v).tolist() for v in critic.trainable_variables],
            "g_updates": int(_np(g_opt.iterations)), "c_updates": int(_np(c_opt.iterations))}


# ---------------------------------------------------------------- expected values
def _np(x):
    from keras import ops

    return np.asarray(ops.convert_to_numpy(x), dtype=np.float64)


def _penalty_and_grads(fn, case):
    """Value of ``fn(critic, real, fake, alpha)`` and its gradients w.r.t. the critic's kernels."""
    from wganlab import autodiff

    shape, seed, real, fake, alpha = case
    critic = seeded_critic(shape, seed)
    real, fake, alpha = _tensor(real), _tensor(fake), _tensor(alpha)
    value, grads = autodiff.value_and_grad(lambda: fn(critic, real, fake, alpha), critic.trainable_variables)
    kernels = [_np(g) for g, v in zip(grads, critic.trainable_variables) if len(v.shape) == 2]
    return float(_np(value)), kernels


def _input_gradients_and_grads(fn, case):
    """``fn(critic, x)`` and the gradient of sum(fn(critic, x)^2) w.r.t. the critic's kernels."""
    from wganlab import autodiff

    shape, seed, x = case
    critic = seeded_critic(shape, seed, hidden=8)
    got = fn(critic, _tensor(x))
    assert got is not None, ("critic_input_gradients returned None (hint: is its body still the stub, and "
                             "does it end with `return tape.gradient(...)`?)")
    got = _np(got)
    assert got.shape == x.shape, f"critic_input_gradients must return the shape of x, {x.shape}; got {got.shape}"
    try:
        _, grads = autodiff.value_and_grad(lambda: _sum_sq(fn(critic, _tensor(x))), critic.trainable_variables)
        kernels = [_np(g).tolist() for g, v in zip(grads, critic.trainable_variables) if len(v.shape) == 2]
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
        out["critic_loss"] = [float(_np(ref.critic_loss(r, f))) for r, f in cases_scores()]
    if "discriminator_loss" in names:
        out["discriminator_loss"] = [float(_np(ref.discriminator_loss(r, f))) for r, f in cases_scores()]
        out["generator_loss"] = [float(_np(ref.generator_loss(f))) for _, f in cases_scores()]
        out["wgan_generator_loss"] = [float(_np(ref.wgan_generator_loss(f))) for _, f in cases_scores()]
    if "critic_input_gradients" in names:
        out["critic_input_gradients"] = [_input_gradients_and_grads(ref.critic_input_gradients, c)
                                         for c in cases_input_gradients()]
    if "train_step" in names:
        out["train_step"] = [_run_train_step(ref.train_step, c) for c in cases_train_step()]
    if "gradient_penalty" in names:
        pens = [_penalty_and_grads(ref.gradient_penalty, c) for c in cases_penalty()]
        out["gradient_penalty"] = [v for v, _ in pens]
        out["gradient_penalty_grads"] = [[g.tolist() for g in grads] for _, grads in pens]
        out["critic_loss_gp"] = {
            str(lam): [_penalty_and_grads(lambda c, r, f, a: ref.critic_loss_gp(c, r, f, a, lam), case)[0]
                       for case in cases_penalty()]
            for lam in (10.0, 1.0)}
    return out


def load_expected() -> dict:
    """The expected values shipped beside this module."""
    path = Path(__file__).with_name(EXPECTED_FILE)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _close(got, want, what, rtol=1e-6, atol=1e-9):
    assert got is not None, f"{what}: the function returned None; did you fill in its body and return the result?"
    got = float(got)
    if math.isinf(want):
        assert math.isinf(got) and got > 0, f"{what}: expected +inf, got {got}"
        return
    assert math.isfinite(got), f"{what}: expected a finite number close to {want:.6g}, got {got}"
    assert abs(got - want) <= atol + rtol * abs(want), f"{what}: expected {want:.6g}, got {got:.6g}"


# ---------------------------------------------------------------- 01 divergences
def check_kl_divergence(kl_divergence):
    """KL values on seeded pairs, the q=0 case and p=q."""
    expected = load_expected()
    for i, ((p, q), want) in enumerate(zip(cases_divergence(), expected["kl"])):
        _close(kl_divergence(p, q), want, f"KL(p||q) for case {i} ({len(p)} outcomes)")
    for i, ((p, q), want) in enumerate(zip(cases_divergence(), expected["kl_reverse"])):
        _close(kl_divergence(q, p), want, f"KL(q||p) for case {i} (p has zeros where q does not)")
    p = np.array([0.5, 0.5, 0.0])
    _close(kl_divergence(p, p), 0.0, "KL(p||p)")
    _close(kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0])), math.inf, "KL where q=0 but p>0")


def check_js_divergence(js_divergence):
    """JS values on seeded pairs, symmetry, bounds and disjoint supports."""
    expected = load_expected()
    for i, ((p, q), want) in enumerate(zip(cases_divergence(), expected["js"])):
        _close(js_divergence(p, q), want, f"JS(p, q) for case {i}")
        _close(js_divergence(q, p), want, f"JS(q, p) for case {i} (JS is symmetric)")
    _close(js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0])), math.log(2), "JS of disjoint supports")
    _close(js_divergence(np.array([0.2, 0.8]), np.array([0.2, 0.8])), 0.0, "JS(p, p)")


def check_wasserstein_1d(wasserstein_1d):
    """W1 against the reference (== scipy.stats.wasserstein_distance) with and without weights."""
    expected = load_expected()
    for i, ((u, v, uw, vw), want) in enumerate(zip(cases_wasserstein_1d(), expected["w1d"])):
        what = f"W1 case {i} ({len(u)} vs {len(v)} points{', weighted' if uw is not None else ''})"
        _close(wasserstein_1d(u, v, uw, vw), want, what, rtol=1e-6, atol=1e-9)
    _close(wasserstein_1d(np.array([0.0, 1.0]), np.array([5.0, 6.0])), 5.0, "W1 of a shift by 5")


def check_example1_distances(example1_distances):
    """KL=inf, JS=log 2, W=|theta| for theta != 0, all zero at theta = 0."""
    for theta in CASES_THETA:
        d = example1_distances(theta)
        assert set(d) >= {"kl", "js", "w"}, f"example1_distances must return keys 'kl', 'js', 'w'; got {sorted(d)}"
        _close(d["kl"], math.inf, f"KL at theta={theta}")
        _close(d["js"], math.log(2), f"JS at theta={theta}")
        _close(d["w"], abs(theta), f"W at theta={theta}")
    d = example1_distances(0.0)
    for key in ("kl", "js", "w"):
        _close(d[key], 0.0, f"{key} at theta=0")


# ---------------------------------------------------------------- 02 and 03: losses and clipping
def _tensor(x):
    from keras import ops

    return ops.convert_to_tensor(x)


def _scalar(value, what):
    assert value is not None, f"{what} returned None; did you fill in its body and return the result?"
    arr = _np(value)
    assert arr.size == 1, f"{what} must return a scalar (one number), got shape {arr.shape}"
    return float(arr.reshape(()))


def _check_loss_values(fn, name, args_of, rtol=1e-5, atol=1e-4):
    expected = load_expected()[name]
    for i, (case, want) in enumerate(zip(cases_scores(), expected)):
        got = _scalar(fn(*[_tensor(a) for a in args_of(case)]), name)
        shape = case[0].shape
        _close(got, want, f"{name} on case {i} (scores of shape {shape})", rtol=rtol, atol=atol)


def _check_mean_not_sum(fn, name, args_of):
    case = cases_scores()[0]
    once = _scalar(fn(*[_tensor(a) for a in args_of(case)]), name)
    twice = _scalar(fn(*[_tensor(np.concatenate([a, a])) for a in args_of(case)]), name)
    assert abs(once - twice) <= 1e-4 * max(1.0, abs(once)), (
        f"{name} changed from {once:.5g} to {twice:.5g} when the batch was repeated twice: "
        "average over the batch (mean), do not sum")


def _check_differentiable(fn, name, args_of, which):
    """The loss must be built from tensor operations so that gradients flow through it."""
    from wganlab import autodiff

    case = [_tensor(a) for a in args_of(cases_scores()[0])]

    def partial(x):
        args = list(case)
        args[which] = x
        return fn(*args)

    grad = _np(autodiff.input_gradients(partial, case[which]))
    assert np.isfinite(grad).all() and np.abs(grad).sum() > 0, (
        f"{name} has no usable gradient with respect to its input {which + 1}: use keras.ops (or "
        "TensorFlow) operations on the tensors, not numpy or float() conversions")


def check_critic_loss(critic_loss):
    """mean(fake) - mean(real): values, sign, shapes, mean not sum, gradient."""
    args = lambda c: (c[0], c[1])  # noqa: E731
    _close(_scalar(critic_loss(_tensor(np.ones((4, 1), "float32")), _tensor(np.zeros((4, 1), "float32"))),
                   "critic_loss"), -1.0, "critic_loss(real=1, fake=0) (the critic minimises mean(fake) - mean(real))")
    _check_loss_values(critic_loss, "critic_loss", args)
    _check_mean_not_sum(critic_loss, "critic_loss", args)
    _check_differentiable(critic_loss, "critic_loss", args, 0)


def check_clip_weights(clip_weights):
    """Every trainable variable (kernels and biases) clipped in place to [-c, c]; returns None.

    Behaviour only: a numpy implementation is as right as a keras.ops one (the trainers run a
    constraint that cannot be compiled eagerly).
    """
    from keras import ops

    for c in (0.01, 0.05):
        critic = seeded_critic((5,), seed=7)
        for v in critic.trainable_variables:  # make every bias exceed c as well
            v.assign(ops.convert_to_numpy(v) * 0.2 + (0.5 if len(v.shape) == 1 else 0.0))
        before = [ops.convert_to_numpy(v).copy() for v in critic.trainable_variables]
        result = clip_weights(critic, c)
        assert result is None, f"clip_weights must modify the model in place and return None, got {type(result)}"
        for v, old in zip(critic.trainable_variables, before):
            new = ops.convert_to_numpy(v)
            kind = "bias" if len(v.shape) == 1 else "kernel"
            assert np.abs(new).max() <= c + 1e-7, (
                f"{kind} {v.path} has values up to {np.abs(new).max():.3g} after clip_weights(model, {c}): "
                "every trainable variable, biases included, must lie in [-c, c]")
            np.testing.assert_allclose(new, np.clip(old, -c, c), atol=1e-7,
                                       err_msg=f"{kind} {v.path}: values inside [-c, c] must stay unchanged")


def check_discriminator_loss(discriminator_loss):
    """Binary cross-entropy from logits: values, extreme logits, mean not sum, gradient."""
    args = lambda c: (c[0], c[1])  # noqa: E731
    _check_loss_values(discriminator_loss, "discriminator_loss", args)
    _check_mean_not_sum(discriminator_loss, "discriminator_loss", args)
    _check_differentiable(discriminator_loss, "discriminator_loss", args, 1)


def check_generator_loss(generator_loss):
    """Non-saturating generator loss mean(softplus(-fake)): values, extremes, mean, gradient."""
    args = lambda c: (c[1],)  # noqa: E731
    _check_loss_values(generator_loss, "generator_loss", args)
    _check_mean_not_sum(generator_loss, "generator_loss", args)
    _check_differentiable(generator_loss, "generator_loss", args, 0)


def check_wgan_generator_loss(wgan_generator_loss):
    """-mean(fake): values, sign, mean not sum, gradient."""
    args = lambda c: (c[1],)  # noqa: E731
    _check_loss_values(wgan_generator_loss, "wgan_generator_loss", args)
    _check_mean_not_sum(wgan_generator_loss, "wgan_generator_loss", args)
    _check_differentiable(wgan_generator_loss, "wgan_generator_loss", args, 0)


# ---------------------------------------------------------------- 04: gradient penalty
def require_tensorflow(question):
    """Assignment 04 asks for tf.GradientTape, so it is graded under the TensorFlow backend only."""
    import keras

    backend = keras.backend.backend()
    assert backend == "tensorflow", (
        f"{question} is graded under the TensorFlow backend only (assignment 04 asks for tf.GradientTape), but "
        f"this grader runs Keras on {backend!r}: instructors, regrade assignment 04 with KERAS_BACKEND=tensorflow "
        "(README, 'Backends'). No submission is judged under another backend.")


def check_critic_input_gradients(critic_input_gradients):
    """Per-sample input gradients of seeded MLP critics, and their own gradient (double backprop)."""
    require_tensorflow("critic_input_gradients")
    for i, (case, want) in enumerate(zip(cases_input_gradients(), load_expected()["critic_input_gradients"])):
        got = _input_gradients_and_grads(critic_input_gradients, case)
        shape = case[2].shape
        np.testing.assert_allclose(np.asarray(got["value"]), np.asarray(want["value"]), rtol=1e-4, atol=1e-5, err_msg=(
            f"critic_input_gradients on x of shape {shape} differs from the gradient of sum(critic(x)) with "
            "respect to x (row i must be the gradient of sample i's score)"))
        for j, (g, w) in enumerate(zip(got["kernel_grads"], want["kernel_grads"])):
            g, w = np.asarray(g), np.asarray(w)
            assert np.abs(g).max() > 0 or np.abs(w).max() == 0, (
                f"x of shape {shape}: the returned gradients do not depend on the critic's weights any more "
                f"(kernel {j + 1}): they must stay differentiable (no stop_gradient, numpy or .numpy()), or "
                "the penalty cannot train the critic")
            np.testing.assert_allclose(g, w, rtol=2e-3, atol=1e-4, err_msg=(
                f"x of shape {shape}: the gradient of sum(g^2) with respect to kernel {j + 1} of the critic "
                "differs from the reference (double backpropagation)"))


def check_sample_alpha(sample_alpha):
    """Shape (batch, 1, ...), one U[0, 1) value per sample, seeded, fresh values from a SeedGenerator."""
    import keras

    for batch, shape in [(7, (4,)), (5, (6, 6, 1)), (4096, (2,))]:
        got = sample_alpha(batch, shape, 3)
        assert got is not None, "sample_alpha returned None (hint: is its body still the stub?)"
        got = _np(got)
        want = (batch,) + (1,) * len(shape)
        assert got.shape == want, (
            f"sample_alpha({batch}, {shape}, seed) must have shape {want}, one value per sample broadcastable "
            f"over the sample's axes; got {got.shape}")
        assert got.min() >= 0.0 and got.max() <= 1.0, (
            f"sample_alpha's values must lie in [0, 1] (uniform), got values from {got.min():.3g} to {got.max():.3g}")
        assert len(np.unique(got)) > batch // 2, (
            f"sample_alpha({batch}, ...) drew only {len(np.unique(got))} distinct values: draw one alpha per sample")
    assert abs(got.mean() - 0.5) < 0.03 and abs(got.var() - 1 / 12) < 0.01, (
        f"4096 draws of sample_alpha have mean {got.mean():.3f} and variance {got.var():.4f}; U[0, 1] has 0.5 "
        "and 1/12 = 0.0833: draw from the uniform distribution")
    assert np.array_equal(_np(sample_alpha(64, (3,), 11)), _np(sample_alpha(64, (3,), 11))), (
        "sample_alpha with the same integer seed must return the same values: pass seed to keras.random.uniform")
    seeds = keras.random.SeedGenerator(5)
    a, b = _np(sample_alpha(64, (3,), seeds)), _np(sample_alpha(64, (3,), seeds))
    assert not np.array_equal(a, b), (
        "two calls with the same keras.random.SeedGenerator returned the same alpha: pass the seed argument "
        "through to keras.random.uniform(..., seed=seed) so every training step draws fresh values")


def check_train_step(train_step):
    """n_critic critic updates then one generator update: update counts, losses and weights after one call."""
    from wganlab import autodiff

    require_tensorflow("train_step")
    for i, (case, want) in enumerate(zip(cases_train_step(), load_expected()["train_step"])):
        n_critic = case[2].shape[0]
        got = _run_train_step(train_step, case)
        where = f"train_step with n_critic = {n_critic} (real of shape {case[2].shape}, lam = {case[5]})"
        assert got["c_updates"] == n_critic, (
            f"{where} applied the critic optimizer {got['c_updates']} times: update the critic once per real batch")
        assert got["g_updates"] == 1, (
            f"{where} applied the generator optimizer {got['g_updates']} times: update the generator once, after "
            "the critic loop (not inside it)")
        for name, rtol in (("critic", 1e-3), ("generator", 1e-3)):
            for j, (g, w) in enumerate(zip(got[name], want[name])):
                np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=rtol, atol=1e-5, err_msg=(
                    f"{where}: the {name}'s weights (variable {j + 1}) after the step differ from the reference. "
                    + ("Critic update i must use real[i], generator(z[i]) and alpha[i] with critic_loss_gp(..., lam)"
                       if name == "critic" else
                       "The generator update must use z[-1], the critic after all its updates, and the loss "
                       "-mean(critic(generator(z[-1])))")))
        _close(got["critic_loss"], want["critic_loss"], f"{where}: the critic loss returned (of the last critic update)",
               rtol=1e-3, atol=1e-4)
        _close(got["generator_loss"], want["generator_loss"], f"{where}: the generator loss returned", rtol=1e-3,
               atol=1e-4)
    # The step must also run compiled, as the trainer runs it.
    shape, seed, real, z, alpha, lam = cases_train_step()[0]
    generator, critic, g_opt, c_opt = seeded_pair(shape, seed)
    state = [*generator.variables, *critic.variables, *g_opt.variables, *c_opt.variables]
    step = autodiff.compile_step(lambda r, zz, a: train_step(generator, critic, g_opt, c_opt, r, zz, a, lam), state)
    try:
        out = step(_tensor(real), _tensor(z), _tensor(alpha))
        losses = [_scalar(v, "train_step's losses") for v in out]
    except AssertionError:
        raise
    except Exception as exc:  # noqa: BLE001 - turned into a message
        raise AssertionError(f"train_step fails inside a compiled step (tf.function): {type(exc).__name__}: "
                             f"{str(exc)[:300]}. Keep it to tensor operations (no .numpy(), float() or numpy)") from exc
    assert all(math.isfinite(v) for v in losses), f"train_step compiled returned non-finite losses {losses}"


def check_gradient_penalty(gradient_penalty):
    """Values, per-sample norms, image-shaped inputs and gradients w.r.t. the critic's kernels."""
    require_tensorflow("gradient_penalty")
    expected = load_expected()
    for i, (case, want, want_grads) in enumerate(zip(cases_penalty(), expected["gradient_penalty"],
                                                     expected["gradient_penalty_grads"])):
        value, grads = _penalty_and_grads(gradient_penalty, case)
        shape = case[2].shape
        _close(value, want, f"gradient_penalty on inputs of shape {shape}", rtol=1e-4, atol=1e-5)
        for j, (g, w) in enumerate(zip(grads, want_grads)):
            w = np.asarray(w)
            assert np.abs(g).max() > 0 or np.abs(w).max() == 0, (
                f"the penalty's gradient with respect to the critic's weights is zero (kernel {j + 1}, "
                f"inputs {shape}): the penalty must stay differentiable (no stop_gradient, numpy or "
                "float() in it), or the critic is never pushed towards slope 1")
            np.testing.assert_allclose(g, w, rtol=2e-3, atol=1e-4, err_msg=(
                f"gradient of the penalty with respect to kernel {j + 1} of the critic (inputs {shape}) "
                "differs from the reference"))
    _check_zero_gradient(gradient_penalty)


def _check_zero_gradient(gradient_penalty):
    """Where the critic's input gradient is 0, the penalty's weight gradients must stay finite (epsilon)."""
    from wganlab import autodiff

    critic = seeded_critic((3,), seed=4)
    for v in critic.trainable_variables:
        v.assign(np.zeros(tuple(v.shape), "float32"))
    x = _tensor(np.ones((4, 3), "float32"))
    alpha = _tensor(np.full((4, 1), 0.5, "float32"))
    value, grads = autodiff.value_and_grad(lambda: gradient_penalty(critic, x, x, alpha), critic.trainable_variables)
    _close(_scalar(value, "gradient_penalty"), 1.0, "gradient_penalty of a critic with zero weights (slope 0)",
           rtol=1e-4, atol=1e-5)
    assert all(np.isfinite(_np(g)).all() for g in grads), (
        "where the critic's input gradient is 0 the penalty's gradient with respect to the weights is NaN: the "
        "derivative of sqrt at 0 is infinite; add a small epsilon such as 1e-12 under the square root")


def check_critic_loss_gp(critic_loss_gp):
    """critic_loss + lam * gradient_penalty, with lam honoured."""
    require_tensorflow("critic_loss_gp")
    expected = load_expected()["critic_loss_gp"]
    for lam in (10.0, 1.0):
        for i, (case, want) in enumerate(zip(cases_penalty(), expected[str(lam)])):
            shape, seed, real, fake, alpha = case
            critic = seeded_critic(shape, seed)
            got = _scalar(critic_loss_gp(critic, _tensor(real), _tensor(fake), _tensor(alpha), lam), "critic_loss_gp")
            _close(got, want, f"critic_loss_gp with lam={lam} on inputs of shape {real.shape}", rtol=1e-4, atol=1e-5)
    # Gradients: the loss must stay differentiable, penalty included (no float(), numpy or
    # stop_gradient). Its gradient w.r.t. the critic's kernels, minus that of the Wasserstein
    # term, must be lam times the penalty's gradient (the expected values of gradient_penalty).
    from keras import ops

    from wganlab import autodiff

    lam = 10.0
    for case, want_grads in zip(cases_penalty(), load_expected()["gradient_penalty_grads"]):
        shape, seed, real, fake, alpha = case
        critic = seeded_critic(shape, seed)
        real, fake, alpha = _tensor(real), _tensor(fake), _tensor(alpha)
        try:
            _, grads = autodiff.value_and_grad(lambda: critic_loss_gp(critic, real, fake, alpha, lam),
                                               critic.trainable_variables)
            grads = [_np(g) for g in grads]
        except Exception as exc:
            raise AssertionError(
                f"critic_loss_gp (inputs {real.shape}) cannot be differentiated with respect to the critic's "
                f"weights ({type(exc).__name__}: {str(exc)[:200]}): build it from tensor operations, "
                "no float() or numpy") from exc
        _, w_grads = autodiff.value_and_grad(lambda: ops.mean(critic(fake)) - ops.mean(critic(real)),
                                             critic.trainable_variables)
        kernels = [g - _np(wg) for g, wg, v in zip(grads, w_grads, critic.trainable_variables) if len(v.shape) == 2]
        for j, (g, w) in enumerate(zip(kernels, want_grads)):
            np.testing.assert_allclose(g, lam * np.asarray(w), rtol=2e-3, atol=1e-3, err_msg=(
                f"critic_loss_gp (inputs {real.shape}): its gradient with respect to kernel {j + 1} of the "
                "critic, minus that of mean(f(fake)) - mean(f(real)), is not lam times the gradient of the "
                "penalty: the penalty term must stay differentiable (no stop_gradient, numpy or float())"))


# ---------------------------------------------------------------- convergence (short trainings)
# Thresholds from the seed sweeps recorded in NOTES.md ("Convergence thresholds"): the reference
# passes on every seed swept, each broken implementation listed there fails on every one.
GRADING_SEED = 2017
MNIST = {"w1_ratio_max": 0.6, "diversity_min": 0.5, "digit_fraction_min": 0.8, "clip": 0.01}
FACES = {"w1_ratio_max": 0.9, "grad_norm_range": (0.5, 1.6)}
ESTIMATOR = {"pearson_min": 0.8, "thetas": [-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0], "steps": 300}
FACES_CACHE = "celeba_gray32.npz"


def _report(r) -> str:
    parts = [f"W1 {r.w1_init:.1f} -> {r.w1_final:.1f} (ratio {r.w1_ratio:.2f})", f"diversity {r.diversity:.2f}"]
    if r.digit_fraction is not None:
        parts.append(f"target-digit fraction {r.digit_fraction:.2f}")
    if r.grad_norm is not None:
        parts.append(f"critic gradient norm at interpolates {r.grad_norm:.2f}")
    return f"{r.steps} generator steps on {r.data}: " + ", ".join(parts)


def check_mnist_wgan_convergence(critic_loss, wgan_generator_loss, clip_weights):
    """A WGAN with the student's functions learns one MNIST digit (seeded, short)."""
    from wganlab.course import convergence

    _trains_here("wgan_convergence")
    r = convergence.mnist_wgan(critic_loss, wgan_generator_loss, clip_weights, seed=GRADING_SEED,
                               clip=MNIST["clip"])
    summary = _report(r)
    assert r.max_abs_critic_weight <= MNIST["clip"] + 1e-6, (
        f"{summary}. After training the critic holds values up to {r.max_abs_critic_weight:.3g}, above "
        f"c = {MNIST['clip']}: clip_weights must clip every trainable variable, biases included")
    assert r.w1_ratio <= MNIST["w1_ratio_max"], (
        f"{summary}. W1 should fall below {MNIST['w1_ratio_max']:.0%} of its initial value: check the "
        "signs of critic_loss (mean(fake) - mean(real)) and wgan_generator_loss (-mean(fake))")
    assert r.diversity >= MNIST["diversity_min"], (
        f"{summary}. The samples are nearly identical (collapsed generator)")
    assert r.digit_fraction >= MNIST["digit_fraction_min"], (
        f"{summary}. Too few samples look like the target digit")


FACES_ENV = "WGANLAB_CELEBA"


def faces_data():
    """(images, label) for 04's convergence question: faces from ``$WGANLAB_CELEBA`` (a 32x32 cache on the
    grading machine), else celeba_gray32.npz beside this module (``wganlab build 04 --celeba``), else MNIST."""
    from wganlab.course import convergence

    env = os.environ.get(FACES_ENV, "").strip()
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{FACES_ENV}={env} names no file: point it at a 32x32 cache from "
                                    "`wganlab prepare-celeba SRC --out FILE --size 32`, or unset it")
        return convergence.faces(path)
    cache = Path(__file__).with_name(FACES_CACHE)
    return convergence.faces(cache if cache.is_file() else None)


def _faces_note(label: str, n: int) -> str:
    """One line for the results: what the WGAN-GP convergence question trained on (information, no points)."""
    source = os.environ.get(FACES_ENV, "").strip() and "the grading machine's cache" or "the autograder zip"
    if label == "celeba":
        return f"wgan_gp_convergence trained on {n} grayscale CelebA faces (32x32) from {source}."
    return ("wgan_gp_convergence trained on MNIST digits: this autograder has no CelebA cache (instructors: "
            f"set {FACES_ENV} on the grading machine or `wganlab grade --celeba FILE`). No points depend on which.")


def check_wgan_gp_convergence(train_step, sample_alpha):
    """A WGAN-GP trained by the student's own train_step (and sample_alpha, critic_loss_gp) makes
    progress and holds the critic's slope near 1."""
    from wganlab.course import convergence

    _trains_here("wgan_gp_convergence")
    require_tensorflow("wgan_gp_convergence")
    images, label = faces_data()
    note = _faces_note(label, len(images))
    if note not in INFO:
        INFO.append(note)
    r = convergence.faces_wgan_gp_own_step(train_step, sample_alpha, images, label, seed=GRADING_SEED)
    summary = _report(r)
    lo, hi = FACES["grad_norm_range"]
    assert r.w1_ratio <= FACES["w1_ratio_max"], (
        f"{summary}. W1 should fall below {FACES['w1_ratio_max']:.0%} of its initial value: check the sign "
        "of the Wasserstein term, mean(critic(fake)) - mean(critic(real))")
    assert lo <= r.grad_norm <= hi, (
        f"{summary}. The penalty should hold the critic's gradient norm near 1 at interpolates (between "
        f"{lo} and {hi}): is the penalty differentiable with respect to the critic's weights, and is it "
        "(||grad|| - 1)^2 with the norm per sample?")


def check_estimator(critic_loss, clip_weights, seed=GRADING_SEED):
    """Critics trained with the student's functions estimate a curve shaped like the exact W."""
    from wganlab import estimator

    _trains_here("estimator")
    thetas = ESTIMATOR["thetas"]
    config = estimator.CriticConfig(kind="clip", steps=ESTIMATOR["steps"], seed=seed)
    est = estimator.estimate_curve("parallel_lines", thetas, 0.0, estimator.clipped_objective(critic_loss),
                                   config, constraint=lambda critic: clip_weights(critic, config.clip))
    values = ", ".join(f"{t:+.2f}: {e:.2g}" for t, e in zip(thetas, est.estimates))
    assert np.isfinite(est.estimates).all(), f"the critic's estimates are not finite: {values}"
    assert est.kappa > 0, (f"the estimates fall as W grows (kappa = {est.kappa:.3g}); the critic should "
                           f"maximise mean(real) - mean(fake). Estimates by theta: {values}")
    assert est.pearson >= ESTIMATOR["pearson_min"], (
        f"the estimates correlate with the exact W only at {est.pearson:.2f} (need {ESTIMATOR['pearson_min']}). "
        f"Estimates by theta: {values}")
    assert int(np.argmin(est.estimates)) == thetas.index(0.0), (
        f"the estimate should be smallest at theta0 = 0; estimates by theta: {values}")
