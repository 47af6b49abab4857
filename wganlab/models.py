"""Generators and critics used by the assignments.

- The fully connected pair from the seed experiments: two hidden layers of 100 ReLU units and a
  linear output, for MNIST and the 2-D toy distributions.
- A DCGAN-style convolutional pair for 32x32 and 64x64 grayscale faces. The critic has no batch
  normalisation: the gradient penalty is defined per sample, and batch norm would couple the
  samples of a batch (Gulrajani et al. 2017, section 4).
"""

from __future__ import annotations

import math
import random
from typing import Sequence, Union

import keras
from keras import layers

Seed = Union[int, random.Random, None]


def init_seeds(seed: int) -> random.Random:
    """A local stream of initialiser seeds for several models: pass it as ``seed=`` to each builder.

    It draws what Keras draws for unseeded initialisers after ``keras.utils.set_random_seed(seed)``
    (``randint(1, 10**9)`` from a Python ``random`` seeded with ``seed``), so models built from it
    have the weights the threshold sweeps in NOTES.md trained, without touching global state.
    """
    return random.Random(seed)


def _stream(seed: Seed) -> random.Random | None:
    if seed is None or isinstance(seed, random.Random):
        return seed
    return init_seeds(int(seed))


def _draw(stream: random.Random | None) -> int | None:
    """The next initialiser seed, or None (Keras's global stream) without a local stream."""
    return None if stream is None else stream.randint(1, int(1e9))


def _kernel_init(stream: random.Random | None):
    """Keras's default kernel initialiser (Glorot uniform), seeded from ``stream`` when there is one."""
    return keras.initializers.GlorotUniform(seed=_draw(stream))


def mlp_generator(
    output_shape: Sequence[int] = (28, 28, 1),
    latent_dim: int = 100,
    hidden: int = 100,
    depth: int = 2,
    name: str = "generator",
    seed: Seed = None,
    batch_norm: bool = False,
) -> keras.Model:
    """Fully connected generator: z (batch, latent_dim) -> samples (batch, *output_shape), linear.

    ``seed``: an int, a stream from :func:`init_seeds` shared with other models, or None for
    Keras's global stream. ``batch_norm`` normalises each hidden layer before its ReLU (the
    robustness comparison of assignment 03); it draws nothing from ``seed``, so the Dense
    layers start from the same weights with and without it."""
    stream = _stream(seed)
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i in range(depth):
        # Without batch norm the layer stays a Dense with its ReLU inside, as graded models were built.
        h = layers.Dense(hidden, activation=None if batch_norm else "relu", name=f"hidden_{i + 1}",
                         kernel_initializer=_kernel_init(stream))(h)
        if batch_norm:
            h = layers.ReLU(name=f"hidden_{i + 1}_relu")(layers.BatchNormalization(name=f"hidden_{i + 1}_bn")(h))
    out = layers.Dense(math.prod(output_shape), name="out", kernel_initializer=_kernel_init(stream))(h)
    out = layers.Reshape(tuple(output_shape), name="sample")(out)
    return keras.Model(z, out, name=name)


def mlp_critic(
    input_shape: Sequence[int] = (28, 28, 1),
    hidden: int = 100,
    depth: int = 2,
    name: str = "critic",
    seed: Seed = None,
) -> keras.Model:
    """Fully connected critic/discriminator: x (batch, *input_shape) -> score (batch, 1), linear.

    ``seed`` as in :func:`mlp_generator`."""
    stream = _stream(seed)
    x = keras.Input(tuple(input_shape), name="x")
    h = layers.Flatten()(x) if len(input_shape) > 1 else x
    for i in range(depth):
        h = layers.Dense(hidden, activation="relu", name=f"hidden_{i + 1}", kernel_initializer=_kernel_init(stream))(h)
    out = layers.Dense(1, name="score", kernel_initializer=_kernel_init(stream))(h)
    return keras.Model(x, out, name=name)


# Image size -> (side of the smallest feature map, stride-2 layers): 28x28 MNIST digits start from
# 7x7, so the digits need no padding to a power of two and two layers instead of three.
_DCGAN_PLANS = {28: (7, 2), 32: (4, 3), 64: (4, 4)}


def _check_size(size: int) -> tuple[int, int]:
    if size not in _DCGAN_PLANS:
        raise ValueError(f"DCGAN models are built for 28x28, 32x32 or 64x64 images, got size={size!r}")
    return _DCGAN_PLANS[size]


