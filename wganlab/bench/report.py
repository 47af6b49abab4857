"""The results of ``wganlab bench``: one :class:`Row` per measured cell, the text table with
the ratios of each workload x batch, the CSV, and the line describing the machine."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import math
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence
from wganlab.files import atomic_write

CONTRACT_COLUMNS = ("workload", "backend", "variant", "batch", "steps_per_s")
EXTRA_COLUMNS = ("steps_per_s_min", "steps_per_s_max", "steps_per_repeat", "repeats",
                 "image_size", "data", "note")
COLUMNS = CONTRACT_COLUMNS + EXTRA_COLUMNS


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


def format_rate(value: float) -> str:
    """A rate or ratio for the table: three significant digits, whole numbers from 100."""
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
        spread = f"{format_rate(r.steps_per_s_min)}-{format_rate(r.steps_per_s_max)}" if r.repeats else ""
        kr = f"{r.steps_per_repeat}x{r.repeats}" if r.repeats else ""
        lines.append(f"{r.workload:<15} {r.backend:<10} {r.variant:<19} {r.batch:>5} "
                     f"{format_rate(r.steps_per_s):>9} {spread:>13} {kr:>9}  {r.note}".rstrip())
    lines.append("")
    lines.append(f"{'workload':<15} {'batch':>5} {'compiled/eager':>15} {'compiled/baseline':>18} "
                 f"{'xla/compiled':>13}")
    cells: dict[tuple, dict[str, float]] = {}
    for r in rows:
        cells.setdefault((r.workload, r.batch), {})[r.variant] = r.steps_per_s
    for (workload, batch), v in cells.items():
        nan = math.nan
        lines.append(f"{workload:<15} {batch:>5} "
                     f"{format_rate(_ratio(v.get('compiled', nan), v.get('eager', nan))):>15} "
                     f"{format_rate(_ratio(v.get('compiled', nan), v.get('keras_fit_baseline', nan))):>18} "
                     f"{format_rate(_ratio(v.get('compiled_xla', nan), v.get('compiled', nan))):>13}")
    lines.append("")
    data = {}
    for r in rows:
        data.setdefault(r.workload, (r.image_size, r.data))
    for workload, (size, where) in data.items():
        lines.append(f"data {workload}: {size}x{size} px, {where}")
    return "\n".join(lines)


def write_csv(rows: Sequence[Row], path: Path) -> Path:
    """Write the rows to ``path`` atomically (a temporary file in the same folder, then rename)."""

    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            for row in rows:
                record = dataclasses.asdict(row)
                for key in ("steps_per_s", "steps_per_s_min", "steps_per_s_max"):
                    record[key] = "nan" if not math.isfinite(record[key]) else f"{record[key]:.6g}"
                writer.writerow(record)

    path = atomic_write(path, write)
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

