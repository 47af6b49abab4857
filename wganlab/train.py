"""Trainers for the standard GAN, WGAN with weight clipping and WGAN-GP.

One loop serves all three: the losses, the clipping and the penalty come in as plain functions
(:class:`Objectives`), so the autograder trains with a student's own functions and the
notebooks with the reference. The step (``n_critic`` critic updates, then one generator update)
samples its data on the device and is compiled per backend (:mod:`wganlab.autodiff`).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import keras
import numpy as np
from keras import ops

from wganlab import autodiff
from wganlab.errors import UserError


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one training run; build it with a preset and override by keyword."""

    steps: int = 1000  # generator updates
    batch_size: int = 64
    n_critic: int = 5  # critic updates per generator update
    optimizer: str = "rmsprop"  # "rmsprop" or "adam"
    lr: float = 5e-5
    beta_1: float = 0.5  # Adam only
    beta_2: float = 0.999  # Adam only
    seed: int = 0
    compiled: bool = True  # False runs the same step eagerly (debugging, benchmarks)
    jit_compile: bool | None = None  # TensorFlow XLA; JAX always uses XLA
    log_every: int = 50  # generator steps between host syncs (NaN checks, progress bar)
    progress: bool = True


def wgan_config(**overrides: Any) -> TrainConfig:
    """WGAN with weight clipping (Arjovsky et al. 2017, Algorithm 1): RMSProp 5e-5, n_critic 5."""
    return dataclasses.replace(TrainConfig(optimizer="rmsprop", lr=5e-5, n_critic=5), **overrides)


def wgan_gp_config(**overrides: Any) -> TrainConfig:
    """WGAN-GP (Gulrajani et al. 2017, Algorithm 1): Adam 1e-4, beta 0 and 0.9, n_critic 5."""
    base = TrainConfig(optimizer="adam", lr=1e-4, beta_1=0.0, beta_2=0.9, n_critic=5)
    return dataclasses.replace(base, **overrides)


def gan_config(**overrides: Any) -> TrainConfig:
    """Standard GAN (DCGAN settings): Adam 2e-4, beta_1 0.5, one discriminator step per step."""
    base = TrainConfig(optimizer="adam", lr=2e-4, beta_1=0.5, beta_2=0.999, n_critic=1)
    return dataclasses.replace(base, **overrides)


@dataclass(frozen=True)
class Objectives:
    """What a run minimises: ``critic(critic_model, real, fake, alpha) -> scalar``,
    ``generator(fake_scores) -> scalar`` and an optional in-place ``constraint(critic_model)``
    applied after every critic update (weight clipping)."""

    critic: Callable[..., Any]
    generator: Callable[[Any], Any]
    constraint: Callable[[keras.Model], None] | None = None
    name: str = "custom"


def gan_objectives(discriminator_loss: Callable, generator_loss: Callable) -> Objectives:
    """Standard GAN from ``discriminator_loss(real_logits, fake_logits)`` and ``generator_loss``."""
    return Objectives(
        critic=lambda critic, real, fake, alpha: discriminator_loss(critic(real), critic(fake)),
        generator=generator_loss,
        name="gan",
    )


def wgan_objectives(
    critic_loss: Callable, wgan_generator_loss: Callable, clip_weights: Callable, clip: float = 0.01
) -> Objectives:
    """WGAN with weight clipping from the student functions; ``clip`` is the paper's c."""
    return Objectives(
        critic=lambda critic, real, fake, alpha: critic_loss(critic(real), critic(fake)),
        generator=wgan_generator_loss,
        constraint=lambda critic: clip_weights(critic, clip),
        name="wgan",
    )


def wgan_gp_objectives(
    critic_loss_gp: Callable, wgan_generator_loss: Callable, lam: float = 10.0
) -> Objectives:
    """WGAN-GP from ``critic_loss_gp(critic, real, fake, alpha, lam)``; ``lam`` is the paper's λ."""
    return Objectives(
        critic=lambda critic, real, fake, alpha: critic_loss_gp(critic, real, fake, alpha, lam),
        generator=wgan_generator_loss,
        name="wgan_gp",
    )


class TrainingDiverged(UserError, RuntimeError):
    """A loss became NaN or infinite; the message names the step and the loss."""


@dataclass
class TrainResult:
    """History of a run: one value per generator step for each metric, plus timing."""

    history: dict[str, np.ndarray] = field(default_factory=dict)
    steps: int = 0
    seconds: float = 0.0  # wall time of the steps, compilation included

    @property
    def steps_per_s(self) -> float:
        """Generator steps per second over the whole run (compilation included)."""
        return self.steps / self.seconds if self.seconds > 0 else float("nan")


HISTORY_KEYS = ("critic_loss", "generator_loss", "w_estimate")


