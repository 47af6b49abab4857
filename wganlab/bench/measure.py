"""``wganlab bench``: generator steps per second, compiled against eager and a Keras-fit baseline.

For each workload x variant x batch size the benchmark builds fresh models, warms the step up
(tracing and XLA compilation are not timed), then times ``K`` generator steps (each with its
``n_critic`` critic steps) ``R`` times and reports the median rate. ``K`` is chosen per cell so
that one timed repeat lasts about ``BenchSettings.seconds``; the repeats of the variants of one
workload x batch interleave, so that load from other processes falls on all of them alike.

Variants:

- ``compiled``: :func:`wganlab.train.build_step` + :func:`wganlab.autodiff.compile_step`, the
  trainer's own path (``tf.function`` without XLA under TensorFlow, ``jax.jit`` under JAX);
- ``compiled_xla`` (TensorFlow only): the same with ``jit_compile=True``;
- ``eager``: the same step, not compiled (``TrainConfig.compiled=False``);
- ``keras_fit_baseline``: a ``keras.Model`` subclass holding the generator and the critic whose
  ``train_step`` runs the critic loop, driven by ``model.fit(..., epochs=1, steps_per_epoch=K)``,
  written the way the Keras WGAN-GP example does it (``tf.GradientTape`` under TensorFlow; a
  stateless ``train_step(state, data)`` under JAX, as Keras's JAX trainer requires;
  ``torch.autograd.grad`` under PyTorch, with ``fit(jit_compile=False)``).

The CSV's first five columns are the contract (``workload, backend, variant, batch,
steps_per_s``); the others describe the measurement.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from wganlab.bench.baseline import fit_data, fit_model_class
from wganlab.bench.report import Row, describe_machine, format_rate, format_table, write_csv
from wganlab.bench.workloads import WORKLOADS, Workload, make_workloads

VARIANTS = ("compiled", "compiled_xla", "eager", "keras_fit_baseline")


@dataclass(frozen=True)
class BenchSettings:
    """How long to measure: seconds per timed repeat, repeats, and the CelebA image size."""

    seconds: float = 2.0  # target wall time of one timed repeat of K generator steps
    repeats: int = 5
    warmup_steps: int = 2  # untimed calls before calibration (tracing, compilation)
    max_steps: int = 5000  # cap on K
    celeba_size: int = 64
    celeba_images: int | None = None  # cap on the CelebA images held (None: all of the cache)


FULL = BenchSettings()
QUICK = BenchSettings(seconds=0.5, repeats=3, celeba_size=32, celeba_images=4096)


# ------------------------------------------------------------------------------------- timing

# Measured with torch 2.13.0 (docs/notes/backends.md): torch.compile(fullgraph=True) of the step
# stops at torch.autograd.grad ("Unsupported using torch.autograd.grad"), and the default mode
# raises "torch.compile with aot_autograd does not currently support double backward".
TORCH_EAGER = ("torch eager: torch.compile cannot trace torch.autograd.grad nor run the penalty's "
               "double backward (torch 2.13)")


def _sync(outputs, generator) -> None:
    """Wait for the device: the step's outputs and the generator's last update."""
    from keras import ops

    for value in outputs or ():
        ops.convert_to_numpy(value)
    ops.convert_to_numpy(generator.trainable_variables[-1])


def _calibrate(run: Callable[[int], None], settings: BenchSettings) -> int:
    """Warm ``run(k)`` up (tracing, compilation), then pick K for ``settings.seconds`` per repeat."""
    run(settings.warmup_steps)
    k = 1
    while True:  # grow k until a run is long enough to time
        start = time.perf_counter()
        run(k)
        elapsed = time.perf_counter() - start
        if elapsed >= min(0.25, settings.seconds / 2) or k >= settings.max_steps:
            break
        k = min(k * 4, settings.max_steps)
    return max(1, min(settings.max_steps, round(settings.seconds * k / max(elapsed, 1e-9))))


def _step_runner(workload: Workload, objectives, batch: int, variant: str):
    import keras
    import numpy as np
    from keras import ops

    from wganlab import autodiff, train

    generator, critic = workload.models(0)
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

    how = {"tensorflow": f"tf.function(jit_compile={jit})", "jax": "jax.jit", "torch": TORCH_EAGER}
    return run, how.get(keras.backend.backend(), "") if compiled else "not compiled"


def _fit_runner(workload: Workload, objectives, batch: int):
    import keras

    generator, critic = workload.models(0)
    config = workload.config(batch_size=batch, progress=False)
    model = fit_model_class()(generator, critic, objectives, config)
    model.compile()
    dataset = fit_data(workload.real, batch * config.n_critic, seed=config.seed)

    def run(k: int) -> None:
        model.fit(dataset, epochs=1, steps_per_epoch=k, verbose=0, shuffle=False)
        _sync(None, generator)

    if keras.backend.backend() == "torch":
        how = "fit(jit_compile=False): eager, torch.compile cannot run the step"
    else:
        how = f"fit(jit_compile='auto' -> {'XLA' if model.jit_compile else 'no XLA'})"
    return run, f"{how}; {config.n_critic}x{batch} real images per fit step"


def _skip_reason(variant: str, backend: str) -> str:
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
    if variant == "compiled_xla" and backend != "tensorflow":
        return f"not measured: {backend} has no separate XLA switch (jax.jit always uses XLA)"
    if variant == "keras_fit_baseline" and backend not in ("tensorflow", "jax", "torch"):
        return f"not measured: no fit baseline written for {backend}"
    return ""


def _failure(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"failed: {type(exc).__name__}: {text[0][:200] if text else ''}".rstrip(": ")


def measure_group(workload: Workload, variants: Sequence[str], batch: int, settings: BenchSettings) -> list[Row]:
    """Time the variants of one workload x batch on the active backend, one row per variant.

    Every variant is built, warmed up and calibrated first; then the timed repeats interleave
    the variants (in a rotating order), so that load from other processes on a shared machine
    falls on all of them alike and the ratios of one run compare like with like.
    """
    import keras

    from wganlab.bench.objectives import objectives as objectives_for

    backend = keras.backend.backend()
    rows = {v: Row(workload.name, backend, v, batch, math.nan, image_size=workload.image_size,
                   data=workload.data, note=_skip_reason(v, backend)) for v in variants}
    objectives = objectives_for(workload.kind)
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
                steps[variant] = _calibrate(run, settings)
                runners[variant] = run
                rates[variant] = []
                rows[variant].note = note
            except Exception as exc:  # one failing variant must not lose the others' numbers
                rows[variant].note = _failure(exc)
        for repeat in range(settings.repeats):
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
    settings: BenchSettings = FULL,
    celeba: Path | None = None,
    log: Callable[[str], None] | None = print,
) -> list[Row]:
    """Measure every workload x variant x batch; return the rows in that order."""
    variants = tuple(variants or default_variants())
    for v in variants:
        if v not in VARIANTS:
            raise ValueError(f"unknown variant {v!r}; choose from {', '.join(VARIANTS)}")
    rows = []
    for workload in make_workloads(workloads, settings.celeba_size, settings.celeba_images, celeba):
        for batch in batches:
            for row in measure_group(workload, variants, int(batch), settings):
                rows.append(row)
                if log is not None:
                    log(f"  {row.workload:<15} {row.variant:<19} batch {row.batch:<5} "
                        f"{format_rate(row.steps_per_s):>9} steps/s  {row.note}".rstrip())
    return rows


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

    settings = QUICK if args.quick else FULL
    overrides = {k: v for k, v in (("repeats", args.repeats), ("seconds", args.seconds),
                                   ("celeba_size", args.celeba_size)) if v is not None}
    if any(b < 1 for b in args.batch) or overrides.get("repeats", 1) < 1 or overrides.get("seconds", 1) <= 0:
        print("wganlab bench: error: --batch and --repeats must be >= 1 and --seconds > 0", file=sys.stderr)
        return 2
    settings = dataclasses.replace(settings, **overrides)
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
    print(f"wganlab bench ({mode}: {settings.seconds:g} s x {settings.repeats} repeats per cell) "
          f"on {keras.backend.backend()}\n{header}")
    rows = run_bench(args.workloads, args.variants, args.batch, settings, args.celeba)
    write_csv(rows, args.out)
    print()
    print(format_table(rows))
    print(f"\nwrote {args.out}")
    failed = [r for r in rows if r.note.startswith("failed")]
    for row in failed:  # the other rows are kept, but a crash must not pass as a result
        print(f"wganlab bench: error: {row.workload} {row.variant} batch {row.batch}: {row.note}", file=sys.stderr)
    return 1 if failed else 0
