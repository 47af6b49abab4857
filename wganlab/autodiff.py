"""Backend-neutral automatic differentiation and compiled training steps for Keras 3.

Keras 3 gives every backend the same layers and ``keras.ops`` but no common gradient API.
Three primitives cover what WGAN training needs:

- :func:`input_gradients`: the gradient of ``sum(fn(x))`` with respect to ``x``, itself
  differentiable, which is what a gradient penalty needs (double backpropagation);
- :func:`value_and_grad`: a loss closure's value and its gradients with respect to Keras
  variables, for the trainers;
- :func:`compile_step`: turn a step written in ordinary stateful Keras style (models called,
  optimizers applied, variables assigned) into one compiled program: ``tf.function`` under
  TensorFlow, ``jax.jit`` over a pure function built with ``keras.StatelessScope`` under JAX,
  plain eager execution under PyTorch.

Writing the step statefully is what lets a student's ``clip_weights`` (``v.assign(...)``) and
``gradient_penalty`` (which calls ``critic(x)``) run unchanged inside the compiled step.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Sequence

import keras
import numpy as np
from keras import ops


def backend() -> str:
    """Name of the active Keras backend: 'tensorflow', 'jax' or 'torch'."""
    return keras.backend.backend()


def input_gradients(fn: Callable[[Any], Any], x: Any) -> Any:
    """Gradient of ``sum(fn(x))`` w.r.t. ``x``: same shape as ``x``, differentiable again.

    Zeros where ``fn(x)`` does not depend on ``x`` (cut off by ``stop_gradient`` or numpy), on
    every backend.
    """
    name = backend()
    if name == "tensorflow":
        import tensorflow as tf

        x = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = ops.sum(fn(x))
        grad = tape.gradient(total, x)
        return ops.zeros_like(x) if grad is None else grad
    if name == "jax":
        import jax

        x = ops.convert_to_tensor(x)
        try:
            return jax.grad(lambda z: ops.sum(ops.convert_to_tensor(fn(z))))(x)
        except jax.errors.TracerArrayConversionError:
            return ops.zeros_like(x)  # fn goes through numpy: constant in x, as under TensorFlow
    if name == "torch":
        import torch

        x = ops.convert_to_tensor(x)
        if not x.requires_grad:
            x = x.detach().requires_grad_(True)
        total, connected = _torch_eval(lambda: ops.sum(fn(x)))
        if not connected:
            return ops.zeros_like(x)
        (grad,) = torch.autograd.grad(total, x, create_graph=True, allow_unused=True)
        return ops.zeros_like(x) if grad is None else grad
    raise NotImplementedError(f"wganlab supports the tensorflow, jax and torch backends, not {name!r}")


def _torch_eval(fn: Callable[[], Any]) -> tuple[Any, bool]:
    """``(fn(), connected)``: connected is False where the value is cut off from the graph.

    TensorFlow turns a tensor handed to numpy into a constant, so a numpy loss or penalty has zero
    gradients there; torch raises instead. Evaluating it once more without the graph gives torch
    the same behaviour (and the checks their own message about gradients that do not flow).
    """
    import torch

    try:
        out = fn()
    except RuntimeError as exc:
        if "Can't call numpy() on Tensor that requires grad" not in str(exc):
            raise
        with torch.no_grad():
            return fn(), False
    return out, isinstance(out, torch.Tensor) and out.requires_grad


def value_and_grad(loss_fn: Callable[[], Any], variables: Sequence[keras.Variable]):
    """Return ``(loss, grads)``: a scalar loss closure's value and one gradient per variable.

    Zero gradients for variables the loss does not depend on, on every backend.
    """
    name = backend()
    variables = list(variables)
    if name == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_fn()
        if not tf.is_tensor(loss):  # computed with numpy: a constant
            return ops.convert_to_tensor(loss), [ops.zeros(v.shape, v.dtype) for v in variables]
        grads = tape.gradient(loss, variables)
        return loss, [ops.zeros_like(v) if g is None else g for g, v in zip(grads, variables)]
    if name == "jax":
        import jax

        parent = _JAX_SCOPES[-1] if _JAX_SCOPES else None
        tracked = list(parent[1]) if parent else []
        own = {id(v) for v in variables}
        tracked_ids = {id(v) for v in tracked}

        def pure(values):
            # A nested scope sees only its own mapping, so start from the enclosing compiled
            # step's current values: every other variable (generator, optimizer) is traced too.
            inherited = [(v, parent[0].get_current_value(v)) for v in tracked if id(v) not in own]
            scope = keras.StatelessScope(state_mapping=inherited + list(zip(variables, values)))
            with scope, _jax_scope(scope, tracked + [v for v in variables if id(v) not in tracked_ids]):
                return ops.convert_to_tensor(loss_fn())

        try:
            return jax.value_and_grad(pure)([v.value for v in variables])
        except jax.errors.TracerArrayConversionError:
            if parent is not None:  # inside a compiled step there is no value to fall back on
                raise
            # A numpy loss is a constant under TensorFlow: its value with zero gradients.
            return ops.convert_to_tensor(loss_fn()), [ops.zeros(v.shape, v.dtype) for v in variables]
    if name == "torch":
        import torch

        loss, connected = _torch_eval(loss_fn)
        if not connected:
            return ops.convert_to_tensor(loss), [ops.zeros(v.shape, v.dtype) for v in variables]
        grads = torch.autograd.grad(loss, [v.value for v in variables], allow_unused=True)
        return loss, [ops.zeros_like(v) if g is None else g for g, v in zip(grads, variables)]
    raise NotImplementedError(f"wganlab supports the tensorflow, jax and torch backends, not {name!r}")


# The StatelessScopes this module opened under JAX, innermost last, with the variables each maps.
# Keras has no public accessor for the active scope, so the module keeps its own record.
_JAX_SCOPES: list[tuple[keras.StatelessScope, list]] = []


@contextlib.contextmanager
def _jax_scope(scope: keras.StatelessScope, variables: list):
    _JAX_SCOPES.append((scope, variables))
    try:
        yield
    finally:
        _JAX_SCOPES.pop()


def compile_step(
    step: Callable[..., Any],
    variables: Sequence[keras.Variable],
    *,
    compiled: bool = True,
    jit_compile: bool | None = None,
) -> Callable[..., Any]:
    """Compile a stateful step ``step(*tensors) -> outputs`` that reads and writes ``variables``.

    ``variables`` must list every variable the step assigns (models, optimizers, seed
    generators). With ``compiled=False`` the step runs eagerly, for debugging and benchmarks.
    ``jit_compile`` asks TensorFlow for XLA (default off: on small CPU models XLA's compile time
    outweighs its gain; see NOTES.md); JAX always compiles with XLA.
    """
    if not compiled:
        return step
    name = backend()
    if name == "tensorflow":
        import tensorflow as tf

        return tf.function(step, jit_compile=bool(jit_compile), reduce_retracing=True)
    if name == "jax":
        return _jax_compile(step, list(variables))
    # PyTorch: eager autograd; torch.compile of double-backward graphs is not reliable yet.
    return step


def run_stateless(step: Callable[..., Any], variables: Sequence[keras.Variable], values: Sequence[Any], *args):
    """Run the stateful ``step(*args)`` on ``values`` in place of ``variables`` without touching them
    (JAX: a pure function that ``jax.jit`` can trace); returns ``(outputs, new values)``, one per variable."""
    variables = list(variables)
    with keras.StatelessScope(state_mapping=list(zip(variables, values))) as scope, \
            _jax_scope(scope, variables):
        outputs = step(*args)
    new_values = []
    for variable, old in zip(variables, values):
        new = scope.get_current_value(variable)
        new_values.append(old if new is None else new)
    return outputs, new_values


def _jax_compile(step, variables):
    import jax

    def pure(values, *args):
        return run_stateless(step, variables, values, *args)

    jitted = jax.jit(pure)

    def run(*args):
        outputs, new_values = jitted([v.value for v in variables], *args)
        for variable, value in zip(variables, new_values):
            variable.assign(value)
        return outputs

    return run


def runs_compiled(fn: Callable[[], None], variables: Sequence[keras.Variable], *,
                  jit_compile: bool | None = None) -> bool:
    """Whether the in-place ``fn()`` leaves ``variables`` as it does eagerly when compiled.

    Probes twice, from two random fills of the variables (restored afterwards): a function that
    cannot be traced (numpy, ``get_weights``) or that bakes the traced values in as constants
    fails the probe. Errors of ``fn`` itself surface from the eager run.
    """
    variables = list(variables)
    saved = [ops.convert_to_numpy(v) for v in variables]
    floats = [np.issubdtype(s.dtype, np.floating) for s in saved]
    step = compile_step(fn, variables, jit_compile=jit_compile)
    rng = np.random.default_rng(0)
    try:
        for _ in range(2):
            fills = [rng.normal(size=s.shape).astype(s.dtype) if f else s for s, f in zip(saved, floats)]
            for v, value in zip(variables, fills):
                v.assign(value)
            fn()
            eager = [ops.convert_to_numpy(v) for v in variables]
            for v, value in zip(variables, fills):
                v.assign(value)
            try:
                step()
            except Exception:  # noqa: BLE001 - any tracing failure means: run it eagerly
                return False
            if not all(np.allclose(a, ops.convert_to_numpy(v), rtol=1e-6, atol=1e-7)
                       for a, v in zip(eager, variables)):
                return False
        return True
    finally:
        for v, value in zip(variables, saved):
            v.assign(value)
