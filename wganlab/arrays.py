"""Turning what a user passes (numpy arrays, TF/JAX/torch tensors, nested lists) into numpy.

Imports only numpy: the metrics, the classifier and the plots all check their inputs with it,
and none of them should pull in a Keras backend to do so.
"""

from __future__ import annotations

import numpy as np


def to_numpy(x, name: str) -> np.ndarray:
    """``x`` (any shape, numbers or booleans) as a numpy array; ``name`` goes into the ValueError."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # torch, without importing it
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be an array of samples; could not convert it: {exc}") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, found dtype {arr.dtype}.")
    return arr
