"""Thresholds of the convergence questions, seeded with GRADING_SEED.

They come from the seed sweeps in NOTES.md ("Convergence thresholds") and docs/notes/wgangp04.md:
the reference passes on every seed swept, and each broken implementation listed there fails on
every one. A change to the trainings (models, schedules, seeds) needs those sweeps re-run.
"""

GRADING_SEED = 2017
MNIST = {"w1_ratio_max": 0.6, "diversity_min": 0.5, "digit_fraction_min": 0.8, "clip": 0.01}
FACES = {"w1_ratio_max": 0.9, "grad_norm_range": (0.5, 1.6)}
ESTIMATOR = {"pearson_min": 0.8, "thetas": [-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0], "steps": 300}
