"""The MNIST convergence question's runs (03, ``convergence.mnist_wgan``) with the digit-feature FD added.

The same runs as ``tools/convergence_sweep.py mnist`` (the reference and three broken variants,
same seeds, same 1,000 steps, same samples), recording beside the graded W1 ratio, diversity and
digit fraction the classifier-feature Frechet distance of the same 500 generated digits against
the same 500 real ones, to decide whether FD would separate working from broken runs better
(NOTES.md, "Session of 2026-12-06: WGAN-GP in 03, a feature-space metric"). Usage:

    nice -n 10 python tools/convergence_fd_sweep.py FIRST_SEED END_SEED OUT.jsonl
"""
import json
import sys
import time

from convergence_sweep import VARIANTS  # the reference and the three broken variants it sweeps (tools/ is on sys.path)
from wganlab import metrics
from wganlab.course import convergence as C


def run(fns, seed: int, steps: int = 1000, digit: int = 1) -> dict:
    """convergence.mnist_wgan's run and its numbers, with the FD of the samples it scored before and after."""
    report = C.mnist_wgan(*fns, digit=digit, seed=seed, steps=steps)
    row = {k: v for k, v in vars(report).items() if k not in ("history", "samples_init", "samples", "target")}
    row["fd"] = metrics.digit_frechet_distance(report.samples, report.target)
    row["fd_init"] = metrics.digit_frechet_distance(report.samples_init, report.target)
    return row


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    with open(sys.argv[3], "a") as out:
        for seed in range(int(sys.argv[1]), int(sys.argv[2])):
            for name, fns in VARIANTS.items():
                t = time.time()
                row = run(fns, seed)
                row.update(variant=name, seed=seed, wall=time.time() - t)
                out.write(json.dumps(row) + "\n")
                out.flush()
                print(name, seed, f"ratio {row['w1_final'] / row['w1_init']:.2f} FD {row['fd']:.1f}", flush=True)
