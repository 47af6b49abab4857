"""input_gradients, value_and_grad and compile_step on the active Keras backend."""

import keras
import numpy as np
import pytest
from keras import ops

from wganlab import autodiff, models

import reference_fns as ref


def test_input_gradients_match_analytic():
    # f(x) = sum_j w_j x_j^2  ->  df/dx = 2 w x, per sample.
    w = np.array([1.0, -2.0, 0.5], dtype="float32")
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    # keras.ops converts the numpy weights; torch refuses ``tensor * ndarray`` on a tensor that
    # requires grad (see test_numpy_inside_the_loss_cuts_the_gradient_on_every_backend).
    g = autodiff.input_gradients(lambda t: ops.sum(ops.multiply(ops.square(t), w), axis=1), x)
    np.testing.assert_allclose(ops.convert_to_numpy(g), 2 * w * x, rtol=1e-5)


def test_input_gradients_of_nonlinear_model_match_finite_differences():
    keras.utils.set_random_seed(1)
    critic = models.mlp_critic((5,), hidden=16)
    x = np.random.default_rng(1).normal(size=(3, 5))
    g = ops.convert_to_numpy(autodiff.input_gradients(critic, x.astype("float32")))
    eps = 1e-3
    for j in range(5):
        dx = np.zeros_like(x)
        dx[:, j] = eps
        up = ops.convert_to_numpy(critic((x + dx).astype("float32")))[:, 0]
        down = ops.convert_to_numpy(critic((x - dx).astype("float32")))[:, 0]
        np.testing.assert_allclose(g[:, j], (up - down) / (2 * eps), atol=2e-3)


def _penalty_grads(critic, real, fake, alpha, penalty=ref.gradient_penalty):
    _, grads = autodiff.value_and_grad(lambda: penalty(critic, real, fake, alpha),
                                       critic.trainable_variables)
    return [ops.convert_to_numpy(g) for g in grads]


def _batch(seed, n=8, d=4):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, d)).astype("float32") for _ in range(2)] + [
        rng.uniform(size=(n, 1)).astype("float32")]


def test_penalty_is_differentiable_wrt_critic_weights():
    keras.utils.set_random_seed(2)
    critic = models.mlp_critic((4,), hidden=8)
    grads = _penalty_grads(critic, *_batch(2))
    # Double backprop reaches every kernel. (In a ReLU net the input gradient is piecewise
    # constant in the biases, so their penalty gradients are zero almost everywhere.)
    assert all(np.isfinite(g).all() for g in grads)
    kernels = [g for g, v in zip(grads, critic.trainable_variables) if len(v.shape) == 2]
    assert len(kernels) == 3 and all(np.abs(g).max() > 0 for g in kernels)


def test_penalty_weight_gradient_matches_finite_differences():
    keras.utils.set_random_seed(3)
    critic = models.mlp_critic((4,), hidden=8)
    real, fake, alpha = _batch(3)
    grads = _penalty_grads(critic, real, fake, alpha)
    kernel = critic.trainable_variables[0]
    base = ops.convert_to_numpy(kernel).astype("float64")
    # Small enough that no ReLU of the 8 samples changes side under any backend's initialisation
    # (1e-2 crossed a kink under torch), large enough for float32 round-off (penalty ~ 1).
    eps = 1e-3
    for idx in [(0, 0), (1, 3), (3, 7)]:
        vals = []
        for sign in (1, -1):
            w = base.copy()
            w[idx] += sign * eps
            kernel.assign(w.astype("float32"))
            vals.append(float(ops.convert_to_numpy(ref.gradient_penalty(critic, real, fake, alpha))))
        kernel.assign(base.astype("float32"))
        np.testing.assert_allclose(grads[0][idx], (vals[0] - vals[1]) / (2 * eps), rtol=0.05, atol=1e-3)


