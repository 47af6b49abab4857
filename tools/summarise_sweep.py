"""Summarise a convergence sweep's JSON lines: min and max of each measurement per variant."""
import collections
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1])]
by = collections.defaultdict(list)
for r in rows:
    by[r["variant"]].append(r)
keys = ["w1_init", "w1_final", "ratio", "diversity", "digit_fraction", "grad_norm", "max_abs_critic_weight", "wall"]
print("| variant | runs | " + " | ".join(keys) + " |")
print("|" + " --- |" * (len(keys) + 2))
for variant, rs in by.items():
    for r in rs:
        r["ratio"] = r["w1_final"] / r["w1_init"]
    cells = []
    for k in keys:
        vals = [r[k] for r in rs if r.get(k) is not None]
        cells.append(f"{min(vals):.3g}–{max(vals):.3g}" if vals else "n/a")
    print(f"| {variant} | {len(rs)} | " + " | ".join(cells) + " |")
