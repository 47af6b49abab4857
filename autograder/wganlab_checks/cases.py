"""Inputs from fixed seeds: the cases every check runs, which the build also runs on the reference.

Models here get their weights from numpy, so a case is the same under every Keras backend.
"""

from __future__ import annotations

import numpy as np

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

