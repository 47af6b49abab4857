"""The workloads of ``wganlab bench``: which models, objectives and real images each one times."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

WORKLOADS = ("mnist_wgan", "mnist_wgan_gp", "celeba_wgan_gp")
MNIST_DIGIT = 1
RANDOM_CELEBA_IMAGES = 2048


@dataclass
class Workload:
    """One workload: its objectives, real images, fresh models and training-config preset."""

    name: str
    kind: str  # objectives: "wgan" or "wgan_gp"
    real: Any  # float32 numpy array (N, *sample_shape)
    data: str  # where the images come from, for the table
    models: Callable[[int], tuple]  # fresh (generator, critic) from an initialiser seed
    config: Callable[..., Any]  # preset: wgan_config or wgan_gp_config

    @property
    def image_size(self) -> int:
        return int(self.real.shape[1])


def _celeba_images(path: Path | None, size: int, cap: int | None):
    import numpy as np

    from wganlab import data

    if path is None:
        n = min(cap or RANDOM_CELEBA_IMAGES, RANDOM_CELEBA_IMAGES)
        rng = np.random.default_rng(0)
        real = rng.uniform(-1.0, 1.0, size=(n, size, size, 1)).astype("float32")
        return real, (f"{n} random uniform images, no --celeba cache given: the same shapes and "
                      "speed, no faces")
    real = data.load_celeba(path)
    native = real.shape[1]
    if cap is not None:
        real = real[:cap]
    if native != size:
        if native == 2 * size:  # 2x2 mean pooling: a 64 px cache benchmarked at 32 px
            real = real.reshape(len(real), size, 2, size, 2, 1).mean(axis=(2, 4)).astype("float32")
        else:
            from wganlab.errors import DataError

            raise DataError(f"{path} holds {native}x{native} images; the benchmark needs {size}x{size} "
                            f"(or {2 * size}x{2 * size} to pool); prepare it with --size {size}")
    pooled = f", pooled from {native} px" if native != size else ""
    return real, f"CelebA cache {path.name} ({len(real)} images{pooled})"


def make_workloads(names: Sequence[str], celeba_size: int = 64, celeba_images: int | None = None,
                   celeba: Path | None = None) -> list[Workload]:
    """The workloads asked for, with their data loaded once; CelebA at ``celeba_size`` pixels per
    side, at most ``celeba_images`` of them (None: all of the cache)."""
    from wganlab import data, models, train

    out = []
    mnist = None
    for name in names:
        if name in ("mnist_wgan", "mnist_wgan_gp"):
            if mnist is None:
                mnist = data.load_mnist(digits=[MNIST_DIGIT])[0]
            out.append(Workload(
                name, "wgan" if name == "mnist_wgan" else "wgan_gp", mnist,
                f"MNIST digit {MNIST_DIGIT} ({len(mnist)} images)",
                lambda seed: models.mlp_pair((28, 28, 1), seed=seed),
                train.wgan_config if name == "mnist_wgan" else train.wgan_gp_config))
        elif name == "celeba_wgan_gp":
            real, where = _celeba_images(celeba, celeba_size, celeba_images)
            size = celeba_size
            out.append(Workload(
                name, "wgan_gp", real, where,
                lambda seed, size=size: models.dcgan_pair(size, seed=seed),
                train.wgan_gp_config))
        else:
            raise ValueError(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}")
    return out

