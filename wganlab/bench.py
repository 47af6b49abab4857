"""``wganlab bench``: generator steps per second, compiled against eager and a Keras-fit baseline.

For each workload x variant x batch size the benchmark builds fresh models, warms the step up
(tracing and XLA compilation are not timed), then times ``K`` generator steps (each with its
``n_critic`` critic steps) ``R`` times and reports the median rate. ``K`` is chosen per cell so
that one timed repeat lasts about ``Schedule.seconds``; the repeats of the variants of one
workload x batch interleave, so that load from other processes falls on all of them alike.

Variants:

- ``compiled``: :func:`wganlab.train.build_step` + :func:`wganlab.autodiff.compile_step`, the
  trainer's own path (``tf.function`` without XLA under TensorFlow, ``jax.jit`` under JAX);
- ``compiled_xla`` (TensorFlow only): the same with ``jit_compile=True``;
- ``eager``: the same step, not compiled (``TrainConfig.compiled=False``);
- ``keras_fit_baseline``: a ``keras.Model`` subclass holding the generator and the critic whose
  ``train_step`` runs the critic loop, driven by ``model.fit(..., epochs=1, steps_per_epoch=K)``,
  written the way the Keras WGAN-GP example does it (``tf.GradientTape`` under TensorFlow; a
  stateless ``train_step(state, data)`` under JAX, as Keras's JAX trainer requires).

The CSV's first five columns are the contract (``workload, backend, variant, batch,
steps_per_s``); the others describe the measurement.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

WORKLOADS = ("mnist_wgan", "mnist_wgan_gp", "celeba_wgan_gp")
VARIANTS = ("compiled", "compiled_xla", "eager", "keras_fit_baseline")
CONTRACT_COLUMNS = ("workload", "backend", "variant", "batch", "steps_per_s")
EXTRA_COLUMNS = ("steps_per_s_min", "steps_per_s_max", "steps_per_repeat", "repeats",
                 "image_size", "data", "note")
COLUMNS = CONTRACT_COLUMNS + EXTRA_COLUMNS
MNIST_DIGIT = 1
RANDOM_CELEBA_IMAGES = 2048


@dataclass(frozen=True)
class Schedule:
    """How long to measure: seconds per timed repeat, repeats, and the CelebA image size."""

    seconds: float = 2.0  # target wall time of one timed repeat of K generator steps
    repeats: int = 5
    warmup_steps: int = 2  # untimed calls before calibration (tracing, compilation)
    max_steps: int = 5000  # cap on K
    celeba_size: int = 64
    celeba_images: int | None = None  # cap on the CelebA images held (None: all of the cache)


FULL = Schedule()
QUICK = Schedule(seconds=0.5, repeats=3, celeba_size=32, celeba_images=4096)


@dataclass
class Row:
    """One measured cell; ``steps_per_s`` is the median over the repeats (nan when not measured)."""

    workload: str
    backend: str
    variant: str
    batch: int
    steps_per_s: float
    steps_per_s_min: float = math.nan
    steps_per_s_max: float = math.nan
    steps_per_repeat: int = 0
    repeats: int = 0
    image_size: int = 0
    data: str = ""
    note: str = ""


# ------------------------------------------------------------------------------------ workloads


@dataclass
class Workload:
    name: str
    kind: str  # objectives: "wgan" or "wgan_gp"
    real: Any  # float32 numpy array (N, *sample_shape)
    data: str  # where the images come from, for the table
    models: Callable[[], tuple]  # fresh (generator, critic)
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
            from wganlab.data import DataError

            raise DataError(f"{path} holds {native}x{native} images; the benchmark needs {size}x{size} "
                            f"(or {2 * size}x{2 * size} to pool); prepare it with --size {size}")
    pooled = f", pooled from {native} px" if native != size else ""
    return real, f"CelebA cache {path.name} ({len(real)} images{pooled})"


def make_workloads(names: Sequence[str], schedule: Schedule, celeba: Path | None = None) -> list[Workload]:
    """The workloads asked for, with their data loaded once."""
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
                lambda: (models.mlp_generator((28, 28, 1)), models.mlp_critic((28, 28, 1))),
                train.wgan_config if name == "mnist_wgan" else train.wgan_gp_config))
        elif name == "celeba_wgan_gp":
            real, where = _celeba_images(celeba, schedule.celeba_size, schedule.celeba_images)
            size = schedule.celeba_size
            out.append(Workload(
                name, "wgan_gp", real, where,
                lambda size=size: (models.dcgan_generator(size=size), models.dcgan_critic(size=size)),
                train.wgan_gp_config))
        else:
            raise ValueError(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}")
    return out


# ------------------------------------------------------------------------------------- timing


def _sync(outputs, generator) -> None:
    """Wait for the device: the step's outputs and the generator's last update."""
    from keras import ops

    for value in outputs or ():
        ops.convert_to_numpy(value)
    ops.convert_to_numpy(generator.trainable_variables[-1])


def _calibrate(run: Callable[[int], None], schedule: Schedule) -> int:
    """Warm ``run(k)`` up (tracing, compilation), then pick K for ``schedule.seconds`` per repeat."""
    run(schedule.warmup_steps)
    k = 1
    while True:  # grow k until a run is long enough to time
        start = time.perf_counter()
        run(k)
        elapsed = time.perf_counter() - start
        if elapsed >= min(0.25, schedule.seconds / 2) or k >= schedule.max_steps:
            break
        k = min(k * 4, schedule.max_steps)
    return max(1, min(schedule.max_steps, round(schedule.seconds * k / max(elapsed, 1e-9))))


def _step_runner(workload: Workload, objectives, batch: int, variant: str):
    import keras
    import numpy as np
    from keras import ops

    from wganlab import autodiff, train

    keras.utils.set_random_seed(0)
    generator, critic = workload.models()
    compiled = variant != "eager"
    jit = variant == "compiled_xla"
    config = workload.config(batch_size=batch, compiled=compiled, jit_compile=jit, progress=False)
    data = ops.convert_to_tensor(np.asarray(workload.real, dtype="float32"))
    step, variables = train.build_step(generator, critic, objectives, config, int(data.shape[0]))
    step = autodiff.compile_step(step, variables, compiled=compiled, jit_compile=jit)

    def run(k: int) -> None:
        out = None
        for _ in range(k):
            out = step(data)
        _sync(out, generator)

    how = {"tensorflow": f"tf.function(jit_compile={jit})", "jax": "jax.jit",
           "torch": "torch eager (compile_step does not compile under torch)"}
    return run, how.get(keras.backend.backend(), "") if compiled else "not compiled"


def _fit_runner(workload: Workload, objectives, batch: int):
    import keras

    keras.utils.set_random_seed(0)
    generator, critic = workload.models()
    config = workload.config(batch_size=batch, progress=False)
    model = fit_model_class()(generator, critic, objectives, config)
    model.compile()
    dataset = fit_data(workload.real, batch * config.n_critic, seed=config.seed)

    def run(k: int) -> None:
        model.fit(dataset, epochs=1, steps_per_epoch=k, verbose=0, shuffle=False)
        _sync(None, generator)

    xla = "XLA" if model.jit_compile else "no XLA"
    return run, f"fit(jit_compile='auto' -> {xla}); {config.n_critic}x{batch} real images per fit step"


def _skip_reason(variant: str, backend: str) -> str:
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
    if variant == "compiled_xla" and backend != "tensorflow":
        return f"not measured: {backend} has no separate XLA switch (jax.jit always uses XLA)"
    if variant == "keras_fit_baseline" and backend not in ("tensorflow", "jax"):
        return (f"not measured: no fit baseline written for {backend} (its train_step could not be "
                "checked without it installed)")
    return ""


def _failure(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"failed: {type(exc).__name__}: {text[0][:200] if text else ''}".rstrip(": ")


def measure_group(workload: Workload, variants: Sequence[str], batch: int, schedule: Schedule) -> list[Row]:
    """Time the variants of one workload x batch on the active backend, one row per variant.

    Every variant is built, warmed up and calibrated first; then the timed repeats interleave
    the variants (in a rotating order), so that load from other processes on a shared machine
    falls on all of them alike and the ratios of one run compare like with like.
    """
    import keras

    from wganlab.commands import objectives_for

    backend = keras.backend.backend()
    rows = {v: Row(workload.name, backend, v, batch, math.nan, image_size=workload.image_size,
                   data=workload.data, note=_skip_reason(v, backend)) for v in variants}
    objectives = objectives_for(workload.kind, None)
    runners: dict[str, Callable[[int], None]] = {}
    rates: dict[str, list[float]] = {}
    steps: dict[str, int] = {}
    try:
        for variant in variants:
            if rows[variant].note:
                continue
            try:
                if variant == "keras_fit_baseline":
                    run, note = _fit_runner(workload, objectives, batch)
                else:
                    run, note = _step_runner(workload, objectives, batch, variant)
                steps[variant] = _calibrate(run, schedule)
                runners[variant] = run
                rates[variant] = []
                rows[variant].note = note
            except Exception as exc:  # one failing variant must not lose the others' numbers
                rows[variant].note = _failure(exc)
        for repeat in range(schedule.repeats):
            order = list(runners)
            order = order[repeat % len(order):] + order[:repeat % len(order)] if order else order
            for variant in order:
                start = time.perf_counter()
                try:
                    runners[variant](steps[variant])
                except Exception as exc:
                    rows[variant].note = _failure(exc)
                    del runners[variant], rates[variant]
                    continue
                rates[variant].append(steps[variant] / (time.perf_counter() - start))
    finally:
        runners.clear()
        keras.backend.clear_session()
    for variant, values in rates.items():
        row = rows[variant]
        row.steps_per_s = statistics.median(values)
        row.steps_per_s_min, row.steps_per_s_max = min(values), max(values)
        row.steps_per_repeat, row.repeats = steps[variant], len(values)
    return [rows[v] for v in variants]


def default_variants() -> tuple[str, ...]:
    """Every variant that means something on the active backend."""
    import keras

    if keras.backend.backend() == "tensorflow":
        return VARIANTS
    return tuple(v for v in VARIANTS if v != "compiled_xla")


def run_bench(
    workloads: Sequence[str] = WORKLOADS,
    variants: Sequence[str] | None = None,
    batches: Sequence[int] = (64,),
    schedule: Schedule = FULL,
    celeba: Path | None = None,
    log: Callable[[str], None] | None = print,
) -> list[Row]:
    """Measure every workload x variant x batch; return the rows in that order."""
    variants = tuple(variants or default_variants())
    for v in variants:
        if v not in VARIANTS:
            raise ValueError(f"unknown variant {v!r}; choose from {', '.join(VARIANTS)}")
    rows = []
    for workload in make_workloads(workloads, schedule, celeba):
        for batch in batches:
            for row in measure_group(workload, variants, int(batch), schedule):
                rows.append(row)
                if log is not None:
                    log(f"  {row.workload:<15} {row.variant:<19} batch {row.batch:<5} "
                        f"{_fmt(row.steps_per_s):>9} steps/s  {row.note}".rstrip())
    return rows


# ------------------------------------------------------------------------- Keras-fit baseline


def fit_data(real, batch: int, seed: int = 0):
    """An endless stream of ``batch`` real images for ``fit``: tf.data under TensorFlow, a
    :class:`keras.utils.PyDataset` elsewhere (no TensorFlow on JAX GPU machines)."""
    import keras
    import numpy as np

    real = np.asarray(real, dtype="float32")
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        images = tf.constant(real)
        return (tf.data.Dataset.range(len(real)).repeat().shuffle(len(real), seed=seed)
                .batch(batch, drop_remainder=True).map(lambda idx: tf.gather(images, idx))
                .prefetch(tf.data.AUTOTUNE))

    class RandomBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(seed)

        @property
        def num_batches(self):
            return None  # endless: fit stops at steps_per_epoch

        def __getitem__(self, index):
            return real[self.rng.integers(0, len(real), size=batch)]

    return RandomBatches()


_FIT_MODEL = None


def fit_model_class():
    """The ``keras.Model`` subclass of the fit baseline (defined on first use: importing this
    module must not import Keras, which every ``wganlab`` command would then pay for)."""
    global _FIT_MODEL
    if _FIT_MODEL is not None:
        return _FIT_MODEL
    import keras

    class FitWGAN(keras.Model):
        """WGAN / WGAN-GP trained by ``fit``, written the way the Keras WGAN-GP example does it.

        One ``fit`` step receives ``n_critic * batch`` real images and runs ``n_critic`` critic
        updates (each on its own ``batch`` of them, like the paper and :mod:`wganlab.train`), then
        one generator update. The losses are ``objectives`` (the reference masters' functions).
        """

        def __init__(self, generator, critic, objectives, config):
            from wganlab import train

            super().__init__(name="fit_wgan")
            self.generator = generator
            self.critic = critic
            self.objectives = objectives
            self.n_critic = int(config.n_critic)
            self.batch = int(config.batch_size)
            self.latent = int(generator.input_shape[-1])
            self.alpha_shape = (self.batch,) + (1,) * (len(critic.input_shape) - 1)
            self.seed_generator = keras.random.SeedGenerator(config.seed)
            self.c_optimizer = train.make_optimizer(config)
            self.g_optimizer = train.make_optimizer(config)
            self.c_optimizer.build(critic.trainable_variables)
            self.g_optimizer.build(generator.trainable_variables)
            if keras.backend.backend() == "jax":
                # Keras's JAX trainer threads one optimizer's state (``self.optimizer``, the
                # critic's) through its jitted step; tracking the generator optimizer's variables
                # as model state makes it thread them too (in non_trainable_variables).
                self.g_optimizer_state = list(self.g_optimizer.variables)
            self._layout = None
            self.built = True

        def compile(self, **kwargs):
            super().compile(optimizer=self.c_optimizer, **kwargs)

        def train_step(self, *args):
            if keras.backend.backend() == "jax":
                return self._jax_train_step(*args)
            return self._tf_train_step(*args)

        # TensorFlow: stateful, one GradientTape per update, traced by fit's tf.function.
        def _tf_train_step(self, data):
            import tensorflow as tf

            reals = keras.utils.unpack_x_y_sample_weight(data)[0]
            critic_vars = self.critic.trainable_variables
            for i in range(self.n_critic):
                real = reals[i * self.batch:(i + 1) * self.batch]
                z = keras.random.normal((self.batch, self.latent), seed=self.seed_generator)
                fake = self.generator(z, training=True)
                alpha = keras.random.uniform(self.alpha_shape, seed=self.seed_generator)
                with tf.GradientTape() as tape:
                    c_loss = self.objectives.critic(self.critic, real, fake, alpha)
                grads = tape.gradient(c_loss, critic_vars)
                self.c_optimizer.apply_gradients(zip(grads, critic_vars))
                if self.objectives.constraint is not None:
                    self.objectives.constraint(self.critic)
            z = keras.random.normal((self.batch, self.latent), seed=self.seed_generator)
            gen_vars = self.generator.trainable_variables
            with tf.GradientTape() as tape:
                scores = self.critic(self.generator(z, training=True), training=True)
                g_loss = self.objectives.generator(scores)
            grads = tape.gradient(g_loss, gen_vars)
            self.g_optimizer.apply_gradients(zip(grads, gen_vars))
            return {"critic_loss": c_loss, "generator_loss": g_loss}

        # JAX: Keras's JAX trainer jits ``train_step(state, data) -> (logs, state)``, a pure
        # function of the (trainable, non-trainable, optimizer, metrics) variable values.
        def _positions(self):
            if self._layout is None:
                def where(pool, subset):
                    index = {id(v): i for i, v in enumerate(pool)}
                    return [index[id(v)] for v in subset]

                tv, ntv = self.trainable_variables, self.non_trainable_variables
                self._layout = {
                    "g": where(tv, self.generator.trainable_variables),
                    "c": where(tv, self.critic.trainable_variables),
                    "g_nt": where(ntv, self.generator.non_trainable_variables),
                    "c_nt": where(ntv, self.critic.non_trainable_variables),
                    "g_opt": where(ntv, self.g_optimizer.variables),
                    "seed": where(ntv, [self.seed_generator.state])[0],
                }
            return self._layout

        def _jax_train_step(self, state, data):
            import jax

            trainable, non_trainable, c_opt, metrics = state
            at = self._positions()
            g = [trainable[i] for i in at["g"]]
            c = [trainable[i] for i in at["c"]]
            g_nt = [non_trainable[i] for i in at["g_nt"]]
            c_nt = [non_trainable[i] for i in at["c_nt"]]
            g_opt = [non_trainable[i] for i in at["g_opt"]]
            seed = [non_trainable[at["seed"]]]

            def draw(fn, shape):
                mapping = [(self.seed_generator.state, seed[0])]
                with keras.StatelessScope(state_mapping=mapping) as scope:
                    out = fn(shape, seed=self.seed_generator)
                seed[0] = scope.get_current_value(self.seed_generator.state)
                return out

            def critic_loss(c, real, fake, alpha):
                def critic(x):
                    return self.critic.stateless_call(c, c_nt, x, training=True)[0]

                return self.objectives.critic(critic, real, fake, alpha)

            def generator_loss(g, z):
                fake, _ = self.generator.stateless_call(g, g_nt, z, training=True)
                scores, _ = self.critic.stateless_call(c, c_nt, fake, training=True)
                return self.objectives.generator(scores)

            reals = keras.utils.unpack_x_y_sample_weight(data)[0]
            for i in range(self.n_critic):
                real = reals[i * self.batch:(i + 1) * self.batch]
                z = draw(keras.random.normal, (self.batch, self.latent))
                fake, g_nt = self.generator.stateless_call(g, g_nt, z, training=True)
                alpha = draw(keras.random.uniform, self.alpha_shape)
                c_loss, grads = jax.value_and_grad(critic_loss)(c, real, fake, alpha)
                c, c_opt = self.optimizer.stateless_apply(c_opt, grads, c)
                if self.objectives.constraint is not None:  # in-place clipping, run statelessly
                    variables = self.critic.trainable_variables
                    with keras.StatelessScope(state_mapping=list(zip(variables, c))) as scope:
                        self.objectives.constraint(self.critic)
                    c = [scope.get_current_value(v) for v in variables]
            z = draw(keras.random.normal, (self.batch, self.latent))
            g_loss, grads = jax.value_and_grad(generator_loss)(g, z)
            g, g_opt = self.g_optimizer.stateless_apply(g_opt, grads, g)

            trainable, non_trainable = list(trainable), list(non_trainable)
            for positions, values in ((at["g"], g), (at["c"], c)):
                for i, value in zip(positions, values):
                    trainable[i] = value
            for positions, values in ((at["g_nt"], g_nt), (at["c_nt"], c_nt), (at["g_opt"], g_opt)):
                for i, value in zip(positions, values):
                    non_trainable[i] = value
            non_trainable[at["seed"]] = seed[0]
            logs = {"critic_loss": c_loss, "generator_loss": g_loss}
            return logs, (trainable, non_trainable, c_opt, metrics)

    _FIT_MODEL = FitWGAN
    return FitWGAN


# ------------------------------------------------------------------------------ table and CSV


def _fmt(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "nan"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def _ratio(a: float, b: float) -> float:
    if not (math.isfinite(a) and math.isfinite(b)) or b <= 0:
        return math.nan
    return a / b


def format_table(rows: Sequence[Row]) -> str:
    """The measured rows as a text table, then the ratios of each workload x batch."""
    lines = []
    header = f"{'workload':<15} {'backend':<10} {'variant':<19} {'batch':>5} {'steps/s':>9} " \
             f"{'min-max':>13} {'K x R':>9}  note"
    lines += [header, "-" * len(header)]
    for r in rows:
        spread = f"{_fmt(r.steps_per_s_min)}-{_fmt(r.steps_per_s_max)}" if r.repeats else ""
        kr = f"{r.steps_per_repeat}x{r.repeats}" if r.repeats else ""
        lines.append(f"{r.workload:<15} {r.backend:<10} {r.variant:<19} {r.batch:>5} "
                     f"{_fmt(r.steps_per_s):>9} {spread:>13} {kr:>9}  {r.note}".rstrip())
    lines.append("")
    lines.append(f"{'workload':<15} {'batch':>5} {'compiled/eager':>15} {'compiled/baseline':>18} "
                 f"{'xla/compiled':>13}")
    cells: dict[tuple, dict[str, float]] = {}
    for r in rows:
        cells.setdefault((r.workload, r.batch), {})[r.variant] = r.steps_per_s
    for (workload, batch), v in cells.items():
        nan = math.nan
        lines.append(f"{workload:<15} {batch:>5} "
                     f"{_fmt(_ratio(v.get('compiled', nan), v.get('eager', nan))):>15} "
                     f"{_fmt(_ratio(v.get('compiled', nan), v.get('keras_fit_baseline', nan))):>18} "
                     f"{_fmt(_ratio(v.get('compiled_xla', nan), v.get('compiled', nan))):>13}")
    lines.append("")
    data = {}
    for r in rows:
        data.setdefault(r.workload, (r.image_size, r.data))
    for workload, (size, where) in data.items():
        lines.append(f"data {workload}: {size}x{size} px, {where}")
    return "\n".join(lines)


def write_csv(rows: Sequence[Row], path: Path) -> Path:
    """Write the rows to ``path`` atomically (a temporary file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            for row in rows:
                record = dataclasses.asdict(row)
                for key in ("steps_per_s", "steps_per_s_min", "steps_per_s_max"):
                    record[key] = "nan" if not math.isfinite(record[key]) else f"{record[key]:.6g}"
                writer.writerow(record)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def describe_machine() -> str:
    """Backend, versions and machine, for the table's header."""
    import keras

    name = keras.backend.backend()
    versions = [f"keras {keras.__version__}"]
    try:
        module = __import__({"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}[name])
        versions.append(f"{name} {module.__version__}")
    except (ImportError, KeyError, AttributeError):
        pass
    devices = "CPU"
    if name == "jax":
        import jax

        devices = ", ".join(sorted({d.device_kind for d in jax.devices()}))
    elif name == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        devices = f"{len(gpus)} GPU" if gpus else "CPU only"
    return (f"{datetime.date.today().isoformat()} · {', '.join(versions)} · {devices} · "
            f"{os.cpu_count()} CPU cores · {platform.machine()} · python {platform.python_version()}")


# ---------------------------------------------------------------------------------------- CLI


def _comma_list(choices: Sequence[str]):
    def parse(text: str) -> list[str]:
        items = [t.strip() for t in text.split(",") if t.strip()]
        bad = [t for t in items if t not in choices]
        if bad or not items:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(choices)} (comma separated), got {text!r}")
        return items

    return parse


def register(sub) -> None:
    """Add the ``bench`` subcommand to the ``wganlab`` parser."""
    p = sub.add_parser("bench", help="generator steps/s: compiled vs eager vs a Keras-fit baseline",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="a few minutes on a laptop CPU: 0.5 s x 3 repeats per cell, CelebA at 32 px")
    p.add_argument("--out", required=True, type=Path, help="the CSV to write")
    p.add_argument("--workloads", type=_comma_list(WORKLOADS), default=list(WORKLOADS),
                   help=f"comma list (default all: {','.join(WORKLOADS)})")
    p.add_argument("--variants", type=_comma_list(VARIANTS), default=None,
                   help=f"comma list of {','.join(VARIANTS)} (default: all that apply to the backend)")
    p.add_argument("--batch", type=int, nargs="+", default=[64], help="batch sizes (default 64)")
    p.add_argument("--repeats", type=int, default=None, help="timed repeats per cell (default 5, quick 3)")
    p.add_argument("--seconds", type=float, default=None,
                   help="target seconds per timed repeat (default 2, quick 0.5)")
    p.add_argument("--celeba", type=Path, default=None,
                   help="prepared CelebA cache (wganlab prepare-celeba); random images of the same "
                        "shape when absent")
    p.add_argument("--celeba-size", type=int, choices=(32, 64), default=None,
                   help="CelebA side in px (default 64, quick 32; a 64 px cache is pooled to 32)")
    p.set_defaults(func=run_cli)


def run_cli(args) -> int:
    """``wganlab bench``."""
    import keras

    schedule = QUICK if args.quick else FULL
    overrides = {k: v for k, v in (("repeats", args.repeats), ("seconds", args.seconds),
                                   ("celeba_size", args.celeba_size)) if v is not None}
    if any(b < 1 for b in args.batch) or overrides.get("repeats", 1) < 1 or overrides.get("seconds", 1) <= 0:
        print("wganlab bench: error: --batch and --repeats must be >= 1 and --seconds > 0", file=sys.stderr)
        return 2
    schedule = dataclasses.replace(schedule, **overrides)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        # AutoGraph warns once per loss function loaded from a notebook (no source file to read);
        # the functions are graph-compatible and the warnings would bury the table.
        tf.get_logger().setLevel("ERROR")
    if args.celeba is not None and not args.celeba.is_file():
        raise FileNotFoundError(f"--celeba {args.celeba}: no such cache; make one with "
                                "`wganlab prepare-celeba SRC --out FILE --size 64`")
    header = describe_machine()
    mode = "quick" if args.quick else "full"
    print(f"wganlab bench ({mode}: {schedule.seconds:g} s x {schedule.repeats} repeats per cell) "
          f"on {keras.backend.backend()}\n{header}")
    rows = run_bench(args.workloads, args.variants, args.batch, schedule, args.celeba)
    write_csv(rows, args.out)
    print()
    print(format_table(rows))
    print(f"\nwrote {args.out}")
    return 0
