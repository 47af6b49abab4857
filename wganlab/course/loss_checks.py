"""Public checks of the loss functions that students write (assignments 02 and 03).

Each check calls a student's function the way training does and turns every way it can go
wrong (an unfilled stub returning None, numpy or Python numbers where tensors are needed, a
shape the function cannot take, a step that cannot be compiled) into an AssertionError whose
message says what is wrong and what to do, never a bare framework traceback. The values used
here are simple and public; the graded values live in the hidden checks.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import keras
import numpy as np
from keras import ops

from wganlab import autodiff

TENSOR_HINT = ("use keras.ops on the tensors it receives (ops.mean, ops.softplus, ...) and return "
               "the resulting tensor; numpy functions and float() need concrete numbers, which a "
               "compiled training step does not have")


def _last_line(exc: Exception) -> str:
    # TensorFlow prefixes graph errors with a traceback of the user's code; its last line says it.
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return (lines[-1] if lines else type(exc).__name__)[:300]


def _describe(arrays: Sequence[np.ndarray]) -> str:
    return ", ".join(f"shape {tuple(a.shape)}" for a in arrays)


def value(fn: Callable, name: str, *arrays) -> float:
    """Call ``fn`` on float32 tensors made from ``arrays``; its result as a float, or a clear failure."""
    arrays = [np.asarray(a, dtype="float32") for a in arrays]
    try:
        out = fn(*[ops.convert_to_tensor(a) for a in arrays])
    except Exception as exc:  # noqa: BLE001 - any error becomes a message with a hint
        raise AssertionError(
            f"{name} raised {type(exc).__name__} on inputs of {_describe(arrays)}: {_last_line(exc)}\n"
            f"Hint: inputs come as (batch, 1) or (batch,) tensors; {TENSOR_HINT}.") from None
    if out is None:
        raise AssertionError(f"{name} returned None: fill in its body and `return` the loss.")
    try:
        arr = np.asarray(ops.convert_to_numpy(out), dtype="float64")
    except Exception:  # noqa: BLE001
        raise AssertionError(f"{name} returned a {type(out).__name__}, not a number or tensor: "
                             "return one scalar tensor (e.g. ops.mean(...)).") from None
    if arr.size != 1:
        raise AssertionError(
            f"{name} returned shape {arr.shape} on inputs of {_describe(arrays)}: it must return one "
            "scalar. Average over the whole batch with ops.mean(x) (no axis argument).")
    return float(arr.reshape(()))


def same_for_both_shapes(fn: Callable, name: str, *columns, atol: float = 1e-5) -> float:
    """``fn`` must give one scalar, the same for inputs of shape (batch, 1) and (batch,)."""
    flat = [np.asarray(c, dtype="float32").reshape(-1) for c in columns]
    as_column = value(fn, name, *[c.reshape(-1, 1) for c in flat])
    as_vector = value(fn, name, *flat)
    assert abs(as_column - as_vector) <= atol * max(1.0, abs(as_column)), (
        f"{name} gave {as_column:.6g} for inputs of shape (batch, 1) and {as_vector:.6g} for the same "
        "numbers with shape (batch,): the critic returns (batch, 1), other code passes (batch,). Use "
        "operations that do not depend on the shape (ops.mean over all entries, no indexing like x[:, 0]).")
    return as_column


def in_compiled_step(fn: Callable, name: str, n_inputs: int, batch: int = 8, seed: int = 0) -> None:
    """Train a tiny linear critic for one step with ``fn`` as its loss inside a compiled step:
    it must run there and give a finite, non-zero gradient."""
    rng = np.random.default_rng(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.layers[0].kernel.assign(rng.normal(size=(3, 1)).astype("float32"))
    inputs = [ops.convert_to_tensor(rng.normal(i, 1.0, size=(batch, 3)).astype("float32"))
              for i in range(n_inputs)]
    grads_out = [keras.Variable(np.zeros(v.shape, "float32"), trainable=False) for v in model.trainable_variables]

    def step(*xs):
        loss, grads = autodiff.value_and_grad(lambda: fn(*[model(x) for x in xs]), model.trainable_variables)
        for slot, g in zip(grads_out, grads):
            slot.assign(ops.convert_to_tensor(g, "float32"))
        return ops.convert_to_tensor(loss, "float32")

    compiled = autodiff.compile_step(step, [*model.variables, *grads_out])
    try:
        loss = compiled(*inputs)
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(
            f"{name} failed inside a compiled training step ({type(exc).__name__}: {_last_line(exc)}).\n"
            f"Hint: training compiles the step into a graph, where tensors have no values yet: {TENSOR_HINT}."
        ) from None
    if loss is None:
        raise AssertionError(f"{name} returned None inside the training step: `return` the loss.")
    grad = np.concatenate([np.ravel(ops.convert_to_numpy(g)) for g in grads_out])
    assert np.isfinite(grad).all() and np.abs(grad).sum() > 0, (
        f"inside a compiled training step, {name} gave the critic no gradient (all zero or not finite): "
        f"{TENSOR_HINT}.")
    # Eagerly too: TensorFlow's compiled step turns float() into a cast and would hide the cut.
    try:
        step(*inputs)
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"{name} failed in an eager training step ({type(exc).__name__}: {_last_line(exc)}).\n"
                             f"Hint: {TENSOR_HINT}.") from None
    grad = np.concatenate([np.ravel(ops.convert_to_numpy(g)) for g in grads_out])
    assert np.isfinite(grad).all() and np.abs(grad).sum() > 0, (
        f"in an eager training step, {name} gave the critic no gradient (all zero or not finite): {TENSOR_HINT}.")


def call_in_place(fn: Callable, name: str, *args: Any) -> Any:
    """Call a function that modifies a model in place; any error becomes a message with a hint."""
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(
            f"{name} raised {type(exc).__name__}: {_last_line(exc)}\nHint: loop over "
            "model.trainable_variables and assign each one its values clipped with ops.clip(..., -c, c).") from None
