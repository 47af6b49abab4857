"""The GAN, WGAN and WGAN-GP trainers: presets, history, determinism, errors, learning."""

import keras
import numpy as np
import pytest
from keras import ops

from wganlab import autodiff, models, train

import reference_fns as ref


def _toy(n=512, seed=0):
    # A shifted 2-D Gaussian: easy to learn in a few hundred steps.
    return (np.random.default_rng(seed).normal(size=(n, 2)) * 0.1 + [2.0, -1.0]).astype("float32")


def _pair(seed=0):
    keras.utils.set_random_seed(seed)
    return models.mlp_generator((2,), latent_dim=4, hidden=32), models.mlp_critic((2,), hidden=32)


OBJECTIVES = {
    "gan": (train.gan_objectives(ref.discriminator_loss, ref.generator_loss), train.gan_config),
    "wgan": (train.wgan_objectives(ref.critic_loss, ref.wgan_generator_loss, ref.clip_weights),
             train.wgan_config),
    "wgan_gp": (train.wgan_gp_objectives(ref.critic_loss_gp, ref.wgan_generator_loss),
                train.wgan_gp_config),
}


def test_presets_carry_the_papers_numbers():
    w = train.wgan_config()
    assert (w.optimizer, w.lr, w.n_critic, w.batch_size) == ("rmsprop", 5e-5, 5, 64)
    gp = train.wgan_gp_config(steps=7)
    assert (gp.optimizer, gp.lr, gp.beta_1, gp.beta_2, gp.n_critic, gp.steps) == ("adam", 1e-4, 0.0, 0.9, 5, 7)
    assert train.gan_config().n_critic == 1


@pytest.mark.parametrize("kind", sorted(OBJECTIVES))
def test_history_has_one_finite_value_per_step(kind):
    objectives, preset = OBJECTIVES[kind]
    g, c = _pair()
    result = train.train(g, c, _toy(), objectives, preset(steps=12, log_every=5, progress=False))
    assert result.steps == 12
    assert set(result.history) == {"critic_loss", "generator_loss", "w_estimate"}
    for values in result.history.values():
        assert values.shape == (12,) and np.isfinite(values).all()


def test_weight_clipping_holds_after_every_run():
    g, c = _pair()
    objectives = train.wgan_objectives(ref.critic_loss, ref.wgan_generator_loss, ref.clip_weights, clip=0.02)
    train.train(g, c, _toy(), objectives, train.wgan_config(steps=3, progress=False))
    assert max(float(ops.max(ops.abs(v))) for v in c.trainable_variables) <= 0.02 + 1e-7


def _numpy_clip_weights(model, c):
    model.set_weights([np.clip(w, -c, c) for w in model.get_weights()])


def test_a_numpy_constraint_trains_like_the_compiled_one(capsys):
    # Behaviour, not style: numpy clipping cannot be traced, so the trainer runs it eagerly between
    # compiled updates (one notice), on the same random stream: same history, same weights.
    runs = []
    for clip_weights in (ref.clip_weights, _numpy_clip_weights):
        g, c = _pair(3)
        objectives = train.wgan_objectives(ref.critic_loss, ref.wgan_generator_loss, clip_weights, clip=0.02)
        result = train.train(g, c, _toy(), objectives, train.wgan_config(steps=6, log_every=3, progress=False))
        runs.append((result.history, [ops.convert_to_numpy(v) for v in (*g.weights, *c.weights)]))
    notices = [line for line in capsys.readouterr().out.splitlines() if "runs eagerly" in line]
    assert len(notices) == (0 if train.autodiff.backend() == "torch" else 1), notices
    (h_ops, w_ops), (h_np, w_np) = runs
    for key in h_ops:
        np.testing.assert_allclose(h_np[key], h_ops[key], rtol=1e-4, atol=1e-6, err_msg=key)
    for a, b in zip(w_np, w_ops):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert max(np.abs(w).max() for w in w_np[len(w_np) - len(c.weights):]) <= 0.02 + 1e-7


def test_same_seed_same_history_and_other_seed_differs():
    objectives, preset = OBJECTIVES["wgan_gp"]
    runs = []
    for seed in (0, 0, 1):
        g, c = _pair(0)
        runs.append(train.train(g, c, _toy(), objectives, preset(steps=6, seed=seed, progress=False)))
    np.testing.assert_allclose(runs[0].history["critic_loss"], runs[1].history["critic_loss"], rtol=1e-5)
    assert not np.allclose(runs[0].history["critic_loss"], runs[2].history["critic_loss"])


# Eager PyTorch (torch.compile cannot compile a double backward) takes minutes for these 1,500
# penalised critic updates; `make test-torch` leaves it to the TensorFlow and JAX runs.
@pytest.mark.skipif(keras.backend.backend() == "torch", reason="1,500 eager double-backward updates: minutes "
                    "under torch; the TensorFlow and JAX runs cover the trainer's learning")