def make_optimizer(config: TrainConfig) -> keras.optimizers.Optimizer:
    """The optimizer a config names, with its learning rate and betas."""
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=config.lr)
    if config.optimizer == "adam":
        return keras.optimizers.Adam(learning_rate=config.lr, beta_1=config.beta_1, beta_2=config.beta_2)
    raise ValueError(f"optimizer must be 'rmsprop' or 'adam', got {config.optimizer!r}")


def _latent_dim(generator: keras.Model) -> int:
    shape = generator.input_shape
    if not isinstance(shape, tuple) or len(shape) != 2:
        raise ValueError(f"the generator must take one input of shape (batch, latent_dim), got {shape}")
    return int(shape[-1])


def check_data(data: Any, critic: keras.Model) -> Any:
    """``data`` (N, *critic input shape), N > 0, all finite, as a float32 backend tensor; else ValueError."""
    array = np.asarray(data, dtype="float32")
    if not np.isfinite(array).all():
        raise ValueError(f"real data contains NaN or infinite values ({int((~np.isfinite(array)).sum())} "
                         "entries); check how it was loaded and scaled")
    data = ops.convert_to_tensor(array)
    want = tuple(critic.input_shape[1:])
    if tuple(data.shape[1:]) != want or data.shape[0] == 0:
        raise ValueError(f"real data must have shape (N, {', '.join(map(str, want))}) with N > 0 "
                         f"to match the critic's input, got {tuple(data.shape)}")
    return data


def check_config(config: TrainConfig) -> None:
    """Refuse a config no loop can run (negative steps, empty batches, no critic update)."""
    if config.steps < 0 or config.batch_size < 1 or config.n_critic < 1 or config.log_every < 1:
        raise ValueError(f"steps >= 0, batch_size >= 1, n_critic >= 1 and log_every >= 1 needed: {config}")


def _updates(generator, critic, objectives, config, n_data):
    """The step's parts: ``critic_update(data) -> (loss, real, fake)`` (no constraint),
    ``generator_update(real, fake) -> (generator_loss, w_estimate)`` and the state they touch."""
    batch, latent = config.batch_size, _latent_dim(generator)
    sample_shape = tuple(critic.input_shape[1:])
    g_opt, c_opt = make_optimizer(config), make_optimizer(config)
    g_opt.build(generator.trainable_variables)
    c_opt.build(critic.trainable_variables)
    seeds = keras.random.SeedGenerator(config.seed)

    def critic_update(data):
        idx = keras.random.randint((batch,), 0, n_data, seed=seeds)
        real = ops.take(data, idx, axis=0)
        fake = ops.stop_gradient(generator(keras.random.normal((batch, latent), seed=seeds), training=True))
        # Uniform interpolation weight, one per sample, broadcast over the sample axes.
        alpha = keras.random.uniform((batch,) + (1,) * len(sample_shape), seed=seeds)
        critic_vars = critic.trainable_variables
        c_loss, grads = autodiff.value_and_grad(lambda: objectives.critic(critic, real, fake, alpha), critic_vars)
        c_opt.apply(grads, critic_vars)
        return c_loss, real, fake

    def generator_update(real, fake):
        # The critic's Kantorovich-Rubinstein gap on the last batch: its estimate of (k times) W.
        w_est = ops.mean(critic(real)) - ops.mean(critic(fake))
        z = keras.random.normal((batch, latent), seed=seeds)
        g_loss, grads = autodiff.value_and_grad(
            lambda: objectives.generator(critic(generator(z, training=True))),
            generator.trainable_variables,
        )
        g_opt.apply(grads, generator.trainable_variables)
        return g_loss, w_est

    variables = [*generator.variables, *critic.variables, *g_opt.variables, *c_opt.variables,
                 seeds.state]
    return critic_update, generator_update, variables


def _chain(critic_update, generator_update, constraint, critic, n_critic):
    def step(data):
        for _ in range(n_critic):
            c_loss, real, fake = critic_update(data)
            if constraint is not None:
                constraint(critic)
        g_loss, w_est = generator_update(real, fake)
        return tuple(ops.convert_to_tensor(v, "float32") for v in (c_loss, g_loss, w_est))

    return step


def build_step(
    generator: keras.Model,
    critic: keras.Model,
    objectives: Objectives,
    config: TrainConfig,
    n_data: int,
) -> tuple[Callable[[Any], tuple], list]:
    """Return ``(step, variables)``: ``step(data) -> (critic_loss, generator_loss, w_estimate)``
    runs ``n_critic`` critic updates (each followed by the constraint) and one generator update;
    ``variables`` is the state it reads and writes (compiled by
    :func:`wganlab.autodiff.compile_step`)."""
    critic_update, generator_update, variables = _updates(generator, critic, objectives, config, n_data)
    return _chain(critic_update, generator_update, objectives.constraint, critic, config.n_critic), variables


