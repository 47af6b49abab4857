"""Checks of assignments 02 and 03: the GAN and WGAN losses and weight clipping."""

from __future__ import annotations

import numpy as np

from .cases import cases_scores, seeded_critic
from .compare import close, scalar, to_numpy, to_tensor
from .expected import load_expected


def _check_loss_values(fn, name, args_of, rtol=1e-5, atol=1e-4):
    expected = load_expected()[name]
    for i, (case, want) in enumerate(zip(cases_scores(), expected)):
        got = scalar(fn(*[to_tensor(a) for a in args_of(case)]), name)
        shape = case[0].shape
        close(got, want, f"{name} on case {i} (scores of shape {shape})", rtol=rtol, atol=atol)


def _check_mean_not_sum(fn, name, args_of):
    case = cases_scores()[0]
    once = scalar(fn(*[to_tensor(a) for a in args_of(case)]), name)
    twice = scalar(fn(*[to_tensor(np.concatenate([a, a])) for a in args_of(case)]), name)
    assert abs(once - twice) <= 1e-4 * max(1.0, abs(once)), (
        f"{name} changed from {once:.5g} to {twice:.5g} when the batch was repeated twice: "
        "average over the batch (mean), do not sum")


def _check_differentiable(fn, name, args_of, which):
    """The loss must be built from tensor operations so that gradients flow through it."""
    from wganlab import autodiff

    case = [to_tensor(a) for a in args_of(cases_scores()[0])]

    def partial(x):
        args = list(case)
        args[which] = x
        return fn(*args)

    grad = to_numpy(autodiff.input_gradients(partial, case[which]))
    assert np.isfinite(grad).all() and np.abs(grad).sum() > 0, (
        f"{name} has no usable gradient with respect to its input {which + 1}: use keras.ops (or "
        "TensorFlow) operations on the tensors, not numpy or float() conversions")


def check_critic_loss(critic_loss):
    """mean(fake) - mean(real): values, sign, shapes, mean not sum, gradient."""
    args = lambda c: (c[0], c[1])  # noqa: E731
    close(scalar(critic_loss(to_tensor(np.ones((4, 1), "float32")), to_tensor(np.zeros((4, 1), "float32"))),
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

