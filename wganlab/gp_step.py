"""Drive a WGAN-GP training step that the student wrote (assignment 04).

The student's ``train_step(generator, critic, g_opt, c_opt, real, z, alpha, lam)`` takes all its
randomness as arguments (``n_critic`` real batches, ``n_critic + 1`` noise batches, ``n_critic``
alpha batches), so the autograder can check its result value by value; this module samples those
inputs on the device (alpha with the student's own ``sample_alpha``), compiles the whole step and
runs it with the library trainer's loop, data check and WGAN-GP optimizers
(:mod:`wganlab.train`), returning the same :class:`wganlab.train.TrainResult`.
"""

from __future__ import annotations

from typing import Callable

import keras
from keras import ops

from wganlab import autodiff, train

ADVICE = "(your train_step); check critic_loss_gp and the signs of both losses"


def train_with_step(
    generator: keras.Model, critic: keras.Model, data, train_step: Callable, sample_alpha: Callable, *,
    steps: int, n_critic: int = 5, batch_size: int = 64, lam: float = 10.0, seed: int = 0,
    compiled: bool = True, log_every: int = 50,
) -> train.TrainResult:
    """Train ``generator`` and ``critic`` in place for ``steps`` calls of the student's ``train_step``,
    with the WGAN-GP paper's Adam (:func:`wganlab.train.wgan_gp_config`).

    ``data`` is (N, *sample_shape); each call gets real (n_critic, batch, *sample_shape), z
    (n_critic + 1, batch, latent_dim) and alpha from ``sample_alpha(batch, sample_shape, seed)``
    stacked to (n_critic, batch, 1, ...). Raises :class:`wganlab.train.TrainingDiverged` at the
    first NaN/inf loss.
    """
    config = train.wgan_gp_config(steps=steps, n_critic=n_critic, batch_size=batch_size, seed=seed,
                                  compiled=compiled, log_every=log_every, progress=False)
    train.check_config(config)
    data = train.check_data(data, critic)
    shape = tuple(critic.input_shape[1:])
    n_data, latent = int(data.shape[0]), int(generator.input_shape[-1])
    g_opt, c_opt = train.make_optimizer(config), train.make_optimizer(config)
    # Built here: variables created on a compiled step's first trace would not be its state.
    g_opt.build(generator.trainable_variables)
    c_opt.build(critic.trainable_variables)
    seeds = keras.random.SeedGenerator(seed)

    def step(data):
        idx = keras.random.randint((n_critic * batch_size,), 0, n_data, seed=seeds)
        real = ops.reshape(ops.take(data, idx, axis=0), (n_critic, batch_size, *shape))
        z = keras.random.normal((n_critic + 1, batch_size, latent), seed=seeds)
        alpha = ops.stack([ops.reshape(sample_alpha(batch_size, shape, seeds), (batch_size,) + (1,) * len(shape))
                           for _ in range(n_critic)])
        c_loss, g_loss = train_step(generator, critic, g_opt, c_opt, real, z, alpha, lam)
        # The critic's Kantorovich-Rubinstein gap on the last batch, as the library's trainer logs it.
        w_est = ops.mean(critic(real[-1])) - ops.mean(critic(generator(z[-1])))
        return tuple(ops.cast(ops.reshape(ops.convert_to_tensor(v), ()), "float32") for v in (c_loss, g_loss, w_est))

    variables = [*generator.variables, *critic.variables, *g_opt.variables, *c_opt.variables, seeds.state]
    run = autodiff.compile_step(step, variables, compiled=compiled, jit_compile=config.jit_compile)
    return train.run_steps(run, data, config, ADVICE)