def build_split_step(
    generator: keras.Model,
    critic: keras.Model,
    objectives: Objectives,
    config: TrainConfig,
    n_data: int,
) -> Callable[[Any], tuple]:
    """The step of :func:`build_step` with compiled updates and the constraint run eagerly between
    them: for a constraint that cannot be traced (numpy, ``set_weights``). Same random stream."""
    critic_update, generator_update, variables = _updates(generator, critic, objectives, config, n_data)
    compile_ = lambda fn: autodiff.compile_step(  # noqa: E731
        fn, variables, compiled=config.compiled, jit_compile=config.jit_compile)
    return _chain(compile_(critic_update), compile_(generator_update), objectives.constraint, critic,
                  config.n_critic)


def constraint_runs_compiled(objectives: Objectives, critic: keras.Model, config: TrainConfig) -> bool:
    """Whether the constraint gives the same weights inside the compiled step as eagerly; if not,
    print a one-line notice (training then runs it eagerly, slower)."""
    if objectives.constraint is None or not config.compiled:
        return True
    if autodiff.runs_compiled(lambda: objectives.constraint(critic), critic.variables,
                              jit_compile=config.jit_compile):
        return True
    print(f"note: the {objectives.name} constraint (clip_weights) cannot run inside the compiled "
          f"step under {autodiff.backend()}, so it runs eagerly after each critic update (slower); "
          "variable.assign(keras.ops.clip(...)) runs compiled")
    return False


def train(
    generator: keras.Model,
    critic: keras.Model,
    data: Any,
    objectives: Objectives,
    config: TrainConfig | None = None,
    callback: Callable[[int, Mapping[str, float]], None] | None = None,
) -> TrainResult:
    """Train ``generator`` against ``critic`` on ``data`` (N, *sample_shape) in place.

    Raises :class:`TrainingDiverged` at the first NaN/inf loss, naming the generator step.
    ``callback(step, latest_metrics)`` runs on the host every ``config.log_every`` steps.
    """
    config = config or wgan_config()
    check_config(config)
    data = check_data(data, critic)
    if constraint_runs_compiled(objectives, critic, config):
        step, variables = build_step(generator, critic, objectives, config, int(data.shape[0]))
        step = autodiff.compile_step(step, variables, compiled=config.compiled, jit_compile=config.jit_compile)
    else:
        step = build_split_step(generator, critic, objectives, config, int(data.shape[0]))
    advice = (f"({objectives.name} objectives); check the loss functions for log(0), division by zero "
              "or a sign error, or lower the learning rate")
    return run_steps(step, data, config, advice, callback)


def run_steps(
    step: Callable[[Any], tuple],
    data: Any,
    config: TrainConfig,
    advice: str,
    callback: Callable[[int, Mapping[str, float]], None] | None = None,
) -> TrainResult:
    """Call ``step(data) -> (critic_loss, generator_loss, w_estimate)`` ``config.steps`` times,
    syncing with the host every ``config.log_every`` steps; :class:`TrainingDiverged` at the first
    NaN/inf names the step and ends with ``advice`` (what to check)."""
    history: dict[str, list[float]] = {k: [] for k in HISTORY_KEYS}
    pending: list[tuple] = []
    bar = _progress(config)
    start = time.perf_counter()
    done = 0
    while done < config.steps:
        chunk = min(config.log_every, config.steps - done)
        for _ in range(chunk):
            pending.append(step(data))
        _drain(pending, history, first_step=done + 1, advice=advice)
        done += chunk
        latest = {k: v[-1] for k, v in history.items()}
        if bar is not None:
            bar.update(chunk)
            bar.set_postfix({k: f"{v:.3g}" for k, v in latest.items()}, refresh=False)
        if callback is not None:
            callback(done, latest)
    seconds = time.perf_counter() - start
    if bar is not None:
        bar.close()
    return TrainResult({k: np.asarray(v, dtype=np.float64) for k, v in history.items()}, done, seconds)


def _drain(pending: list, history: dict, first_step: int, advice: str) -> None:
    """Move device results to the host in one sync and stop at the first non-finite loss."""
    values = np.asarray([[float(ops.convert_to_numpy(v)) for v in row] for row in pending])
    pending.clear()
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        name = HISTORY_KEYS[col]
        raise TrainingDiverged(
            f"{name.replace('_', ' ')} became {values[row, col]} at generator step {first_step + row} {advice}")
    for col, key in enumerate(HISTORY_KEYS):
        history[key].extend(values[:, col].tolist())


def _progress(config: TrainConfig):
    if not config.progress or config.steps == 0:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=config.steps, desc="generator steps", unit="step", leave=False)


def generate(generator: keras.Model, n: int, seed: int = 0, batch_size: int = 500) -> np.ndarray:
    """Draw ``n`` samples from ``generator`` as a float32 numpy array (n, *sample_shape)."""
    latent = _latent_dim(generator)
    z = np.random.default_rng(seed).standard_normal((n, latent)).astype("float32")
    out = [ops.convert_to_numpy(generator(z[i:i + batch_size], training=False))
           for i in range(0, n, batch_size)]
    return np.concatenate(out, axis=0) if out else np.zeros((0, *generator.output_shape[1:]), "float32")

