"""Assignment 04's WGAN-GP step in the Keras idiom: a ``keras.Model`` whose ``train_step`` calls it,
trained by ``fit`` with callbacks.

keras.io's WGAN-GP example writes the whole critic loop inside ``train_step(self, data)``. Here
``train_step`` only draws the step's random inputs (noise, and alpha with the student's
``sample_alpha``) and calls a step function with the signature of 04's graded ``train_step``
(``step(generator, critic, g_opt, c_opt, real, z, alpha, lam) -> (critic_loss, generator_loss)``),
so the loop a student wrote and value-checked is the one ``fit`` runs.

Backends: under TensorFlow and PyTorch Keras calls ``train_step(data)`` and the step updates the
variables in place. Under JAX Keras requires a pure ``train_step(state, data) -> (logs, state)``;
the stateful step runs there through :func:`wganlab.autodiff.run_stateless`, so it must take its
gradients with :mod:`wganlab.autodiff` (a step written with ``tf.GradientTape``, as 04 asks,
runs under TensorFlow only).
"""

from __future__ import annotations

from typing import Callable

import keras
import numpy as np
from keras import ops

from wganlab import autodiff, train


class StepWGAN(keras.Model):
    """A generator and a critic that ``fit`` trains by calling ``step`` once per fit step.

    Each fit step receives (n_critic * batch_size, *sample_shape) real images (:func:`real_batches`),
    draws z (n_critic + 1, batch_size, latent_dim) and alpha (n_critic, batch_size, 1, ...) from
    ``sample_alpha(batch_size, sample_shape, seed_generator)``, and calls ``step``. The optimizers
    default to the WGAN-GP paper's Adam (lr 1e-4, beta 0 and 0.9), one each.
    """

    def __init__(self, generator: keras.Model, critic: keras.Model, step: Callable, sample_alpha: Callable, *,
                 n_critic: int = 5, batch_size: int = 64, lam: float = 10.0, seed: int = 0,
                 g_optimizer: keras.optimizers.Optimizer | None = None,
                 c_optimizer: keras.optimizers.Optimizer | None = None, name: str = "step_wgan"):
        if int(n_critic) < 1 or int(batch_size) < 1:
            raise ValueError(f"n_critic and batch_size must be at least 1, got {n_critic} and {batch_size}")
        super().__init__(name=name)
        self.generator, self.critic = generator, critic
        self.step, self.sample_alpha = step, sample_alpha
        self.n_critic, self.batch_size, self.lam = int(n_critic), int(batch_size), float(lam)
        self.latent_dim = int(generator.input_shape[-1])
        self.sample_shape = tuple(critic.input_shape[1:])
        self.seed_generator = keras.random.SeedGenerator(seed)
        paper = train.wgan_gp_config()
        self.g_optimizer = g_optimizer or train.make_optimizer(paper)
        self.c_optimizer = c_optimizer or train.make_optimizer(paper)
        # Built now: variables an optimizer creates on its first call inside a compiled step
        # would not be part of the state that fit threads through it.
        self.g_optimizer.build(generator.trainable_variables)
        self.c_optimizer.build(critic.trainable_variables)
        # Keras's JAX trainer threads one optimizer's state (self.optimizer: the critic's, set in
        # compile); tracked as model state, the generator's optimizer's variables travel too.
        self.g_optimizer_state = list(self.g_optimizer.variables)
        self.built = True

    def compile(self, **kwargs):
        """``keras.Model.compile`` with the critic's optimizer as the model's; no loss (``step`` has its own)."""
        if keras.backend.backend() != "jax":
            # TensorFlow: XLA's compile time outweighs its gain on CPU (NOTES.md); PyTorch:
            # torch.compile cannot run the penalty's double backward. JAX always jits.
            kwargs.setdefault("jit_compile", False)
        super().compile(optimizer=self.c_optimizer, **kwargs)

    def train_step(self, *args):
        """One ``step`` call: ``train_step(data)`` (TensorFlow, PyTorch) or ``train_step(state, data)`` (JAX)."""
        if keras.backend.backend() != "jax":
            return self._step(args[-1])
        state, data = args
        pools = (self.trainable_variables, self.non_trainable_variables, self.optimizer.variables,
                 self.metrics_variables)
        variables = [v for pool in pools for v in pool]
        logs, values = autodiff.run_stateless(self._step, variables, [x for part in state for x in part], data)
        new_state, start = [], 0
        for pool in pools:
            new_state.append(values[start:start + len(pool)])
            start += len(pool)
        return logs, tuple(new_state)

    def _step(self, data):
        real = keras.utils.unpack_x_y_sample_weight(data)[0]
        batch, shape = self.batch_size, self.sample_shape
        real = ops.reshape(real, (self.n_critic, batch, *shape))
        z = keras.random.normal((self.n_critic + 1, batch, self.latent_dim), seed=self.seed_generator)
        alpha = ops.stack([ops.reshape(self.sample_alpha(batch, shape, self.seed_generator), (batch,) + (1,) * len(shape))
                           for _ in range(self.n_critic)])
        c_loss, g_loss = self.step(self.generator, self.critic, self.g_optimizer, self.c_optimizer,
                                   real, z, alpha, self.lam)
        return {"critic_loss": c_loss, "generator_loss": g_loss}


