"""Checks of assignment 04: input gradients, alpha, the gradient penalty and the train step."""

from __future__ import annotations

import math

import numpy as np

from .cases import cases_input_gradients, cases_penalty, cases_train_step, seeded_critic, seeded_pair
from .compare import close, scalar, to_numpy, to_tensor
from .expected import input_gradients_and_grads, load_expected, penalty_and_grads, run_train_step


def require_tensorflow(question):
    """Assignment 04 asks for tf.GradientTape, so it is graded under the TensorFlow backend only."""
    import keras

    backend = keras.backend.backend()
    assert backend == "tensorflow", (
        f"{question} is graded under the TensorFlow backend only (assignment 04 asks for tf.GradientTape), but "
        f"this grader runs Keras on {backend!r}: instructors, regrade assignment 04 with KERAS_BACKEND=tensorflow "
        "(README, 'Backends'). No submission is judged under another backend.")


def compare_kernel_grads(got, want, vanished: str, differs: str) -> None:
    """Each kernel gradient (a list of arrays) against the reference's; messages name ``{kernel}`` (1-based).

    A gradient that is all zero where the reference's is not gets ``vanished``: that is a cut
    graph (stop_gradient, numpy), not a numerical difference.
    """
    for j, (g, w) in enumerate(zip(got, want)):
        g, w = np.asarray(g), np.asarray(w)
        assert np.abs(g).max() > 0 or np.abs(w).max() == 0, vanished.format(kernel=j + 1)
        np.testing.assert_allclose(g, w, rtol=2e-3, atol=1e-4, err_msg=differs.format(kernel=j + 1))


def check_critic_input_gradients(critic_input_gradients):
    """Per-sample input gradients of seeded MLP critics, and their own gradient (double backprop)."""
    require_tensorflow("critic_input_gradients")
    for i, (case, want) in enumerate(zip(cases_input_gradients(), load_expected()["critic_input_gradients"])):
        got = input_gradients_and_grads(critic_input_gradients, case)
        shape = case[2].shape
        np.testing.assert_allclose(np.asarray(got["value"]), np.asarray(want["value"]), rtol=1e-4, atol=1e-5, err_msg=(
            f"critic_input_gradients on x of shape {shape} differs from the gradient of sum(critic(x)) with "
            "respect to x (row i must be the gradient of sample i's score)"))
        compare_kernel_grads(
            got["kernel_grads"], want["kernel_grads"],
            vanished=(f"x of shape {shape}: the returned gradients do not depend on the critic's weights any more "
                      "(kernel {kernel}): they must stay differentiable (no stop_gradient, numpy or .numpy()), or "
                      "the penalty cannot train the critic"),
            differs=(f"x of shape {shape}: the gradient of sum(g^2) with respect to kernel {{kernel}} of the critic "
                     "differs from the reference (double backpropagation)"))


def check_sample_alpha(sample_alpha):
    """Shape (batch, 1, ...), one U[0, 1) value per sample, seeded, fresh values from a SeedGenerator."""
    import keras

    for batch, shape in [(7, (4,)), (5, (6, 6, 1)), (4096, (2,))]:
        got = sample_alpha(batch, shape, 3)
        assert got is not None, "sample_alpha returned None (hint: is its body still the stub?)"
        got = to_numpy(got)
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
    assert np.array_equal(to_numpy(sample_alpha(64, (3,), 11)), to_numpy(sample_alpha(64, (3,), 11))), (
        "sample_alpha with the same integer seed must return the same values: pass seed to keras.random.uniform")
    seeds = keras.random.SeedGenerator(5)
    a, b = to_numpy(sample_alpha(64, (3,), seeds)), to_numpy(sample_alpha(64, (3,), seeds))
    assert not np.array_equal(a, b), (
        "two calls with the same keras.random.SeedGenerator returned the same alpha: pass the seed argument "
        "through to keras.random.uniform(..., seed=seed) so every training step draws fresh values")