def test_stopped_penalty_has_zero_weight_gradient():
    # The likeliest penalty bug: one cut off from the critic's weights (NOTES.md, convergence thresholds).
    def stopped(critic, real, fake, alpha):
        return ops.stop_gradient(ref.gradient_penalty(critic, real, fake, alpha))

    keras.utils.set_random_seed(4)
    critic = models.mlp_critic((4,), hidden=8)
    grads = _penalty_grads(critic, *_batch(4), penalty=stopped)
    assert all(np.abs(g).max() == 0 for g in grads)


def test_numpy_inside_the_loss_cuts_the_gradient_on_every_backend():
    # TensorFlow turns a tensor handed to numpy into a constant; torch and JAX raise instead.
    # wganlab gives all three TensorFlow's behaviour, so the checks' own message about gradients
    # that do not reach the weights is what a student sees on any backend.
    keras.utils.set_random_seed(6)
    critic = models.mlp_critic((4,), hidden=8)
    real, fake, alpha = _batch(6)
    loss, grads = autodiff.value_and_grad(
        lambda: np.mean(ops.convert_to_numpy(critic(fake))) - np.mean(np.asarray(critic(real))),
        critic.trainable_variables)
    want = np.mean(ops.convert_to_numpy(critic(fake))) - np.mean(ops.convert_to_numpy(critic(real)))
    np.testing.assert_allclose(float(ops.convert_to_numpy(loss)), want, rtol=1e-5)
    assert len(grads) == len(critic.trainable_variables)
    assert all(np.abs(ops.convert_to_numpy(g)).max() == 0 for g in grads)
    g = autodiff.input_gradients(lambda t: np.square(ops.convert_to_numpy(t)), real)
    np.testing.assert_array_equal(ops.convert_to_numpy(g), np.zeros_like(real))


def _clip_ops(model, c=0.05):
    for v in model.trainable_variables:
        v.assign(ops.clip(v, -c, c))


def _clip_numpy(model, c=0.05):
    model.set_weights([np.clip(w, -c, c) for w in model.get_weights()])


def test_runs_compiled_tells_traceable_constraints_from_the_rest():
    keras.utils.set_random_seed(7)
    critic = models.mlp_critic((4,), hidden=8)
    before = [ops.convert_to_numpy(v) for v in critic.variables]
    assert autodiff.runs_compiled(lambda: _clip_ops(critic), critic.variables)
    # numpy cannot be traced by tf.function or jax.jit; the torch step runs eagerly anyway.
    assert autodiff.runs_compiled(lambda: _clip_numpy(critic), critic.variables) == (autodiff.backend() == "torch")
    for a, v in zip(before, critic.variables):  # the probe leaves the model as it found it
        np.testing.assert_array_equal(a, ops.convert_to_numpy(v))


@pytest.mark.parametrize("clip", [None, 0.05])
def test_compiled_step_equals_eager_step(clip):
    def run(compiled):
        keras.utils.set_random_seed(5)
        critic = models.mlp_critic((4,), hidden=8)
        opt = keras.optimizers.RMSprop(1e-2)
        opt.build(critic.trainable_variables)
        real, fake, alpha = _batch(5)

        def step(real, fake, alpha):
            loss, grads = autodiff.value_and_grad(
                lambda: ref.critic_loss_gp(critic, real, fake, alpha), critic.trainable_variables)
            opt.apply(grads, critic.trainable_variables)
            if clip is not None:
                ref.clip_weights(critic, clip)
            return loss

        fn = autodiff.compile_step(step, [*critic.variables, *opt.variables], compiled=compiled)
        losses = [float(ops.convert_to_numpy(fn(real, fake, alpha))) for _ in range(3)]
        return losses, [ops.convert_to_numpy(v) for v in critic.trainable_variables]

    eager_losses, eager_w = run(False)
    comp_losses, comp_w = run(True)
    np.testing.assert_allclose(comp_losses, eager_losses, rtol=1e-4, atol=1e-5)
    for a, b in zip(comp_w, eager_w):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert eager_losses[0] != eager_losses[-1]  # the step really updated the critic
    if clip is not None:
        assert max(np.abs(w).max() for w in comp_w) <= clip + 1e-7
