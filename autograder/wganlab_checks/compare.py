"""Conversions and comparisons every check uses; each failed comparison says what was expected."""

from __future__ import annotations

import math

import numpy as np


def to_numpy(x):
    """Any backend's tensor (or array, number) as a float64 numpy array."""
    from keras import ops

    return np.asarray(ops.convert_to_numpy(x), dtype=np.float64)


def to_tensor(x):
    """A numpy array as the backend's tensor."""
    from keras import ops

    return ops.convert_to_tensor(x)


def scalar(value, what):
    """``value`` as a float, failing with a message when it is None or holds more than one number."""
    assert value is not None, f"{what} returned None; did you fill in its body and return the result?"
    arr = to_numpy(value)
    assert arr.size == 1, f"{what} must return a scalar (one number), got shape {arr.shape}"
    return float(arr.reshape(()))


def close(got, want, what, rtol=1e-6, atol=1e-9):
    """Assert ``got`` is within atol + rtol * |want| of ``want`` (+inf must be +inf); ``what`` names it."""
    assert got is not None, f"{what}: the function returned None; did you fill in its body and return the result?"
    got = float(got)
    if math.isinf(want):
        assert math.isinf(got) and got > 0, f"{what}: expected +inf, got {got}"
        return
    assert math.isfinite(got), f"{what}: expected a finite number close to {want:.6g}, got {got}"
    assert abs(got - want) <= atol + rtol * abs(want), f"{what}: expected {want:.6g}, got {got:.6g}"
