"""Seconds to grade one submission, per assignment: the reference and one broken submission.

    python tools/grading_times.py --dist DIST --out OUT [--assignments 01 02 03 04] [--label after]

``DIST`` holds ``autograder/NAME.zip`` and ``reference/NAME.ipynb`` (what ``wganlab build --dist``
writes). The broken submission is the reference with one function made wrong (:data:`BROKEN`). Each is graded alone by
``wganlab grade --jobs 1`` with ``WGANLAB_FAST=1`` (the notebook's own training cells short; the
checks train at the grading schedule either way). Prints one JSON line per grading. Run the code
to measure with ``PYTHONPATH`` pointing at its checkout (the grader and its processes import it).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import time
from pathlib import Path

from wganlab.course import grading
from wganlab.course.functions import resolve_assignment

# assignment -> (function, a wrong body): each costs its own question and, 02-04, a convergence one.
BROKEN = {
    "01_divergences": ("wasserstein_1d", "def wasserstein_1d(u_values, v_values, u_weights=None, v_weights=None):\n"
                                         "    return 0.5\n"),
    "02_critic_estimator": ("critic_loss", "def critic_loss(real_scores, fake_scores):\n"
                                           "    return -(ops.mean(fake_scores) - ops.mean(real_scores))\n"),
    "03_gan_vs_wgan_mnist": ("critic_loss", "def critic_loss(real_scores, fake_scores):\n"
                                            "    return -(ops.mean(fake_scores) - ops.mean(real_scores))\n"),
    "04_wgan_gp_celeba": ("critic_loss_gp", "def critic_loss_gp(critic, real, fake, alpha, lam=10.0):\n"
                                           "    return ops.mean(critic(fake)) - ops.mean(critic(real))\n"),
}


def broken(name: str, reference: dict) -> dict:
    """The reference notebook with :data:`BROKEN`'s function of ``name`` replaced."""
    function, source = BROKEN[name]
    nb = copy.deepcopy(reference)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "".join(cell["source"]).lstrip().startswith(f"def {function}("):
            cell["source"] = source
            return nb
    raise LookupError(f"{name}: no cell defines {function}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--assignments", nargs="+", default=["01", "02", "03", "04"])
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    os.environ["WGANLAB_FAST"] = "1"
    for assignment in args.assignments:
        name = resolve_assignment(assignment)
        reference = json.loads((args.dist / "reference" / f"{name}.ipynb").read_text())
        folder = args.out / name / "submissions"
        folder.mkdir(parents=True, exist_ok=True)
        for label, nb in (("reference", reference), ("broken", broken(name, reference))):
            path = folder / f"{label}.ipynb"
            path.write_text(json.dumps(nb))
            start = time.perf_counter()
            rows = grading.grade(name, [path], args.out / name / label, jobs=1, timeout=1800,
                                 autograder=args.dist / "autograder" / f"{name}.zip")
            seconds = time.perf_counter() - start
            load = open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "?"
            print(json.dumps({"label": args.label, "assignment": name, "submission": label,
                              "seconds": round(seconds, 1), "total": rows[0].total, "error": rows[0].error,
                              "load": load}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
