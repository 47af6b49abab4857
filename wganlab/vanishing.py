"""The generator's gradient through a discriminator (or critic) trained longer and longer.

"The discriminator is too good" (Arjovsky & Bottou 2017, section 2.2; EECS 182's GAN homework):
train a discriminator against a *fixed* generator and the gradient that reaches the generator's
weights through the minimax loss log(1 - D(G(z))) vanishes as D learns to reject the fakes. The
non-saturating loss -log D(G(z)) and a WGAN critic's -f(G(z)) are the two repairs. This module
measures ||grad_theta L_G||_2 (over all generator weights, on a fixed batch of z) after k critic
updates, for the course's own losses and optimizers (:mod:`wganlab.train`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import keras
import numpy as np
from keras import ops

from wganlab import autodiff, train

__all__ = ["minimax_generator_loss", "GradientNorms", "generator_gradient_norm", "gradient_norms_while_critic_trains"]


def minimax_generator_loss(fake_logits):
    """Goodfellow et al.'s saturating generator loss mean(log(1 - sigmoid(l))) = -mean(softplus(l)): (batch, 1) -> scalar."""
    return -ops.mean(ops.softplus(fake_logits))


def generator_gradient_norm(generator: keras.Model, critic: keras.Model, generator_loss: Callable, z) -> float:
    """||grad_theta generator_loss(critic(generator(z)))||_2 over every trainable generator weight; z (batch, latent_dim)."""
    _, grads = autodiff.value_and_grad(lambda: generator_loss(critic(generator(z, training=False))),
                                       generator.trainable_variables)
    return float(np.sqrt(sum(float(ops.convert_to_numpy(ops.sum(ops.square(g)))) for g in grads)))


@dataclass
class GradientNorms:
    """After ``steps[i]`` critic updates (K,): each generator loss's gradient norm (K,) and the mean fake score (K,)."""

    steps: np.ndarray
    norms: dict[str, np.ndarray]
    fake_score: np.ndarray  # mean critic(G(z)) on the measuring batch: a logit for a GAN discriminator


def _checkpoints(checkpoints: Sequence[int]) -> list[int]:
    """Sorted distinct step counts >= 0, or a ValueError saying what was expected."""
    try:
        steps = [int(k) for k in checkpoints]
    except (TypeError, ValueError):
        raise ValueError(f"checkpoints must be integers >= 0 (critic updates), got {checkpoints!r}") from None
    if not steps or any(k < 0 or k != s for k, s in zip(steps, checkpoints)) or steps != sorted(set(steps)):
        raise ValueError(f"checkpoints must be a non-empty increasing list of integers >= 0, got {list(checkpoints)!r}")
    return steps


def gradient_norms_while_critic_trains(
    generator: keras.Model,
    critic: keras.Model,
    data: Any,
    objectives: train.Objectives,
    generator_losses: Mapping[str, Callable],
    checkpoints: Sequence[int] = (0, 10, 100, 1000),
    config: train.TrainConfig | None = None,
    n_z: int = 256,
) -> GradientNorms:
    """Train ``critic`` alone (``objectives.critic`` and its constraint, ``config``'s optimizer and batch)
    against the fixed ``generator`` on ``data`` (N, *sample_shape), measuring every generator loss's
    gradient norm at each checkpoint (critic updates done) on one fixed batch of ``n_z`` latent vectors.

    The generator's weights never change; ``config.seed`` seeds the batches and the measuring z. A
    critic with a constraint (weight clipping) has it applied once before the first measurement.
    """
    config = config or train.gan_config()
    train.check_config(config)
    steps = _checkpoints(checkpoints)
    if not generator_losses:
        raise ValueError("generator_losses is empty: give at least one name -> generator_loss(fake_scores)")
    data = train.check_data(data, critic)
    n_data, batch = int(data.shape[0]), config.batch_size
    latent = int(generator.input_shape[-1])
    opt = train.make_optimizer(config)
    opt.build(critic.trainable_variables)
    seeds = keras.random.SeedGenerator(config.seed)
    inline = train.constraint_runs_compiled(objectives, critic, config)

    def update(data):
        real = ops.take(data, keras.random.randint((batch,), 0, n_data, seed=seeds), axis=0)
        fake = ops.stop_gradient(generator(keras.random.normal((batch, latent), seed=seeds), training=False))
        alpha = keras.random.uniform((batch,) + (1,) * (len(real.shape) - 1), seed=seeds)
        loss, grads = autodiff.value_and_grad(lambda: objectives.critic(critic, real, fake, alpha),
                                              critic.trainable_variables)
        opt.apply(grads, critic.trainable_variables)
        if inline and objectives.constraint is not None:
            objectives.constraint(critic)
        return loss

    step = autodiff.compile_step(update, [*critic.variables, *opt.variables, seeds.state],
                                 compiled=config.compiled, jit_compile=config.jit_compile)
    if objectives.constraint is not None:  # a clipped critic starts inside its box, as after any update
        objectives.constraint(critic)
    z = ops.convert_to_tensor(np.random.default_rng(config.seed).standard_normal((n_z, latent)).astype("float32"))
    norms: dict[str, list[float]] = {name: [] for name in generator_losses}
    fake_score, done = [], 0
    for k in steps:
        for _ in range(k - done):
            loss = step(data)
            if not inline and objectives.constraint is not None:
                objectives.constraint(critic)
        if k > done and not np.isfinite(float(ops.convert_to_numpy(loss))):
            raise train.TrainingDiverged(f"the critic loss became {float(ops.convert_to_numpy(loss))} by critic update {k} "
                                         f"({objectives.name} objectives); check the loss for log(0) or a sign error")
        done = k
        for name, loss_fn in generator_losses.items():
            norms[name].append(generator_gradient_norm(generator, critic, loss_fn, z))
        fake_score.append(float(ops.convert_to_numpy(ops.mean(critic(generator(z, training=False))))))
    return GradientNorms(np.asarray(steps), {k: np.asarray(v) for k, v in norms.items()}, np.asarray(fake_score))