def dcgan_generator(
    size: int = 64, latent_dim: int = 128, width: int = 32, name: str = "generator", seed: Seed = None,
    batch_norm: bool = False,
) -> keras.Model:
    """DCGAN generator: z (batch, latent_dim) -> images (batch, size, size, 1) in [-1, 1] (tanh); size 28, 32 or 64.

    ``seed`` as in :func:`mlp_generator`. ``batch_norm`` normalises every hidden layer, as DCGAN
    does (allowed in a WGAN-GP generator: the penalty is per sample only in the critic)."""
    base, n_up = _check_size(size)
    stream = _stream(seed)
    z = keras.Input((latent_dim,), name="z")
    channels = width * 2 ** (n_up - 1)
    h = layers.Dense(base * base * channels, name="project", kernel_initializer=_kernel_init(stream))(z)
    h = layers.ReLU()(layers.BatchNormalization(name="project_bn")(h) if batch_norm else h)
    h = layers.Reshape((base, base, channels))(h)
    for i in range(n_up - 1):
        channels //= 2
        h = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", name=f"up_{i + 1}",
                                   kernel_initializer=_kernel_init(stream))(h)
        h = layers.ReLU()(layers.BatchNormalization(name=f"up_{i + 1}_bn")(h) if batch_norm else h)
    out = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", name="image",
                                 kernel_initializer=_kernel_init(stream))(h)
    return keras.Model(z, out, name=name)


def dcgan_critic(size: int = 64, width: int = 32, name: str = "critic", seed: Seed = None) -> keras.Model:
    """DCGAN critic without batch norm: images (batch, size, size, 1) -> score (batch, 1), linear; size 28, 32 or 64.

    ``seed`` as in :func:`mlp_generator`."""
    _, n_down = _check_size(size)
    stream = _stream(seed)
    x = keras.Input((size, size, 1), name="x")
    h = x
    channels = width
    for i in range(n_down):
        h = layers.Conv2D(channels, 4, strides=2, padding="same", name=f"down_{i + 1}",
                          kernel_initializer=_kernel_init(stream))(h)
        h = layers.LeakyReLU(0.2)(h)
        channels *= 2
    h = layers.Flatten()(h)
    out = layers.Dense(1, name="score", kernel_initializer=_kernel_init(stream))(h)
    return keras.Model(x, out, name=name)


def mlp_pair(
    shape: Sequence[int] = (28, 28, 1), hidden: int = 100, seed: int = 0, batch_norm: bool = False,
) -> tuple[keras.Model, keras.Model]:
    """(generator, critic) of :func:`mlp_generator` and :func:`mlp_critic` for samples of ``shape``,
    initialised from one stream, :func:`init_seeds` (``seed``): generator first, as the sweeps built them.
    ``batch_norm`` goes to the generator only."""
    stream = init_seeds(seed)
    return (mlp_generator(shape, hidden=hidden, seed=stream, batch_norm=batch_norm),
            mlp_critic(shape, hidden=hidden, seed=stream))


def dcgan_pair(size: int = 64, seed: int = 0) -> tuple[keras.Model, keras.Model]:
    """(generator, critic) of :func:`dcgan_generator` and :func:`dcgan_critic`, from one stream (``seed``)."""
    stream = init_seeds(seed)
    return dcgan_generator(size=size, seed=stream), dcgan_critic(size=size, seed=stream)


class StackedDense(layers.Layer):
    """N independent Dense layers applied at once: x (N, batch, d_in) -> (N, batch, units).

    Member n's kernel is ``kernel[n]`` (d_in, units) and its bias ``bias[n, 0]`` (units,), so the
    members share no parameters and one optimizer step updates each as if it were alone.
    """

    def __init__(self, members: int, units: int, activation=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.members, self.units, self.seed = int(members), int(units), seed
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        d_in = int(input_shape[-1])
        # Glorot uniform over each member's (d_in, units): Keras's own initialiser would count
        # the leading members axis into the fans and draw too narrow a range.
        limit = math.sqrt(6.0 / (d_in + self.units))
        self.kernel = self.add_weight(shape=(self.members, d_in, self.units), name="kernel",
                                      initializer=keras.initializers.RandomUniform(-limit, limit, seed=self.seed))
        self.bias = self.add_weight(shape=(self.members, 1, self.units), name="bias", initializer="zeros")

    def call(self, x):
        return self.activation(keras.ops.einsum("nbi,nio->nbo", x, self.kernel) + self.bias)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "members": self.members, "units": self.units, "seed": self.seed,
                "activation": keras.activations.serialize(self.activation)}


def stacked_mlp_critic(
    members: int,
    input_dim: int,
    hidden: int = 100,
    depth: int = 2,
    name: str = "stacked_critic",
    seed: Seed = None,
) -> keras.Model:
    """``members`` independent MLP critics as one model: x (members, batch, input_dim) -> (members, batch, 1).

    Each member has :func:`mlp_critic`'s architecture for ``input_shape=(input_dim,)``; ``seed`` as
    in :func:`mlp_generator`.
    """
    stream = _stream(seed)
    x = keras.Input((None, int(input_dim)), batch_size=int(members), name="x")
    h = x
    for i in range(depth):
        h = StackedDense(members, hidden, activation="relu", name=f"hidden_{i + 1}", seed=_draw(stream))(h)
    out = StackedDense(members, 1, name="score", seed=_draw(stream))(h)
    return keras.Model(x, out, name=name)
