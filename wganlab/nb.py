"""Small helpers for the notebooks: training budgets that fit the machine, and that tests shorten.

A training cell asks :func:`steps` (or :func:`schedule`, which also says why) for its length:
the CPU budget by default (every training cell finishes in at most 3 minutes on a 2-core CPU;
NOTES.md has the measured table), a longer one where the Keras backend sees a GPU, and a tiny
one under ``WGANLAB_FAST`` (tests, CI).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

FAST_ENV = "WGANLAB_FAST"


def fast() -> bool:
    """True when ``WGANLAB_FAST`` is set to a non-empty value other than '0' (tests, CI)."""
    return os.environ.get(FAST_ENV, "") not in ("", "0")


def accelerator() -> str | None:
    """A name for the GPU (or TPU) the active Keras backend sees, or None on a CPU-only machine."""
    import keras

    name = keras.backend.backend()
    if name == "jax":
        import jax

        devices = [d for d in jax.devices() if d.platform != "cpu"]
        return f"{devices[0].platform} ({len(devices)} device{'s' * (len(devices) > 1)})" if devices else None
    if name == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return f"GPU ({len(gpus)} device{'s' * (len(gpus) > 1)})" if gpus else None
    if name == "torch":
        import torch

        return f"GPU ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else None
    return None


@dataclass(frozen=True)
class CellSteps:
    """How long one training cell runs and why: ``steps`` and a sentence for the student."""

    steps: int
    reason: str


def schedule(cpu: int, gpu: int | None = None, quick: int | None = None) -> CellSteps:
    """The steps of one training cell: ``cpu`` on a CPU, ``gpu`` (default 5x cpu) where the backend
    sees a GPU, ``quick`` (default cpu // 20, at least 5) under WGANLAB_FAST."""
    if fast():
        n = quick if quick is not None else max(5, cpu // 20)
        return CellSteps(n, f"{n} steps: the quick schedule ({FAST_ENV} is set, as in the tests)")
    device = accelerator()
    if device is not None:
        n = gpu if gpu is not None else 5 * cpu
        return CellSteps(n, f"{n} steps: the GPU schedule (the backend sees a {device})")
    return CellSteps(cpu, f"{cpu} steps: the CPU schedule (no GPU visible to the backend)")


def steps(full: int, quick: int | None = None, gpu: int | None = None) -> int:
    """Print which schedule a training cell runs and why; return its number of steps."""
    chosen = schedule(full, gpu=gpu, quick=quick)
    print(f"Training for {chosen.reason}.")
    return chosen.steps