class RealBatches(keras.utils.PyDataset):
    """``steps`` batches of (n_critic * batch_size, *sample_shape) real images for ``fit``, drawn
    with replacement from ``images``; batch ``i`` is the same on every call (seeded by (seed, i))."""

    def __init__(self, images, steps: int, batch_size: int = 64, n_critic: int = 5, seed: int = 0):
        super().__init__()
        self.images = np.asarray(images, dtype="float32")
        if self.images.ndim < 2 or len(self.images) == 0 or not np.isfinite(self.images).all():
            raise ValueError(f"images must be a non-empty finite array (N, *sample_shape), got shape "
                             f"{self.images.shape}")
        if int(steps) < 1:
            raise ValueError(f"steps must be at least 1, got {steps}")
        self.steps, self.size, self.seed = int(steps), int(batch_size) * int(n_critic), int(seed)

    @property
    def num_batches(self):
        """Fit steps per epoch."""
        return self.steps

    def __getitem__(self, index):
        # Keyed by the index, not drawn in call order: Keras may fetch a batch twice (TensorFlow
        # peeks at the first one to learn the dtype and shape).
        rng = np.random.default_rng([self.seed, int(index)])
        return self.images[rng.integers(0, len(self.images), size=self.size)]


class SampleGrids(keras.callbacks.Callback):
    """Every ``every`` fit steps (counted over epochs), the generator's images (n, *sample_shape)
    for one fixed noise batch: appended to ``grids`` as (step, images) and passed to ``show(step, images)``."""

    def __init__(self, every: int, n: int = 16, seed: int = 0, show: Callable | None = None):
        super().__init__()
        if int(every) < 1 or int(n) < 1:
            raise ValueError(f"every and n must be at least 1, got {every} and {n}")
        self.every, self.n, self.seed, self.show = int(every), int(n), seed, show
        self.grids: list[tuple[int, np.ndarray]] = []
        self.steps = 0

    def on_train_begin(self, logs=None):
        """Draw the fixed noise batch (n, latent_dim)."""
        latent = int(self.model.generator.input_shape[-1])
        self.z = np.random.default_rng(self.seed).normal(size=(self.n, latent)).astype("float32")

    def on_train_batch_end(self, batch, logs=None):
        """Count the step; every ``every`` steps, generate and show."""
        self.steps += 1
        if self.steps % self.every == 0:
            images = ops.convert_to_numpy(self.model.generator(self.z, training=False))
            self.grids.append((self.steps, images))
            if self.show is not None:
                self.show(self.steps, images)
