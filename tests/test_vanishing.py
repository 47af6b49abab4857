"""wganlab.vanishing: the generator's gradient norm while a discriminator or critic trains against a fixed generator."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from keras import ops

from wganlab import models, train, vanishing
import reference_fns as ref


def _np(x):
    return np.asarray(ops.convert_to_numpy(x), dtype=np.float64)


def test_minimax_loss_is_log_one_minus_sigmoid_and_saturates():
    logits = np.array([[-8.0], [0.0], [3.0]], dtype="float32")
    want = np.mean(np.log(1.0 - 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))))
    assert float(_np(vanishing.minimax_generator_loss(logits))) == pytest.approx(want, rel=1e-5)


def test_gradient_norm_of_a_linear_pair_matches_the_hand_computation():
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    critic = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    w = np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    critic.layers[0].kernel.assign(w)
    z = np.array([[1.0, 2.0], [3.0, -1.0]], dtype="float32")
    # L = -mean_i w . (A z_i + c): dL/dA = -w mean(z)^T (as Keras's (2, 3) kernel: -mean(z) w^T), dL/dc = -w
    grad_kernel, grad_bias = -np.outer(z.mean(axis=0), w[:, 0]), -w[:, 0]
    want = math.sqrt(np.sum(grad_kernel ** 2) + np.sum(grad_bias ** 2))
    assert vanishing.generator_gradient_norm(generator, critic, ref.wgan_generator_loss, z) == pytest.approx(want, rel=1e-5)


def _toy(seed=0):
    """A small 2x8 pair on 4-D data far from what the generator draws: the discriminator wins quickly."""
    stream = models.init_seeds(seed)
    generator = models.mlp_generator((4,), latent_dim=3, hidden=8, seed=stream)
    critic = models.mlp_critic((4,), hidden=8, seed=stream)
    real = np.random.default_rng(seed).normal(3.0, 0.1, size=(256, 4)).astype("float32")
    return generator, critic, real


def test_the_minimax_gradient_vanishes_and_the_generator_stays_fixed():
    generator, critic, real = _toy()
    before = [_np(v) for v in generator.trainable_variables]
    out = vanishing.gradient_norms_while_critic_trains(
        generator, critic, real, train.gan_objectives(ref.discriminator_loss, ref.generator_loss),
        {"minimax": vanishing.minimax_generator_loss, "non_saturating": ref.generator_loss}, (0, 200),
        train.gan_config(lr=1e-2, batch_size=32, progress=False), n_z=64)
    assert out.steps.tolist() == [0, 200] and set(out.norms) == {"minimax", "non_saturating"}
    assert out.fake_score[1] < out.fake_score[0] - 2  # the discriminator learned to reject the fakes
    assert out.norms["minimax"][1] < 0.2 * out.norms["minimax"][0]
    assert out.norms["non_saturating"][1] > out.norms["minimax"][1] * 5
    for b, v in zip(before, generator.trainable_variables):
        np.testing.assert_array_equal(b, _np(v))


def test_a_clipped_critic_starts_and_stays_inside_its_box():
    generator, critic, real = _toy(1)
    out = vanishing.gradient_norms_while_critic_trains(
        generator, critic, real, train.wgan_objectives(ref.critic_loss, ref.wgan_generator_loss, ref.clip_weights),
        {"wgan": ref.wgan_generator_loss}, (0, 5), train.wgan_config(batch_size=16, progress=False), n_z=16)
    assert out.norms["wgan"].shape == (2,) and np.all(out.norms["wgan"] > 0)
    assert max(np.abs(_np(v)).max() for v in critic.trainable_variables) <= 0.01 + 1e-7


@pytest.mark.parametrize("checkpoints, losses, match", [
    ((10, 0), {"g": ref.generator_loss}, "increasing"),
    ((0, -1), {"g": ref.generator_loss}, "increasing"),
    ((), {"g": ref.generator_loss}, "non-empty"),
    ((0, 1.5), {"g": ref.generator_loss}, "integers"),
    ((0, 1), {}, "generator_losses is empty"),
])
def test_wrong_inputs_say_what_was_expected(checkpoints, losses, match):
    generator, critic, real = _toy()
    with pytest.raises(ValueError, match=match):
        vanishing.gradient_norms_while_critic_trains(generator, critic, real, train.gan_objectives(
            ref.discriminator_loss, ref.generator_loss), losses, checkpoints, train.gan_config(progress=False))


def test_gradient_norms_plot_draws_one_log_scale_line_per_loss_and_refuses_zero(tmp_path):
    from wganlab import plots

    fig = plots.gradient_norms([0, 10, 100], {"a": [1.0, 0.1, 0.01], "b": [1.0, 2.0, 4.0]}, path=tmp_path / "g.png")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"] and ax.get_yscale() == "log"
    assert (tmp_path / "g.png").stat().st_size > 0
    with pytest.raises(ValueError, match="> 0"):
        plots.gradient_norms([0, 10], {"a": [1.0, 0.0]})
    with pytest.raises(ValueError, match="has 1 values but steps has 2"):
        plots.gradient_norms([0, 10], {"a": [1.0]})
