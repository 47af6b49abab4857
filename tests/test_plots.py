"""Tests for wganlab.plots: every function returns a Figure, writes a sensible PNG, rejects bad input.

PNGs go under tmp_path only.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from wganlab import plots

RNG = np.random.default_rng(0)


def png_size(path, min_bytes=2_000):
    assert path.is_file() and path.stat().st_size > min_bytes, f"{path} missing or nearly empty"
    with Image.open(path) as im:
        assert im.format == "PNG"
        return im.size


def distinct_colours(path) -> int:
    with Image.open(path) as im:
        return len(set(im.convert("RGB").getdata()))


# --------------------------------------------------------------------------------- sample grid


@pytest.mark.parametrize("shape", [(64, 28, 28, 1), (10, 28, 28), (7, 32, 32, 3)])
def test_sample_grid_writes_png(tmp_path, shape):
    images = RNG.uniform(-1.5, 1.5, shape)  # out of range values are clipped, not an error
    path = tmp_path / "nested" / "grid.png"
    fig = plots.sample_grid(images, path=path, title="samples")
    assert isinstance(fig, Figure)
    w, h = png_size(path)
    assert 200 <= w <= 1300 and 100 <= h <= 1300
    assert distinct_colours(path) > 20


def test_sample_grid_layout_follows_nrow(tmp_path):
    images = -np.ones((12, 28, 28, 1))
    plots.sample_grid(images, path=tmp_path / "wide.png", nrow=12)
    plots.sample_grid(images, path=tmp_path / "tall.png", nrow=2)
    (w1, h1), (w2, h2) = png_size(tmp_path / "wide.png", 200), png_size(tmp_path / "tall.png", 200)
    assert w1 / h1 > 4 and h2 / w2 > 2


def test_sample_grid_marks_non_finite_pixels_red(tmp_path):
    images = -np.ones((4, 28, 28, 1))
    images[1, 5:15, 5:15, 0] = np.nan
    plots.sample_grid(images, path=tmp_path / "nan.png")
    with Image.open(tmp_path / "nan.png") as im:
        pixels = np.asarray(im.convert("RGB")).reshape(-1, 3).astype(int)
    red = (pixels[:, 0] > 200) & (pixels[:, 1] < 60) & (pixels[:, 2] < 60)
    assert red.sum() > 50


def test_sample_grid_without_path_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fig = plots.sample_grid(np.zeros((4, 28, 28, 1)))
    assert isinstance(fig, Figure) and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "images, kwargs, match",
    [
        (np.zeros((4, 784)), {}, "shape"),
        (np.zeros((4, 28, 28, 2)), {}, "shape"),
        (np.zeros((28, 28)), {}, "shape"),
        (np.zeros((0, 28, 28)), {}, "empty"),
        (np.zeros((4, 28, 28)), {"nrow": 0}, "nrow"),
    ],
)
def test_sample_grid_rejects_bad_input(images, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.sample_grid(images, **kwargs)


# ------------------------------------------------------------------------------- scatter_2d


def test_scatter_2d_writes_png(tmp_path):
    real = RNG.normal(size=(2000, 2))
    fake = RNG.normal(size=(500, 2)) + 2.0
    fake[0] = np.nan
    fig = plots.scatter_2d(real, fake, path=tmp_path / "scatter.png", title="8 Gaussians")
    assert isinstance(fig, Figure)
    w, h = png_size(tmp_path / "scatter.png")
    assert 350 <= w <= 800 and 350 <= h <= 800
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[0].startswith("real (2000)") and "1 non-finite" in legend[1]
    assert isinstance(plots.scatter_2d(real, None), Figure)


@pytest.mark.parametrize("real, fake", [(np.zeros((5, 3)), np.zeros((5, 2))), (np.zeros((5, 2)), np.zeros(5)),
                                        (np.zeros((0, 2)), np.zeros((5, 2)))])
def test_scatter_2d_rejects_bad_shapes(real, fake):
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plots.scatter_2d(real, fake)


# ------------------------------------------------------------------------------ loss_curves


def test_loss_curves_one_panel_per_key_with_running_mean(tmp_path):
    steps = 1000
    history = {
        "critic_loss": -np.exp(-np.arange(steps) / 300) + RNG.normal(0, 0.1, steps),
        "generator_loss": RNG.normal(size=steps),
        "w_estimate": np.exp(-np.arange(steps) / 300) + RNG.normal(0, 0.1, steps),
    }
    history["w_estimate"][10] = np.nan
    fig = plots.loss_curves(history, path=tmp_path / "losses.png", title="WGAN")
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert fig.axes[-1].get_xlabel() == "generator step"
    assert [ax.get_ylabel() for ax in fig.axes][0] == "critic loss"
    assert len(fig.axes[0].get_lines()) >= 2  # raw and running mean
    w, h = png_size(tmp_path / "losses.png")
    assert 500 <= w <= 1000 and 500 <= h <= 1100


def test_loss_curves_short_history_and_keras_history(tmp_path):
    class History:  # what keras' Model.fit returns
        history = {"loss": [1.0, 0.5, 0.25]}

    fig = plots.loss_curves(History(), path=tmp_path / "short.png")
    assert len(fig.axes) == 1 and len(fig.axes[0].get_lines()) == 1
    png_size(tmp_path / "short.png")


def test_running_mean_is_centred_and_skips_nan():
    values = np.array([1.0, 2.0, np.nan, 4.0, 5.0])
    np.testing.assert_allclose(plots.training._running_mean(values, 3), [1.5, 1.5, 3.0, 4.5, 4.5])


@pytest.mark.parametrize("history", [{}, {"loss": []}, {"loss": [[1, 2], [3, 4]]}, [1, 2, 3]])
def test_loss_curves_rejects_bad_history(history):
    with pytest.raises(ValueError):
        plots.loss_curves(history)


# --------------------------------------------------------------------------- W versus theta


def test_w_versus_theta_overlays_several_estimates(tmp_path):
    thetas = np.linspace(-1, 1, 11)
    exact = np.abs(thetas)
    estimates = {"clip c=0.01": 0.004 * exact, "clip c=0.1": 0.3 * exact, "GP": exact + 0.01}
    fig = plots.w_versus_theta(thetas, estimates, exact, path=tmp_path / "w.png", title="parallel lines")
    assert isinstance(fig, Figure)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["exact W", "clip c=0.01", "clip c=0.1", "GP"]
    w, h = png_size(tmp_path / "w.png")
    assert 450 <= w <= 900 and 300 <= h <= 700

    fig = plots.w_versus_theta(thetas, estimates, exact, rescale=True)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "κ = 0.004" in labels[1] and "κ = 0.3" in labels[2]
    # Rescaled by its kappa, the clipped estimate lies on the exact curve.
    np.testing.assert_allclose(fig.axes[0].get_lines()[1].get_ydata(), exact, atol=1e-9)


def test_w_versus_theta_single_and_listed_estimates():
    thetas = [0.0, 0.5, 1.0]
    fig = plots.w_versus_theta(thetas, [0.0, 0.4, 0.9], [0.0, 0.5, 1.0], labels="GP critic")
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["exact W", "GP critic"]
    fig = plots.w_versus_theta(thetas, [[0, 1, 2], [0, 2, 4]], None, labels=["a", "b"])
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a", "b"]


@pytest.mark.parametrize(
    "thetas, estimates, exact, kwargs, match",
    [
        ([0, 1, 2], [0, 1], None, {}, "must match"),
        ([0, 1, 2], [0, 1, 2], [0, 1], {}, "must match"),
        ([0, 1, 2], {"a": [0, 1, 2]}, None, {"labels": ["x"]}, "labels"),
        ([0, 1, 2], [[0, 1, 2]], None, {"labels": ["x", "y"]}, "labels"),
        ([0, 1, 2], [0, 1, 2], None, {"rescale": True}, "exact"),
        ([], [], None, {}, "non-empty"),
    ],
)
def test_w_versus_theta_rejects_bad_input(thetas, estimates, exact, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.w_versus_theta(thetas, estimates, exact, **kwargs)


def test_divergences_versus_theta(tmp_path):
    thetas = np.linspace(-1, 1, 21)
    kl = np.where(thetas == 0, 0.0, np.inf)
    js = np.where(thetas == 0, 0.0, math.log(2))
    fig = plots.divergences_versus_theta(thetas, kl, js, np.abs(thetas), path=tmp_path / "div.png")
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert "+∞" in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any(line.get_linestyle() == "--" and np.allclose(line.get_ydata(), math.log(2))
               for line in fig.axes[1].get_lines())
    w, h = png_size(tmp_path / "div.png")
    assert 1000 <= w <= 1500 and 300 <= h <= 550
    with pytest.raises(ValueError, match="must match"):
        plots.divergences_versus_theta(thetas, kl[:-1], js, np.abs(thetas))


def test_plots_do_not_touch_pyplot():
    # Building figures without pyplot keeps notebooks' and headless runs' backends untouched.
    import subprocess

    code = (
        "import sys, numpy as np; from wganlab import plots; "
        "plots.sample_grid(np.zeros((4, 28, 28, 1))); plots.scatter_2d(np.zeros((3, 2)), np.ones((3, 2))); "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
