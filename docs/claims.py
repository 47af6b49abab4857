"""The claims the notebooks' teaching text makes, each computed from the recorded measurements.

A master (solutions/*.ipynb) writes a measured figure as ``{{NAME:KEY}}`` and marks a sentence
that states a measured fact without a figure with ``<!-- claim: NAME -->``. ``wganlab build``
fills the figures from here and refuses to build when a claim does not hold
(wganlab/course/claims.py); tests/test_claims.py recomputes every claim from the committed files.

Each entry names the files under docs/ it rests on and a function from their contents (a list of
rows for .jsonl, the object for .json), in that order, to ``(holds, figures)``: ``holds`` is the
sentence's condition on the measurements, ``figures`` the strings the text prints.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

DOCS = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Claim:
    """One claim: its name, the files under docs/ it rests on, and rows -> (holds, figures)."""

    name: str
    sources: tuple[str, ...]
    compute: Callable[..., tuple[bool, dict[str, str]]]


CLAIMS: dict[str, Claim] = {}


def claim(name: str, *sources: str):
    """Register the decorated function as claim ``name`` over ``sources`` (paths under docs/)."""
    def register(fn):
        if name in CLAIMS:
            raise ValueError(f"claim {name!r} registered twice")
        CLAIMS[name] = Claim(name, sources, fn)
        return fn
    return register


def load(source: str, root: Path = DOCS):
    """The contents of ``root/source``: a list of dicts for .jsonl, the parsed object for .json."""
    text = (Path(root) / source).read_text(encoding="utf-8")
    if source.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


def evaluate(name: str, root: Path = DOCS) -> tuple[bool, dict[str, str]]:
    """(holds, figures) of claim ``name`` computed from its sources under ``root`` (docs/ by default)."""
    entry = CLAIMS[name]
    holds, figures = entry.compute(*(load(source, root) for source in entry.sources))
    return bool(holds), {key: str(value) for key, value in figures.items()}


def num(value: float, fmt: str = "{:.2f}") -> str:
    """``value`` formatted, with no minus sign on a figure that prints as zero."""
    text = fmt.format(value)
    return text.lstrip("-") if float(text) == 0 else text


def span(values, fmt: str = "{:.2f}") -> str:
    """'min–max' of ``values`` as the text prints a range (one value when both ends print alike)."""
    lo, hi = num(min(values), fmt), num(max(values), fmt)
    return lo if lo == hi else f"{lo}–{hi}"


def pct(value: float) -> str:
    """A share in [0, 1] as a whole percentage: '48 %'."""
    return f"{100 * value:.0f} %"


def pct_span(values) -> str:
    """'min–max %' of shares in [0, 1] as whole percentages ('90–91 %'; '3 %' when both ends print alike)."""
    lo, hi = f"{100 * min(values):.0f}", f"{100 * max(values):.0f}"
    return f"{lo} %" if lo == hi else f"{lo}–{hi} %"


def latest(rows: list[dict], *keys: str) -> list[dict]:
    """One row per value of ``keys`` (the last recorded: a resumed sweep may repeat a run)."""
    seen = {tuple(json.dumps(row.get(k)) for k in keys): row for row in rows}
    return list(seen.values())


# --- 01 divergences: tools/divergences_01.py -------------------------------------------------

@claim("01.kl_fits", "sweeps/divergences_01.json")
def _kl_fits(record):
    fwd, rev = record["kl_fits"]["forward"], record["kl_fits"]["reverse"]
    mirror = abs(rev["mirror_kl"] - rev["kl"])
    holds = (abs(fwd["mu"]) < 0.05 and abs(fwd["sigma"] - 2.06) < 0.15  # near p's moments
             and 0.25 <= fwd["mass_where_p_below_10pct_of_peak"] <= 0.75  # a large share, not "most"
             and abs(abs(rev["mu"]) - 2.0) < 0.05 and abs(rev["sigma"] - 0.5) < 0.05
             and rev["mass_where_p_below_10pct_of_peak"] < 0.1 and mirror < 1e-9)
    return holds, {"forward_mu": f"{fwd['mu']:.1f}", "forward_sigma": f"{fwd['sigma']:.1f}",
                   "forward_mass_10pct": pct(fwd["mass_where_p_below_10pct_of_peak"]),
                   "forward_mass_1pct": pct(fwd["mass_where_p_below_1pct_of_peak"]),
                   "reverse_mu": f"{rev['mu']:+.1f}", "reverse_sigma": f"{rev['sigma']:.1f}",
                   "reverse_mass_10pct": pct(rev["mass_where_p_below_10pct_of_peak"]),
                   "mirror_difference": f"{mirror:.0e}" if mirror > 0 else "0"}


@claim("01.example1_samples", "sweeps/divergences_01.json")
def _example1_samples(record):
    rows = record["example1_samples"]
    far = [r for r in rows if abs(r["theta"]) >= 0.1]
    near = [r for r in rows if abs(r["theta"]) < 0.1]
    err = max(abs(r["w1"] - abs(r["theta"])) for r in far)
    holds = (err < 0.02 and all(abs(r["js_hist"] - math.log(2)) < 1e-9 for r in far)
             and all(r["js_hist"] < 0.05 and r["w1"] > 2 * abs(r["theta"]) for r in near))
    return holds, {"w1_max_error": f"{err:.3f}", "w1_at_001": span([r["w1"] for r in near], "{:.3f}"),
                   "w1_ratio_001": span([r["w1"] / abs(r["theta"]) for r in near], "{:.0f}"),
                   "js_far": span([r["js_hist"] for r in far], "{:.4f}"),
                   "js_at_001": span([r["js_hist"] for r in near], "{:.4f}")}


# --- 02 critic estimator: tools/sweep_estimator_02.py (500 steps, parallel lines) ---------------

E02 = "sweeps/estimator02_500steps_tf_cpu.jsonl"
C_VALUES = ("0.003", "0.01", "0.03", "0.1")


@claim("02.clipped_curve", E02)
def _clipped_curve(rows):
    rows = latest(rows, "seed")
    runs = [r["c=0.01"] for r in rows]
    at0 = sum(r["argmin"] == 0.0 for r in runs)
    holds = len(rows) >= 10 and at0 == len(rows) and min(r["pearson"] for r in runs) >= 0.9
    return holds, {"seeds": len(rows), "argmin_at_theta0": f"{at0}", "pearson": span([r["pearson"] for r in runs]),
                   "kappa": span([r["kappa"] for r in runs], "{:.2g}")}


@claim("02.kappa_vs_c", E02)
def _kappa_vs_c(rows):
    rows = latest(rows, "seed")
    kappas = np.array([[r[f"c={c}"]["kappa"] for c in C_VALUES] for r in rows])
    increasing = bool((np.diff(kappas, axis=1) > 0).all())
    k01 = kappas[:, -1]
    kernels = [r["c=0.01"]["kernels_at_bound"] for r in rows]
    biases = [r["c=0.01"]["biases_at_bound"] for r in rows]
    holds = (len(rows) >= 10 and increasing and k01.min() > 1.0  # "steeper than 1-Lipschitz"
             and kappas[:, 0].max() < 1e-3 and min(kernels) > 0.5)  # "mostly at the bound"
    return holds, {"seeds": len(rows), "kappa_0003": span(kappas[:, 0], "{:.1e}"), "kappa_01": span(k01),
                   "slope": span([r["slope"] for r in rows]),
                   "kernels_at_bound_001": pct_span(kernels), "biases_at_bound_001": pct_span(biases)}


@claim("02.penalised_curve", E02)
def _penalised_curve(rows):
    rows = latest(rows, "seed")
    runs = [r["gp"] for r in rows]
    kappa = [r["kappa"] for r in runs]
    holds = len(rows) >= 10 and min(kappa) > 1.0 and max(kappa) < 1.1 and all(r["argmin"] == 0.0 for r in runs)
    return holds, {"seeds": len(rows), "kappa": span(kappa), "max_abs_err": span([r["max_abs_err"] for r in runs])}


@claim("02.contours", E02)
def _contours(rows):
    rows = latest(rows, "seed")
    clip = [s for r in rows for s in r["c=0.01"]["x1_share"]]
    gp = [s for r in rows for s in r["gp"]["x1_share"]]
    ratio = np.median([r["gp"]["kappa"] / r["c=0.01"]["kappa"] for r in rows])
    holds = len(rows) >= 10 and min(gp) > 0.8  # the text says how parallel each is, not that both are
    return holds, {"seeds": len(rows), "x1_share_clip": span(clip), "x1_share_gp": span(gp),
                   "kappa_ratio": f"{float(f'{ratio:.1g}'):,.0f}"}


@claim("02.js_flat", E02)
def _js_flat(rows):
    rows = latest(rows, "seed")
    gap = max(max(abs(r["js"]["away_min"] - math.log(2)), abs(r["js"]["away_max"] - math.log(2))) for r in rows)
    at0 = [r["js"]["at0"] for r in rows]
    holds = len(rows) >= 10 and gap < 1e-6 and max(abs(v) for v in at0) < 0.01
    return holds, {"seeds": len(rows), "max_gap": f"$10^{{{math.ceil(math.log10(gap)) if gap > 0 else -16}}}$",
                   "at_theta0_min": num(min(at0), "{:.4f}"), "at_theta0_max": num(max(at0), "{:.4f}")}
