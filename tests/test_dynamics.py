"""wganlab.dynamics and the plots of assignment 03's new figures."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from wganlab import dynamics, plots


def test_simultaneous_gda_spirals_out_at_the_predicted_rate():
    path = dynamics.bilinear_gda(1.0, 0.5, lr=0.1, steps=50)
    radius = np.linalg.norm(path, axis=1)
    np.testing.assert_allclose(radius[1:] / radius[:-1], dynamics.bilinear_radius_growth(0.1), rtol=1e-12)
    assert radius[-1] > 1.2 * radius[0]


def test_alternating_gda_stays_bounded_and_does_not_converge():
    radius = np.linalg.norm(dynamics.bilinear_gda(1.0, 0.0, lr=0.1, steps=2000, alternating=True), axis=1)
    assert radius.max() < 1.2 and radius[-200:].min() > 0.8


def test_first_step_follows_the_gradients():
    # f = x*y at (1, 2): df/dx = 2 (x descends), df/dy = 1 (y ascends).
    np.testing.assert_allclose(dynamics.bilinear_gda(1.0, 2.0, lr=0.5, steps=1)[1], [0.0, 2.5])


def test_generator_loss_gradients_match_finite_differences():
    l = np.linspace(-10, 10, 41)
    h = 1e-5
    sat = lambda x: np.log1p(-dynamics.sigmoid(x))  # noqa: E731
    non = lambda x: -np.log(dynamics.sigmoid(x))  # noqa: E731
    g = dynamics.generator_loss_gradients(l)
    np.testing.assert_allclose(g["saturating"], (sat(l + h) - sat(l - h)) / (2 * h), atol=1e-5)
    np.testing.assert_allclose(g["non_saturating"], (non(l + h) - non(l - h)) / (2 * h), atol=1e-5)
    # The point of the comparison: a confidently rejected fake.
    assert abs(g["saturating"][0]) < 1e-4 and g["non_saturating"][0] < -0.999


def test_sigmoid_is_stable_for_extreme_logits():
    s = dynamics.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert np.isfinite(s).all() and s[0] == 0.0 and s[1] == 0.5 and s[2] == 1.0


@pytest.mark.parametrize("bad", [dict(lr=0.0), dict(lr=float("nan")), dict(steps=-1), dict(steps=2.5)])
def test_bad_arguments_are_explained(bad):
    with pytest.raises(ValueError, match="lr|steps"):
        dynamics.bilinear_gda(**{"lr": 0.1, "steps": 3, **bad})


def test_new_plots_build_figures(tmp_path):
    fig = plots.estimate_against_w1(np.linspace(3, 1, 100), [25, 50, 75, 100], [20, 15, 12, 11],
                                    floor=5.8, path=tmp_path / "a.png")
    assert isinstance(fig, Figure) and (tmp_path / "a.png").stat().st_size > 0
    assert "r = 0.9" in fig.axes[1].get_title()
    assert isinstance(plots.bilinear_phase({"sim": dynamics.bilinear_gda(steps=10)}), Figure)
    l = np.linspace(-5, 5, 11)
    assert isinstance(plots.generator_loss_gradients(l, {"a": -dynamics.sigmoid(l)}), Figure)


def test_new_plots_reject_bad_input():
    with pytest.raises(ValueError, match="checkpoint_steps"):
        plots.estimate_against_w1(np.ones(10), [5, 20], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        plots.bilinear_phase({"x": np.ones((5, 3))})