def test_wgan_gp_moves_the_generator_towards_the_data():
    objectives, preset = OBJECTIVES["wgan_gp"]
    g, c = _pair(0)
    real = _toy()
    before = np.linalg.norm(train.generate(g, 256).mean(0) - real.mean(0))
    result = train.train(g, c, real, objectives, preset(steps=300, lr=3e-3, progress=False))
    after = np.linalg.norm(train.generate(g, 256).mean(0) - real.mean(0))
    assert after < 0.25 * before, (before, after)
    assert result.history["w_estimate"][-20:].mean() < result.history["w_estimate"][:20].mean()


def test_nan_loss_stops_with_the_step_and_the_loss_named():
    def log_of_negative(critic, real, fake, alpha):  # a typical student slip: log of a negative
        return ops.log(ops.mean(critic(fake)) - ops.mean(critic(real)) - 1e3)

    g, c = _pair()
    objectives = train.Objectives(critic=log_of_negative, generator=ref.wgan_generator_loss, name="wgan")
    with pytest.raises(train.TrainingDiverged, match=r"critic loss became nan at generator step 1\b"):
        train.train(g, c, _toy(), objectives, train.wgan_config(steps=4, progress=False))


def test_divergence_reports_the_first_bad_step():
    g, c = _pair()
    seen = []

    def poison(step, latest):  # the critic's score bias turns NaN after step 3
        seen.append(step)
        if step == 3:
            c.trainable_variables[-1].assign(np.full(c.trainable_variables[-1].shape, np.nan, "float32"))

    objectives = train.Objectives(critic=OBJECTIVES["wgan"][0].critic, generator=ref.wgan_generator_loss, name="custom")
    with pytest.raises(train.TrainingDiverged, match=r"at generator step 4\b"):
        train.train(g, c, _toy(), objectives, train.wgan_config(steps=10, log_every=1, progress=False),
                    callback=poison)
    assert seen == [1, 2, 3]


def test_data_that_does_not_fit_the_critic_is_refused():
    g, c = _pair()
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        train.train(g, c, np.zeros((10, 3), "float32"), OBJECTIVES["wgan"][0], train.wgan_config(steps=1))


def test_non_finite_data_is_refused():
    g, c = _pair()
    data = _toy()
    data[3, 1] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        train.train(g, c, data, OBJECTIVES["wgan"][0], train.wgan_config(steps=1))


def test_bad_config_is_refused():
    g, c = _pair()
    with pytest.raises(ValueError, match="optimizer"):
        train.train(g, c, _toy(), OBJECTIVES["wgan"][0], train.wgan_config(steps=1, optimizer="sgd"))
    with pytest.raises(ValueError, match="n_critic"):
        train.train(g, c, _toy(), OBJECTIVES["wgan"][0], train.wgan_config(n_critic=0))


def test_generate_shapes():
    g, _ = _pair()
    assert train.generate(g, 7).shape == (7, 2)
    conv = models.dcgan_generator(size=32, latent_dim=8, width=4)
    assert train.generate(conv, 3).shape == (3, 32, 32, 1)


# ---------------------------------------------------------------- a student's own step (gp_step)

def _uniform_alpha(batch, shape, seed):
    return keras.random.uniform((batch,) + (1,) * len(shape), seed=seed)


