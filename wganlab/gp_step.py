"""Drive a WGAN-GP training step that the student wrote (assignment 04).

The student's ``train_step(generator, critic, g_opt, c_opt, real, z, alpha, lam)`` takes all its
randomness as arguments (``n_critic`` real batches, ``n_critic + 1`` noise batches, ``n_critic``
alpha batches), so the autograder can check its result value by value; this module samples those
inputs on the device (alpha with the student's own ``sample_alpha``), compiles the whole step and
loops, returning the same :class:`wganlab.train.TrainResult` as the library's trainer.
"""

from __future__ import annotations

import time
from typing import Callable

import keras
import numpy as np
from keras import ops

from wganlab import autodiff, train


def adam_pair(lr: float = 1e-4, beta_1: float = 0.0, beta_2: float = 0.9):
    """Generator and critic optimizers with the WGAN-GP paper's Adam settings (lr, beta_1, beta_2)."""
    return (keras.optimizers.Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2),
            keras.optimizers.Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2))


def _data(data, critic) -> tuple:
    array = np.asarray(data, dtype="float32")
    want = tuple(critic.input_shape[1:])
    if array.ndim < 2 or tuple(array.shape[1:]) != want or len(array) == 0:
        raise ValueError(f"real data must have shape (N, {', '.join(map(str, want))}) with N > 0 to match the "
                         f"critic's input, got {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("real data contains NaN or infinite values; check how it was loaded and scaled")
    return ops.convert_to_tensor(array), want


def train_with_step(
    generator: keras.Model, critic: keras.Model, data, train_step: Callable, sample_alpha: Callable, *,
    steps: int, n_critic: int = 5, batch_size: int = 64, lam: float = 10.0, seed: int = 0,
    lr: float = 1e-4, beta_1: float = 0.0, beta_2: float = 0.9, compiled: bool = True, log_every: int = 50,
) -> train.TrainResult:
    """Train ``generator`` and ``critic`` in place for ``steps`` calls of the student's ``train_step``.

    ``data`` is (N, *sample_shape); each call gets real (n_critic, batch, *sample_shape), z
    (n_critic + 1, batch, latent_dim) and alpha from ``sample_alpha(batch, sample_shape, seed)``
    stacked to (n_critic, batch, 1, ...). Raises :class:`wganlab.train.TrainingDiverged` at the
    first NaN/inf loss.
    """
    if steps < 0 or n_critic < 1 or batch_size < 1 or log_every < 1:
        raise ValueError(f"steps >= 0, n_critic >= 1, batch_size >= 1 and log_every >= 1 needed, got "
                         f"steps={steps}, n_critic={n_critic}, batch_size={batch_size}, log_every={log_every}")
    data, shape = _data(data, critic)
    n_data, latent = int(data.shape[0]), int(generator.input_shape[-1])
    g_opt, c_opt = adam_pair(lr, beta_1, beta_2)
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
    run = autodiff.compile_step(step, variables, compiled=compiled)
    history: dict[str, list[float]] = {k: [] for k in train.HISTORY_KEYS}
    start, done = time.perf_counter(), 0
    while done < steps:
        chunk = min(log_every, steps - done)
        rows = np.asarray([[float(ops.convert_to_numpy(v)) for v in run(data)] for _ in range(chunk)])
        bad = ~np.isfinite(rows)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise train.TrainingDiverged(
                f"{train.HISTORY_KEYS[col].replace('_', ' ')} became {rows[row, col]} at generator step "
                f"{done + row + 1} (your train_step); check critic_loss_gp and the signs of both losses")
        for col, key in enumerate(train.HISTORY_KEYS):
            history[key].extend(rows[:, col].tolist())
        done += chunk
    seconds = time.perf_counter() - start
    return train.TrainResult({k: np.asarray(v, dtype=np.float64) for k, v in history.items()}, done, seconds)
