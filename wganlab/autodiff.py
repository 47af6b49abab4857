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

from typing import Any, Callable, Sequence

import keras
from keras import ops


def backend() -> str:
    """Name of the active Keras backend: 'tensorflow', 'jax' or 'torch'."""
    return keras.backend.backend()


def input_gradients(fn: Callable[[Any], Any], x: Any) -> Any:
    """Gradient of ``sum(fn(x))`` w.r.t. ``x``: same shape as ``x``, differentiable again."""
    name = backend()
    if name == "tensorflow":
        import tensorflow as tf

        x = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = ops.sum(fn(x))
        return tape.gradient(total, x)
    if name == "jax":
        import jax

        return jax.grad(lambda z: ops.sum(fn(z)))(ops.convert_to_tensor(x))
    if name == "torch":
        import torch

        x = ops.convert_to_tensor(x)
        if not x.requires_grad:
            x = x.detach().requires_grad_(True)
        total = ops.sum(fn(x))
        (grad,) = torch.autograd.grad(total, x, create_graph=True)
        return grad
    raise NotImplementedError(f"wganlab supports the tensorflow, jax and torch backends, not {name!r}")


def value_and_grad(loss_fn: Callable[[], Any], variables: Sequence[keras.Variable]):
    """Return ``(loss, grads)``: a scalar loss closure's value and one gradient per variable."""
    name = backend()
    variables = list(variables)
    if name == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_fn()
        grads = tape.gradient(loss, variables)
        return loss, [ops.zeros_like(v) if g is None else g for g, v in zip(grads, variables)]
    if name == "jax":
        import jax

        from keras.src.backend.common.stateless_scope import get_stateless_scope

        parent = get_stateless_scope()

        def pure(values):
            # A nested scope sees only its own mapping, so inherit the enclosing one: inside a
            # compiled step every other variable (the generator, the optimizer) is traced too.
            scope = keras.StatelessScope(state_mapping=list(zip(variables, values)))
            if parent is not None:
                scope.state_mapping = {**parent.state_mapping, **scope.state_mapping}
            with scope:
                return loss_fn()

        return jax.value_and_grad(pure)([v.value for v in variables])
    if name == "torch":
        import torch

        loss = loss_fn()
        grads = torch.autograd.grad(loss, [v.value for v in variables], allow_unused=True)
        return loss, [ops.zeros_like(v) if g is None else g for g, v in zip(grads, variables)]
    raise NotImplementedError(f"wganlab supports the tensorflow, jax and torch backends, not {name!r}")


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


def _jax_compile(step, variables):
    import jax

    def pure(values, *args):
        with keras.StatelessScope(state_mapping=list(zip(variables, values))) as scope:
            outputs = step(*args)
        new_values = []
        for variable, old in zip(variables, values):
            new = scope.get_current_value(variable)
            new_values.append(old if new is None else new)
        return outputs, new_values

    jitted = jax.jit(pure)

    def run(*args):
        outputs, new_values = jitted([v.value for v in variables], *args)
        for variable, value in zip(variables, new_values):
            variable.assign(value)
        return outputs

    return run