def test_own_step_driver_hands_the_step_the_papers_adam_and_records_its_losses():
    import variants
    from wganlab import gp_step

    seen = []

    def train_step(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
        seen.append([(float(o.learning_rate), float(o.beta_1), float(o.beta_2)) for o in (g_opt, c_opt)]
                    + [tuple(real.shape), tuple(z.shape), tuple(alpha.shape), lam])
        return variants._step(generator, critic, g_opt, c_opt, real, z, alpha, lam, c_loss_fn=ref.critic_loss_gp)

    g, c = _pair()
    result = gp_step.train_with_step(g, c, _toy(), train_step, _uniform_alpha, steps=6, batch_size=16, log_every=4,
                                     compiled=False)
    assert seen[0][:2] == [pytest.approx((1e-4, 0.0, 0.9))] * 2  # float32 variables: 1e-4 to 7 digits
    assert seen[0][2:] == [(5, 16, 2), (6, 16, 4), (5, 16, 1), 10.0]
    assert result.steps == len(seen) == 6
    assert {k: len(v) for k, v in result.history.items()} == {k: 6 for k in train.HISTORY_KEYS}
    assert np.isfinite(np.stack(list(result.history.values()))).all()


def test_own_step_driver_names_the_first_non_finite_step_and_refuses_bad_data():
    from wganlab import gp_step

    def nan_step(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
        return ops.log(-ops.ones(())), -ops.mean(critic(generator(z[-1])))

    g, c = _pair()
    with pytest.raises(train.TrainingDiverged, match=r"critic loss became nan at generator step 1 \(your train_step\)"):
        gp_step.train_with_step(g, c, _toy(), nan_step, _uniform_alpha, steps=3, compiled=False)
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        gp_step.train_with_step(g, c, np.zeros((10, 3), "float32"), nan_step, _uniform_alpha, steps=1)
    with pytest.raises(ValueError, match="n_critic >= 1"):
        gp_step.train_with_step(g, c, _toy(), nan_step, _uniform_alpha, steps=1, n_critic=0)


# ---------------------------------------------------------------- the Keras idiom (fit_model)

def _neutral_step(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
    import variants  # a correct step written with wganlab.autodiff: it runs under every backend

    return variants._step(generator, critic, g_opt, c_opt, real, z, alpha, lam, c_loss_fn=ref.critic_loss_gp)


def _fit_pair(seed):
    return models.mlp_pair((2,), hidden=16, seed=seed)


def test_fit_runs_the_step_on_the_inputs_train_step_draws():
    from wganlab import fit_model

    g, c = _fit_pair(3)
    model = fit_model.StepWGAN(g, c, _neutral_step, _uniform_alpha, n_critic=2, batch_size=8, seed=5)
    model.compile()
    batches = fit_model.RealBatches(_toy(), 1, batch_size=8, n_critic=2, seed=7)
    grids = fit_model.SampleGrids(every=1, n=4)
    model.fit(batches, epochs=1, verbose=0, callbacks=[grids])

    # The same step called by hand on the draws train_step makes (same seeds, same order).
    g2, c2 = _fit_pair(3)
    g_opt, c_opt = train.make_optimizer(train.wgan_gp_config()), train.make_optimizer(train.wgan_gp_config())
    g_opt.build(g2.trainable_variables)
    c_opt.build(c2.trainable_variables)
    seeds = keras.random.SeedGenerator(5)
    real = ops.reshape(ops.convert_to_tensor(fit_model.RealBatches(_toy(), 1, 8, 2, seed=7)[0]), (2, 8, 2))
    z = keras.random.normal((3, 8, g2.input_shape[-1]), seed=seeds)
    alpha = ops.stack([_uniform_alpha(8, (2,), seeds) for _ in range(2)])
    # Compiled like fit's step (JAX runs a double backward eagerly op by op: a minute on CPU).
    by_hand = autodiff.compile_step(lambda: _neutral_step(g2, c2, g_opt, c_opt, real, z, alpha, 10.0),
                                    [*g2.variables, *c2.variables, *g_opt.variables, *c_opt.variables])
    by_hand()
    for fitted, by_hand in zip(g.weights + c.weights, g2.weights + c2.weights):
        np.testing.assert_allclose(ops.convert_to_numpy(fitted), ops.convert_to_numpy(by_hand), rtol=1e-4, atol=1e-6)
    # Both optimizers' state came back from the step (JAX threads it through a pure function).
    assert (int(model.c_optimizer.iterations), int(model.g_optimizer.iterations)) == (2, 1)
    assert [step for step, _ in grids.grids] == [1]
    np.testing.assert_allclose(grids.grids[0][1], ops.convert_to_numpy(g(grids.z)), rtol=1e-5, atol=1e-6)


def test_fit_draws_fresh_inputs_each_step_and_shows_every_n_steps():
    from wganlab import fit_model

    def alpha_as_loss(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
        _neutral_step(generator, critic, g_opt, c_opt, real, z, alpha, lam)
        return ops.mean(alpha), ops.mean(z)

    shown = []
    model = fit_model.StepWGAN(*_fit_pair(0), alpha_as_loss, _uniform_alpha, n_critic=1, batch_size=4)
    model.compile()
    grids = fit_model.SampleGrids(every=2, n=3, show=lambda step, images: shown.append((step, images.shape)))
    history = model.fit(fit_model.RealBatches(_toy(), 2, 4, 1), epochs=3, verbose=0,
                        callbacks=[grids])
    alphas = history.history["critic_loss"]  # per epoch: the mean over its two steps
    assert len(set(np.round(alphas, 6))) == 3 and all(0.0 < a < 1.0 for a in alphas)
    assert shown == [(2, (3, 2)), (4, (3, 2)), (6, (3, 2))]


def test_fit_model_refuses_what_it_cannot_run():
    from wganlab import fit_model

    with pytest.raises(ValueError, match="n_critic and batch_size must be at least 1"):
        fit_model.StepWGAN(*_fit_pair(0), _neutral_step, _uniform_alpha, n_critic=0)
    with pytest.raises(ValueError, match="non-empty finite array"):
        fit_model.RealBatches(np.full((4, 2), np.nan), 1)
    with pytest.raises(ValueError, match="steps must be at least 1"):
        fit_model.RealBatches(_toy(), 0)
    with pytest.raises(ValueError, match="every and n must be at least 1"):
        fit_model.SampleGrids(every=0)
