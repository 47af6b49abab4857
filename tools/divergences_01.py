"""What 01's two computing cells show, with the master's reference functions (docs/claims.py reads it).

Usage: python tools/divergences_01.py OUT.json

The forward/reverse KL grid search of the notebook (same grid, same search), the share of the
forward fit's mass where the target p is below 1 % and 10 % of its peak, and the sample W1 and
histogram JS of Example 1 for the notebook's thetas (same seeds and bins); the written question's
numerical check (200-bin histograms, 100,000 samples); the maximum-likelihood check (the average
log-likelihood of the notebook's loaded-die samples under a model that gets the die wrong, against -KL - H, for the
notebook's sample sizes and seed). Deterministic.
"""

import json
import math
import sys

import numpy as np

from wganlab import likelihood, metrics, toys
from wganlab.course.functions import reference_functions
from wganlab.files import atomic_write

ref = reference_functions("01_divergences")


def gaussian(x, mu, sigma):
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


x = np.linspace(-6.0, 6.0, 601)
target = 0.5 * gaussian(x, -2.0, 0.5) + 0.5 * gaussian(x, 2.0, 0.5)
p_grid = target / target.sum()
fits = {}
for direction in ("forward", "reverse"):
    values = []
    for mu in np.linspace(-3.0, 3.0, 61):
        for sigma in np.linspace(0.3, 3.0, 28):
            q_grid = gaussian(x, mu, sigma)
            q_grid = q_grid / q_grid.sum()
            kl = ref.kl_divergence(p_grid, q_grid) if direction == "forward" else ref.kl_divergence(q_grid, p_grid)
            values.append((kl, float(mu), float(sigma)))
    kl, mu, sigma = min(values, key=lambda v: v[0])  # the first minimum, as the notebook's strict '<' keeps
    q = gaussian(x, mu, sigma)
    q = q / q.sum()
    fits[direction] = {"kl": kl, "mu": mu, "sigma": sigma,
                       "mass_where_p_below_1pct_of_peak": float(q[target < 0.01 * target.max()].sum()),
                       "mass_where_p_below_10pct_of_peak": float(q[target < 0.10 * target.max()].sum())}
    if direction == "reverse":  # the mirror fit on the other mode
        mirror = [v for v in values if abs(v[1] + mu) < 1e-9 and abs(v[2] - sigma) < 1e-9][0]
        fits[direction]["mirror_kl"] = mirror[0]

real = toys.parallel_lines(500, theta=0.0, seed=0)
x_edges = np.arange(-1.025, 1.03, 0.05)
y_edges = np.linspace(0.0, 1.0, 11)


def histogram(points):
    counts, _, _ = np.histogram2d(points[:, 0], points[:, 1], bins=[x_edges, y_edges])
    return (counts / counts.sum()).ravel()


samples = []
for theta in [-1.0, -0.5, -0.1, -0.01, 0.01, 0.1, 0.5, 1.0]:
    fake = toys.parallel_lines(500, theta=theta, seed=1)
    samples.append({"theta": theta, "w1": metrics.wasserstein1(real, fake),
                    "js_hist": ref.js_divergence(histogram(real), histogram(fake))})
# The written question's numerical check: P = U[0, 1], Q = U[0, 2].
edges = np.linspace(0.0, 2.0, 201)
p_hist = np.histogram(np.linspace(0.0, 1.0, 100_000, endpoint=False), bins=edges)[0] / 100_000
q_hist = np.histogram(np.linspace(0.0, 2.0, 100_000, endpoint=False), bins=edges)[0] / 100_000
rng = np.random.default_rng(0)
overlap = {"kl_pq": ref.kl_divergence(p_hist, q_hist), "kl_qp": ref.kl_divergence(q_hist, p_hist),
           "js": ref.js_divergence(p_hist, q_hist),
           "w1_samples": ref.wasserstein_1d(rng.uniform(0, 1, 100_000), rng.uniform(0, 2, 100_000))}
# Maximum likelihood is forward KL: the notebook's die, model, sizes and seed.
p_data = np.array([0.30, 0.25, 0.20, 0.12, 0.08, 0.05])
p_model = np.array([0.10, 0.10, 0.20, 0.20, 0.20, 0.20])
limit = -ref.kl_divergence(p_data, p_model) - likelihood.entropy(p_data)
draws = likelihood.sample_outcomes(p_data, 100_000, seed=0)
ml = {"kl": ref.kl_divergence(p_data, p_model), "entropy": likelihood.entropy(p_data), "limit": limit,
      "exact_expectation": float(np.sum(p_data * np.log(p_model))),
      "rows": [{"n": n, "average_log_likelihood": likelihood.average_log_likelihood(draws[:n], p_model)}
               for n in (10, 100, 1_000, 10_000, 100_000)]}
result = {"kl_fits": fits, "example1_samples": samples, "overlap_question": overlap, "ml_forward_kl": ml}
atomic_write(sys.argv[1], lambda tmp: tmp.write_text(json.dumps(result, indent=1) + "\n"))
print(json.dumps(result, indent=1))
