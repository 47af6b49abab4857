"""wganlab.toy_critics and plots.toy_critic_contours (04's clipping-against-penalty section)."""

import numpy as np
import pytest
from keras import ops

import reference_fns as ref
from wganlab import metrics, plots
from wganlab import toy_critics as T


def test_clipped_critic_stays_in_the_box_and_penalised_one_gets_slope_near_one():
    clip = T.train_toy_critic(T.ToyConfig(kind="clip", steps=30, batch_size=64, hidden=16))
    worst = max(float(np.abs(ops.convert_to_numpy(v)).max()) for v in clip.critic.trainable_variables)
    assert worst <= 0.01 + 1e-7
    gp = T.train_toy_critic(T.ToyConfig(kind="gp", steps=300, batch_size=64, hidden=16, lr=1e-3),
                            penalty=ref.gradient_penalty)
    assert abs(metrics.interpolate_grad_norm(gp.critic, gp.real, gp.fake) - 1.0) < 0.3
    assert metrics.interpolate_grad_norm(clip.critic, clip.real, clip.fake) < 0.1
    assert np.isfinite(gp.losses).all() and len(gp.losses) == 300


def test_samples_are_seeded_and_the_fake_ones_are_noisy_copies():
    a, b = T.toy_samples(T.ToyConfig(seed=3)), T.toy_samples(T.ToyConfig(seed=3))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert a[1].std() > a[0].std()  # noise of std 1 on top of the same distribution
    with pytest.raises(ValueError, match="dataset must be one of"):
        T.toy_samples(T.ToyConfig(dataset="moons"))
    with pytest.raises(ValueError, match="kind must be"):
        T.train_toy_critic(T.ToyConfig(kind="spectral"))
    with pytest.raises(ValueError, match="penalty=gradient_penalty"):  # the library ships no penalty
        T.train_toy_critic(T.ToyConfig(kind="gp"))


def test_quadratic_r2_is_one_for_a_quadratic_and_low_for_a_checkerboard():
    xs = np.linspace(-3, 3, 41)
    gx, gy = np.meshgrid(xs, xs)
    assert T.quadratic_r2(xs, xs, 1 + gx - 2 * gx * gy + gy ** 2) == pytest.approx(1.0)
    assert T.quadratic_r2(xs, xs, np.sign(np.sin(3 * gx) * np.sin(3 * gy))) < 0.1


def test_contour_plot_has_one_panel_per_critic_and_rejects_bad_shapes(tmp_path):
    xs = np.linspace(-3, 3, 11)
    values = np.add.outer(xs, xs)
    pts = np.zeros((5, 2))
    fig = plots.toy_critic_contours([("a", xs, xs, values, pts, pts), ("b", xs, xs, -values, pts, pts)],
                                    path=tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 0
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["a", "b"]
    with pytest.raises(ValueError, match="values must have shape"):
        plots.toy_critic_contours([("a", xs, xs, values[:, :3], pts, pts)])
    with pytest.raises(ValueError, match="at least one panel"):
        plots.toy_critic_contours([])
