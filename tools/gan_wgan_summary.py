"""Summarise a tools/gan_wgan_sweep.py JSON-lines file as a markdown table (one row per setting and digits).

    python tools/gan_wgan_summary.py docs/sweeps/gan_wgan_2000steps_tf_cpu.jsonl
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict

import numpy as np


def _stat(values, fmt="{:.1f}") -> str:
    v = np.asarray(values, dtype=float)
    return f"{fmt.format(v.mean())} ({fmt.format(v.min())}–{fmt.format(v.max())})"


def summarise(path: str) -> str:
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    floors = {tuple(r["digits"]): r["w1"] for r in rows if r["setting"] == "real_floor"}
    groups: dict = defaultdict(list)
    seen = set()
    for r in rows:
        key = (tuple(r["digits"]), r["setting"], r.get("seed"))
        if r["setting"] != "real_floor" and key not in seen:  # a resumed sweep may repeat a seed
            seen.add(key)
            groups[key[:2]].append(r)
    out = ["| digits | setting | seeds | W1 mean (min–max) | diversity | digit fraction | seeds covering every digit (≥ 5% each) | r(loss signal, W1) median (min–max) | s per run |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for (digits, setting), runs in groups.items():
        hist = np.array([r["histogram"] for r in runs])
        covered = int(((hist[:, list(digits)] >= 0.05).all(axis=1)).sum())
        key = "corr_w_estimate_w1" if setting.startswith("wgan") else "corr_critic_loss_w1"
        corr = np.array([r[key] for r in runs])
        label = "".join(map(str, digits)) if len(digits) < 10 else "0–9"
        out.append(
            f"| {label} (floor {floors.get(digits, float('nan')):.1f}) | {setting} | {len(runs)} | {_stat([r['w1'] for r in runs])} "
            f"| {_stat([r['diversity'] for r in runs], '{:.2f}')} | {_stat([r['digit_fraction'] for r in runs], '{:.2f}')} "
            f"| {covered}/{len(runs)} | {np.median(corr):.2f} ({corr.min():.2f}–{corr.max():.2f}) "
            f"| {_stat([r['seconds'] for r in runs], '{:.0f}')} |")
    return "\n".join(out)


if __name__ == "__main__":
    print(summarise(sys.argv[1]))
