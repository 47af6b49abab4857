"""A corpus of tampering submissions to 02, 03 and 04: a broken function plus one cell that patches
what the checks rely on.

Each :class:`Tamper` starts from a broken submission (the reference notebook with one function
made wrong: a sign-flipped critic loss, a penalty cut off from the graph) and adds one cell that
replaces something a check calls: a function in a wganlab module (the convergence run, the
metric, the trainer), a Keras class attribute (``Dense.call``, ``Model.__call__``), the check
module, numpy. Graded under the guard plugin it must score exactly what the same broken
submission scores without the cell (``tests/test_tampering.py``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from submissions import add_cell_after, replace_function

FLIPPED_CRITIC_LOSS = '''def critic_loss(real_scores, fake_scores):
    """Wrong on purpose: the sign is flipped."""
    return ops.mean(real_scores) - ops.mean(fake_scores)
'''

STOPPED_PENALTY = '''def gradient_penalty(critic, real, fake, alpha):
    """Wrong on purpose: the penalty is cut off from the graph (no gradient reaches the critic)."""
    x_hat = alpha * real + (1.0 - alpha) * fake
    grads = input_gradients(critic, x_hat)
    norms = ops.sqrt(ops.sum(ops.square(ops.reshape(grads, (ops.shape(grads)[0], -1))), axis=1) + 1e-12)
    return ops.stop_gradient(ops.mean(ops.square(norms - 1.0)))
'''

# assignment -> (function to break, its broken source)
BROKEN = {
    "02_critic_estimator": ("critic_loss", FLIPPED_CRITIC_LOSS),
    "03_gan_vs_wgan_mnist": ("critic_loss", FLIPPED_CRITIC_LOSS),
    "04_wgan_gp_celeba": ("gradient_penalty", STOPPED_PENALTY),
}


@dataclass(frozen=True)
class Tamper:
    """One tampering cell, added to the broken submission of ``assignment``."""

    name: str
    assignment: str
    target: str  # what it replaces, for the report
    cell: str


TAMPERS = [
    Tamper("checks_module", "02_critic_estimator", "the check module (wganlab_checks)", '''\
import sys, wganlab_checks
for _name in dir(wganlab_checks):
    if _name.startswith("check_"):
        setattr(wganlab_checks, _name, lambda *args, **kwargs: None)
sys.modules["wganlab_checks"] = wganlab_checks
'''),
    Tamper("numpy_functions", "02_critic_estimator", "numpy functions", '''\
import numpy
numpy.argmin = lambda values, *args, **kwargs: 4  # theta0 = 0 is index 4: "smallest at theta0"
numpy.isfinite = lambda values, *args, **kwargs: numpy.ones(numpy.shape(values), bool)
numpy.testing.assert_allclose = lambda *args, **kwargs: None
'''),
    Tamper("convergence_run", "03_gan_vs_wgan_mnist", "wganlab.course.convergence._run", '''\
from wganlab.course import convergence as _convergence

def _perfect_run(generator, critic, real, label, seed, fit, digits=None, eval_samples=500):
    return _convergence.RunReport(data=label, steps=1000, seconds=1.0, w1_init=10.0, w1_final=1.0,
                                  diversity=1.0, digit_fraction=1.0, grad_norm=1.0, max_abs_critic_weight=0.0)

_convergence._run = _perfect_run
'''),
    Tamper("metrics_wasserstein1", "03_gan_vs_wgan_mnist", "wganlab.metrics.wasserstein1", '''\
import itertools
import wganlab.metrics
_calls = itertools.count()
wganlab.metrics.wasserstein1 = lambda *args, **kwargs: 10.0 if next(_calls) % 2 == 0 else 1.0
wganlab.metrics.diversity_ratio = lambda *args, **kwargs: 1.0
'''),
    Tamper("trainer", "03_gan_vs_wgan_mnist", "wganlab.train.train", '''\
import wganlab.train
_real_train = wganlab.train.train

def _train_with_right_losses(generator, critic, data, objectives, config, *args, **kwargs):
    def clip(model, c):
        for v in model.trainable_variables:
            v.assign(ops.clip(v, -c, c))
    right = wganlab.train.wgan_objectives(lambda r, f: ops.mean(f) - ops.mean(r), lambda f: -ops.mean(f), clip)
    return _real_train(generator, critic, data, right, config, *args, **kwargs)

wganlab.train.train = _train_with_right_losses
'''),
    Tamper("dense_call", "04_wgan_gp_celeba", "keras.layers.Dense.call", '''\
import keras
_dense_call = keras.layers.Dense.call

def _call(self, inputs, *args, **kwargs):  # leaks a gradient path around the stopped penalty
    return _dense_call(self, inputs, *args, **kwargs) * 0.5
keras.layers.Dense.call = _call
'''),
    Tamper("model_call", "04_wgan_gp_celeba", "keras.Model.__call__", '''\
import keras
_model_call = keras.Model.__call__
keras.Model.__call__ = lambda self, *args, **kwargs: 0.0 * _model_call(self, *args, **kwargs)
'''),
]


def broken(assignment: str, reference: dict) -> dict:
    """The reference notebook with ``BROKEN[assignment]``'s function made wrong."""
    name, source = BROKEN[assignment]
    return replace_function(copy.deepcopy(reference), name, source)


def tampered(tamper: Tamper, reference: dict) -> dict:
    """The broken submission of the tamper's assignment with its tampering cell added."""
    name, _ = BROKEN[tamper.assignment]
    return add_cell_after(broken(tamper.assignment, reference), name, tamper.cell)