def check_train_step(train_step):
    """n_critic critic updates then one generator update: update counts, losses and weights after one call."""
    from wganlab import autodiff

    require_tensorflow("train_step")
    for i, (case, want) in enumerate(zip(cases_train_step(), load_expected()["train_step"])):
        n_critic = case[2].shape[0]
        got = run_train_step(train_step, case)
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
        close(got["critic_loss"], want["critic_loss"], f"{where}: the critic loss returned (of the last critic update)",
              rtol=1e-3, atol=1e-4)
        close(got["generator_loss"], want["generator_loss"], f"{where}: the generator loss returned", rtol=1e-3,
              atol=1e-4)
    # The step must also run compiled, as the trainer runs it.
    shape, seed, real, z, alpha, lam = cases_train_step()[0]
    generator, critic, g_opt, c_opt = seeded_pair(shape, seed)
    state = [*generator.variables, *critic.variables, *g_opt.variables, *c_opt.variables]
    step = autodiff.compile_step(lambda r, zz, a: train_step(generator, critic, g_opt, c_opt, r, zz, a, lam), state)
    try:
        out = step(to_tensor(real), to_tensor(z), to_tensor(alpha))
        losses = [scalar(v, "train_step's losses") for v in out]
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
        value, grads = penalty_and_grads(gradient_penalty, case)
        shape = case[2].shape
        close(value, want, f"gradient_penalty on inputs of shape {shape}", rtol=1e-4, atol=1e-5)
        compare_kernel_grads(
            grads, want_grads,
            vanished=("the penalty's gradient with respect to the critic's weights is zero (kernel {kernel}, "
                      f"inputs {shape}): the penalty must stay differentiable (no stop_gradient, numpy or "
                      "float() in it), or the critic is never pushed towards slope 1"),
            differs=(f"gradient of the penalty with respect to kernel {{kernel}} of the critic (inputs {shape}) "
                     "differs from the reference"))
    _check_zero_gradient(gradient_penalty)


def _check_zero_gradient(gradient_penalty):
    """Where the critic's input gradient is 0, the penalty's weight gradients must stay finite (epsilon)."""
    from wganlab import autodiff

    critic = seeded_critic((3,), seed=4)
    for v in critic.trainable_variables:
        v.assign(np.zeros(tuple(v.shape), "float32"))
    x = to_tensor(np.ones((4, 3), "float32"))
    alpha = to_tensor(np.full((4, 1), 0.5, "float32"))
    value, grads = autodiff.value_and_grad(lambda: gradient_penalty(critic, x, x, alpha), critic.trainable_variables)
    close(scalar(value, "gradient_penalty"), 1.0, "gradient_penalty of a critic with zero weights (slope 0)",
          rtol=1e-4, atol=1e-5)
    assert all(np.isfinite(to_numpy(g)).all() for g in grads), (
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
            got = scalar(critic_loss_gp(critic, to_tensor(real), to_tensor(fake), to_tensor(alpha), lam), "critic_loss_gp")
            close(got, want, f"critic_loss_gp with lam={lam} on inputs of shape {real.shape}", rtol=1e-4, atol=1e-5)
    # Gradients: the loss must stay differentiable, penalty included (no float(), numpy or
    # stop_gradient). Its gradient w.r.t. the critic's kernels, minus that of the Wasserstein
    # term, must be lam times the penalty's gradient (the expected values of gradient_penalty).
    from keras import ops

    from wganlab import autodiff

    lam = 10.0
    for case, want_grads in zip(cases_penalty(), load_expected()["gradient_penalty_grads"]):
        shape, seed, real, fake, alpha = case
        critic = seeded_critic(shape, seed)
        real, fake, alpha = to_tensor(real), to_tensor(fake), to_tensor(alpha)
        try:
            _, grads = autodiff.value_and_grad(lambda: critic_loss_gp(critic, real, fake, alpha, lam),
                                               critic.trainable_variables)
            grads = [to_numpy(g) for g in grads]
        except Exception as exc:
            raise AssertionError(
                f"critic_loss_gp (inputs {real.shape}) cannot be differentiated with respect to the critic's "
                f"weights ({type(exc).__name__}: {str(exc)[:200]}): build it from tensor operations, "
                "no float() or numpy") from exc
        _, w_grads = autodiff.value_and_grad(lambda: ops.mean(critic(fake)) - ops.mean(critic(real)),
                                             critic.trainable_variables)
        kernels = [g - to_numpy(wg) for g, wg, v in zip(grads, w_grads, critic.trainable_variables) if len(v.shape) == 2]
        for j, (g, w) in enumerate(zip(kernels, want_grads)):
            np.testing.assert_allclose(g, lam * np.asarray(w), rtol=2e-3, atol=1e-3, err_msg=(
                f"critic_loss_gp (inputs {real.shape}): its gradient with respect to kernel {j + 1} of the "
                "critic, minus that of mean(f(fake)) - mean(f(real)), is not lam times the gradient of the "
                "penalty: the penalty term must stay differentiable (no stop_gradient, numpy or float())"))

