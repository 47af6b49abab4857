"""A catalogue of student implementations, right and wrong, for every graded function.

Each function below is one way a student might fill in a stub. Its name is
``<student function>__<variant>`` and it is registered with one of two decorators:

- ``@wrong``: a mistake students really make; the autograder must take points off it, and in
  particular its hidden test case must fail (the public tests alone are allowed to miss it);
- ``@correct``: a right answer written differently from the reference; it must get full marks.

A variant whose name starts with ``tensorflow_`` is written in plain TensorFlow (tf.reduce_mean,
tf.nn.sigmoid_cross_entropy_with_logits, tf.GradientTape, tf.clip_by_value): the course contract requires
that such students pass under the TensorFlow backend, and they only run there. TensorFlow is
imported inside those functions, so this module loads on machines without it (JAX only).

The docstring of each variant says what it does (wrong) or how it differs (correct).
``tests/test_variants.py`` grades every variant with the real test files of the autograder zips.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from keras import ops

from wganlab.autodiff import input_gradients


@dataclass(frozen=True)
class Variant:
    """One implementation of one student function."""

    function: str  # the student function it implements, e.g. "kl_divergence"
    name: str  # short name of the variant, e.g. "log_base_2"
    fn: Callable
    correct: bool
    doc: str

    @property
    def tensorflow(self) -> bool:
        """Written with TensorFlow itself: runs only under the TensorFlow backend."""
        return self.name.startswith("tensorflow_")

    @property
    def id(self) -> str:
        return f"{self.function}-{'correct' if self.correct else 'wrong'}-{self.name}"


CATALOGUE: dict[str, list[Variant]] = {}


def _register(fn: Callable, correct: bool) -> Callable:
    function, sep, name = fn.__name__.partition("__")
    assert sep and name, f"variant {fn.__name__} must be named <student function>__<variant>"
    doc = " ".join((fn.__doc__ or "").split())
    assert doc, f"variant {fn.__name__} needs a docstring that says what it does"
    CATALOGUE.setdefault(function, []).append(Variant(function, name, fn, correct, doc))
    return fn


def wrong(fn: Callable) -> Callable:
    """Register ``fn`` as a wrong implementation (must lose points, hidden case included)."""
    return _register(fn, correct=False)


def correct(fn: Callable) -> Callable:
    """Register ``fn`` as a correct alternative (must get full points)."""
    return _register(fn, correct=True)




def variants(function: str, correct: bool | None = None) -> list[Variant]:
    """The variants of ``function``: all, or only the right (True) or wrong (False) ones."""
    return [v for v in CATALOGUE.get(function, []) if correct is None or v.correct == correct]


# ---------------------------------------------------------------- shared helpers (not variants)
def _tf():
    import tensorflow as tf

    return tf


def _kl(p, q):
    """A correct KL in nats, for the JS variants that get something else wrong."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    s = p > 0
    if np.any(q[s] == 0):
        return math.inf
    return float(np.sum(p[s] * np.log(p[s] / q[s])))


def _penalty(critic, real, fake, alpha):
    """A correct gradient penalty with keras.ops, for the critic_loss_gp variants."""
    x_hat = alpha * real + (1.0 - alpha) * fake
    grads = input_gradients(critic, x_hat)
    flat = ops.reshape(grads, (ops.shape(grads)[0], -1))
    return ops.mean(ops.square(ops.sqrt(ops.sum(ops.square(flat), axis=1) + 1e-12) - 1.0))


def _tf_penalty(critic, real, fake, alpha):
    """A correct gradient penalty in plain TensorFlow (GradientTape with tape.watch)."""
    tf = _tf()
    x_hat = alpha * real + (1.0 - alpha) * fake
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = critic(x_hat)
    grads = tape.gradient(scores, x_hat)
    axes = list(range(1, len(grads.shape)))
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=axes) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))


def _tf_penalty_keras_call(critic, real, fake, alpha):
    """keras.io's WGAN-GP penalty (critic(x, training=True), gp_tape.gradient(pred, [x])[0]) with the
    contract's interpolation, norms over all non-batch axes and an epsilon."""
    tf = _tf()
    interpolated = alpha * real + (1.0 - alpha) * fake
    with tf.GradientTape() as gp_tape:
        gp_tape.watch(interpolated)
        pred = critic(interpolated, training=True)
    grads = gp_tape.gradient(pred, [interpolated])[0]
    norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=list(range(1, len(grads.shape)))) + 1e-12)
    return tf.reduce_mean((norm - 1.0) ** 2)


# ======================================================================== 01: kl_divergence
@wrong
def kl_divergence__log_base_2(p, q):
    """Uses np.log2: KL in bits, not nats."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    s = p > 0
    if np.any(q[s] == 0):
        return math.inf
    return float(np.sum(p[s] * np.log2(p[s] / q[s])))


@wrong
def kl_divergence__nan_for_zero_p(p, q):
    """Sums p*log(p/q) over every outcome: 0*log(0) is nan where p has zeros."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(p * np.log(p / q)))


@wrong
def kl_divergence__nan_instead_of_inf(p, q):
    """Calls KL 'undefined' where q=0 but p>0 and returns nan instead of +inf."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    s = p > 0
    if np.any(q[s] == 0):
        return math.nan
    return float(np.sum(p[s] * np.log(p[s] / q[s])))


@wrong
def kl_divergence__epsilon_smoothing(p, q):
    """Adds 1e-10 to p and q to dodge log(0): finite where KL is +inf."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    eps = 1e-10
    return float(np.sum(p * np.log((p + eps) / (q + eps))))


@wrong
def kl_divergence__skips_zero_q(p, q):
    """Masks out every outcome where p or q is zero: drops the +inf terms."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    s = (p > 0) & (q > 0)
    return float(np.sum(p[s] * np.log(p[s] / q[s])))


@wrong
def kl_divergence__arguments_swapped(p, q):
    """Computes KL(q || p) instead of KL(p || q)."""
    return _kl(q, p)


@correct
def kl_divergence__scipy_rel_entr(p, q):
    """scipy.special.rel_entr handles 0*log(0)=0 and p>0, q=0 -> inf by itself."""
    from scipy.special import rel_entr

    return float(np.sum(rel_entr(np.asarray(p, float), np.asarray(q, float))))


@correct
def kl_divergence__python_loop(p, q):
    """A plain Python loop over the outcomes with math.log."""
    total = 0.0
    for pi, qi in zip(map(float, p), map(float, q)):
        if pi == 0.0:
            continue
        if qi == 0.0:
            return float("inf")
        total += pi * math.log(pi / qi)
    return total


# ======================================================================== 01: js_divergence
@wrong
def js_divergence__no_half_factors(p, q):
    """KL(p||m) + KL(q||m) without the 1/2 factors: twice JS."""
    m = 0.5 * (np.asarray(p, float) + np.asarray(q, float))
    return _kl(p, m) + _kl(q, m)


@wrong
def js_divergence__mixture_not_halved(p, q):
    """Uses m = p + q (forgets to halve the mixture), which is not a distribution."""
    m = np.asarray(p, float) + np.asarray(q, float)
    return 0.5 * _kl(p, m) + 0.5 * _kl(q, m)


@wrong
def js_divergence__log_base_2(p, q):
    """JS in bits (log base 2): log 2 nats becomes 1."""
    m = 0.5 * (np.asarray(p, float) + np.asarray(q, float))
    return (0.5 * _kl(p, m) + 0.5 * _kl(q, m)) / math.log(2)


@wrong
def js_divergence__symmetrised_kl(p, q):
    """Averages KL(p||q) and KL(q||p) instead of comparing both with the mixture."""
    return 0.5 * _kl(p, q) + 0.5 * _kl(q, p)


@wrong
def js_divergence__nan_for_zeros(p, q):
    """Sums p*log(p/m) over every outcome: 0*log(0) is nan where p or q has zeros."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(0.5 * np.sum(p * np.log(p / m)) + 0.5 * np.sum(q * np.log(q / m)))


@correct
def js_divergence__entropy_form(p, q):
    """JS = H(m) - (H(p) + H(q)) / 2 with scipy.special.entr (Shannon entropies in nats)."""
    from scipy.special import entr

    p, q = np.asarray(p, float), np.asarray(q, float)
    h = lambda x: float(np.sum(entr(x)))  # noqa: E731
    return h(0.5 * (p + q)) - 0.5 * (h(p) + h(q))


@correct
def js_divergence__rel_entr_to_mixture(p, q):
    """Both KL terms to the mixture with scipy.special.rel_entr, no helper call."""
    from scipy.special import rel_entr

    p, q = np.asarray(p, float), np.asarray(q, float)
    m = (p + q) / 2.0
    return float((np.sum(rel_entr(p, m)) + np.sum(rel_entr(q, m))) / 2.0)


# ======================================================================== 01: wasserstein_1d
def _weights(values, weights):
    return np.ones(len(values)) if weights is None else np.asarray(weights, float)


@wrong
def wasserstein_1d__ignores_weights(u_values, v_values, u_weights=None, v_weights=None):
    """Correct for uniform weights, but never looks at u_weights and v_weights."""
    u, v = np.sort(np.asarray(u_values, float)), np.sort(np.asarray(v_values, float))
    grid = np.sort(np.concatenate([u, v]))
    u_cdf = np.searchsorted(u, grid[:-1], side="right") / len(u)
    v_cdf = np.searchsorted(v, grid[:-1], side="right") / len(v)
    return float(np.sum(np.abs(u_cdf - v_cdf) * np.diff(grid)))


@wrong
def wasserstein_1d__unsorted_values(u_values, v_values, u_weights=None, v_weights=None):
    """The CDF method with cumulative weights, but the values are never sorted first."""
    u, v = np.asarray(u_values, float), np.asarray(v_values, float)
    uw, vw = _weights(u, u_weights), _weights(v, v_weights)
    grid = np.sort(np.concatenate([u, v]))
    u_cdf = np.concatenate([[0.0], np.cumsum(uw)])[np.searchsorted(u, grid[:-1], side="right")] / uw.sum()
    v_cdf = np.concatenate([[0.0], np.cumsum(vw)])[np.searchsorted(v, grid[:-1], side="right")] / vw.sum()
    return float(np.sum(np.abs(u_cdf - v_cdf) * np.diff(grid)))


@wrong
def wasserstein_1d__weights_not_reordered(u_values, v_values, u_weights=None, v_weights=None):
    """Sorts the values with np.sort but keeps the weights in their old order."""
    u, v = np.asarray(u_values, float), np.asarray(v_values, float)
    uw, vw = _weights(u, u_weights), _weights(v, v_weights)
    u, v = np.sort(u), np.sort(v)
    grid = np.sort(np.concatenate([u, v]))
    u_cdf = np.concatenate([[0.0], np.cumsum(uw)])[np.searchsorted(u, grid[:-1], side="right")] / uw.sum()
    v_cdf = np.concatenate([[0.0], np.cumsum(vw)])[np.searchsorted(v, grid[:-1], side="right")] / vw.sum()
    return float(np.sum(np.abs(u_cdf - v_cdf) * np.diff(grid)))


@wrong
def wasserstein_1d__no_abs(u_values, v_values, u_weights=None, v_weights=None):
    """Integrates F_u - F_v without the absolute value: crossing CDFs cancel."""
    u, v = np.asarray(u_values, float), np.asarray(v_values, float)
    uw, vw = _weights(u, u_weights), _weights(v, v_weights)
    iu, iv = np.argsort(u), np.argsort(v)
    u, uw, v, vw = u[iu], uw[iu], v[iv], vw[iv]
    grid = np.sort(np.concatenate([u, v]))
    u_cdf = np.concatenate([[0.0], np.cumsum(uw)])[np.searchsorted(u, grid[:-1], side="right")] / uw.sum()
    v_cdf = np.concatenate([[0.0], np.cumsum(vw)])[np.searchsorted(v, grid[:-1], side="right")] / vw.sum()
    return abs(float(np.sum((u_cdf - v_cdf) * np.diff(grid))))


@wrong
def wasserstein_1d__weights_not_normalised(u_values, v_values, u_weights=None, v_weights=None):
    """Uses cumulative weights as the CDF without dividing by the total weight."""
    u, v = np.asarray(u_values, float), np.asarray(v_values, float)
    uw = np.full(len(u), 1.0 / len(u)) if u_weights is None else np.asarray(u_weights, float)
    vw = np.full(len(v), 1.0 / len(v)) if v_weights is None else np.asarray(v_weights, float)
    iu, iv = np.argsort(u), np.argsort(v)
    u, uw, v, vw = u[iu], uw[iu], v[iv], vw[iv]
    grid = np.sort(np.concatenate([u, v]))
    u_cdf = np.concatenate([[0.0], np.cumsum(uw)])[np.searchsorted(u, grid[:-1], side="right")]
    v_cdf = np.concatenate([[0.0], np.cumsum(vw)])[np.searchsorted(v, grid[:-1], side="right")]
    return float(np.sum(np.abs(u_cdf - v_cdf) * np.diff(grid)))


@wrong
def wasserstein_1d__pairs_sorted_points(u_values, v_values, u_weights=None, v_weights=None):
    """mean |sort(u) - sort(v)|, truncated to the shorter sample: only right for equal sizes."""
    u, v = np.sort(np.asarray(u_values, float)), np.sort(np.asarray(v_values, float))
    n = min(len(u), len(v))
    return float(np.mean(np.abs(u[:n] - v[:n])))


@correct
def wasserstein_1d__quantile_functions(u_values, v_values, u_weights=None, v_weights=None):
    """W1 = integral over t in [0, 1] of |F_u^-1(t) - F_v^-1(t)|: both quantile functions are
    step functions, constant between the merged cumulative-weight breakpoints."""
    u, v = np.asarray(u_values, float), np.asarray(v_values, float)
    uw, vw = _weights(u, u_weights), _weights(v, v_weights)
    iu, iv = np.argsort(u, kind="stable"), np.argsort(v, kind="stable")
    u, v = u[iu], v[iv]
    cu, cv = np.cumsum(uw[iu]) / uw.sum(), np.cumsum(vw[iv]) / vw.sum()
    t = np.unique(np.clip(np.concatenate([[0.0, 1.0], cu, cv]), 0.0, 1.0))
    mid = 0.5 * (t[:-1] + t[1:])
    qu = u[np.minimum(np.searchsorted(cu, mid), len(u) - 1)]
    qv = v[np.minimum(np.searchsorted(cv, mid), len(v) - 1)]
    return float(np.sum(np.abs(qu - qv) * np.diff(t)))


# ======================================================================== 01: example1_distances
@wrong
def example1_distances__signed_w(theta):
    """W = theta instead of |theta|: negative for theta < 0."""
    if theta == 0:
        return {"kl": 0.0, "js": 0.0, "w": 0.0}
    return {"kl": math.inf, "js": math.log(2), "w": float(theta)}


@wrong
def example1_distances__js_zero(theta):
    """Believes the lines 'overlap' in z, so JS = 0 for every theta."""
    if theta == 0:
        return {"kl": 0.0, "js": 0.0, "w": 0.0}
    return {"kl": math.inf, "js": 0.0, "w": abs(theta)}


@wrong
def example1_distances__theta_zero_not_special(theta):
    """Forgets that P_theta = P_0 at theta = 0: KL=inf and JS=log 2 there too."""
    return {"kl": math.inf, "js": math.log(2), "w": abs(theta)}


@wrong
def example1_distances__js_in_bits(theta):
    """JS of disjoint supports in bits: 1 instead of log 2 nats."""
    if theta == 0:
        return {"kl": 0.0, "js": 0.0, "w": 0.0}
    return {"kl": math.inf, "js": 1.0, "w": abs(theta)}


@wrong
def example1_distances__kl_nan(theta):
    """Calls KL 'undefined' for disjoint supports and returns nan instead of +inf."""
    if theta == 0:
        return {"kl": 0.0, "js": 0.0, "w": 0.0}
    return {"kl": math.nan, "js": math.log(2), "w": abs(theta)}


@correct
def example1_distances__numpy_where(theta):
    """With numpy constants and np.where, no early return; numpy floats in the dict."""
    apart = bool(theta != 0)
    return {
        "w": np.abs(np.float64(theta)),
        "js": np.where(apart, np.log(2.0), 0.0)[()],
        "kl": np.inf if apart else np.float64(0.0),
    }


# ======================================================================== 02/03: critic_loss
@wrong
def critic_loss__sign_flipped(real_scores, fake_scores):
    """mean(real) - mean(fake): the objective the critic maximises, not the loss it minimises."""
    return ops.mean(real_scores) - ops.mean(fake_scores)


@wrong
def critic_loss__sum_instead_of_mean(real_scores, fake_scores):
    """Sums over the batch: the loss (and the learning rate's effect) grows with the batch size."""
    return ops.sum(fake_scores) - ops.sum(real_scores)


@wrong
def critic_loss__numpy_value(real_scores, fake_scores):
    """Converts to numpy: right value, but no gradient reaches the critic."""
    return np.mean(ops.convert_to_numpy(fake_scores)) - np.mean(ops.convert_to_numpy(real_scores))


@wrong
def critic_loss__float_conversion(real_scores, fake_scores):
    """Calls float() on the means: a Python number, cut off from the graph."""
    return float(ops.mean(fake_scores)) - float(ops.mean(real_scores))


@wrong
def critic_loss__fake_term_only(real_scores, fake_scores):
    """Forgets the real term: only mean(fake)."""
    return ops.mean(fake_scores)


@wrong
def critic_loss__first_column(real_scores, fake_scores):
    """Indexes the score column [:, 0]: right for (batch, 1), an error for (batch,) scores."""
    return ops.mean(fake_scores[:, 0]) - ops.mean(real_scores[:, 0])


@correct
def critic_loss__tensorflow_reduce_mean(real_scores, fake_scores):
    """Plain TensorFlow: tf.reduce_mean."""
    tf = _tf()
    return tf.reduce_mean(fake_scores) - tf.reduce_mean(real_scores)


@correct
def critic_loss__ops_negative_difference(real_scores, fake_scores):
    """keras.ops written the other way round: -(mean(real) - mean(fake))."""
    return ops.negative(ops.subtract(ops.mean(real_scores), ops.mean(fake_scores)))


# ======================================================================== 02/03: clip_weights
@wrong
def clip_weights__kernels_only(model, c):
    """Clips the kernels (2-D variables) and forgets the biases."""
    for v in model.trainable_variables:
        if len(v.shape) >= 2:
            v.assign(ops.clip(v, -c, c))


@wrong
def clip_weights__first_layer_only(model, c):
    """Clips the first layer's weights only."""
    for v in model.layers[0].trainable_variables:
        v.assign(ops.clip(v, -c, c))


@correct
def clip_weights__numpy_roundtrip(model, c):
    """Clips with numpy and set_weights: cannot be compiled, so the trainers run it eagerly."""
    model.set_weights([np.clip(w, -c, c) for w in model.get_weights()])


@correct
def clip_weights__numpy_assign(model, c):
    """assign(np.clip(...)) of each variable: reads the value with numpy, so it runs eagerly."""
    for v in model.trainable_variables:
        v.assign(np.clip(ops.convert_to_numpy(v), -c, c))


@wrong
def clip_weights__rebinds_name(model, c):
    """Rebinds the loop variable instead of assigning: nothing changes in the model."""
    for v in model.trainable_variables:
        v = ops.clip(v, -c, c)  # noqa: F841


@wrong
def clip_weights__upper_bound_only(model, c):
    """ops.minimum(v, c): caps large weights but leaves weights below -c alone."""
    for v in model.trainable_variables:
        v.assign(ops.minimum(v, c))


@wrong
def clip_weights__returns_model(model, c):
    """Clips correctly but returns the model instead of None."""
    for v in model.trainable_variables:
        v.assign(ops.clip(v, -c, c))
    return model


@correct
def clip_weights__tensorflow_clip_by_value(model, c):
    """Plain TensorFlow: var.assign(tf.clip_by_value(var, -c, c))."""
    tf = _tf()
    for var in model.trainable_variables:
        var.assign(tf.clip_by_value(var, -c, c))


@correct
def clip_weights__per_layer_min_max(model, c):
    """Walks the layers' trainable weights and clips with ops.maximum/ops.minimum."""
    for layer in model.layers:
        for w in layer.trainable_weights:
            w.assign(ops.minimum(ops.maximum(w, -c), c))


# ======================================================================== 03: discriminator_loss
@wrong
def discriminator_loss__log_sigmoid_overflow(real_logits, fake_logits):
    """-log(sigmoid(real)) - log(1 - sigmoid(fake)): inf once a logit saturates (+-100)."""
    return -ops.mean(ops.log(ops.sigmoid(real_logits))) - ops.mean(ops.log(1.0 - ops.sigmoid(fake_logits)))


@wrong
def discriminator_loss__epsilon_in_log(real_logits, fake_logits):
    """log(sigmoid(x) + 1e-7) to avoid log(0): finite, but capped near 16 for saturated logits.
    (keras.losses.binary_crossentropy on ops.sigmoid outputs is not this mistake under the
    TensorFlow backend: Keras recovers the logits from the sigmoid and computes it stably.)"""
    eps = 1e-7
    return (-ops.mean(ops.log(ops.sigmoid(real_logits) + eps))
            - ops.mean(ops.log(1.0 - ops.sigmoid(fake_logits) + eps)))


@wrong
def discriminator_loss__sum_instead_of_mean(real_logits, fake_logits):
    """Sums over the batch instead of averaging."""
    return ops.sum(ops.softplus(-real_logits)) + ops.sum(ops.softplus(fake_logits))


@wrong
def discriminator_loss__labels_swapped(real_logits, fake_logits):
    """Labels swapped: real treated as 0 and fake as 1."""
    return ops.mean(ops.softplus(real_logits)) + ops.mean(ops.softplus(-fake_logits))


@wrong
def discriminator_loss__concatenated_mean(real_logits, fake_logits):
    """One mean over the concatenated batch: half the sum of the two means."""
    terms = ops.concatenate([ops.softplus(-ops.reshape(real_logits, (-1,))),
                             ops.softplus(ops.reshape(fake_logits, (-1,)))])
    return ops.mean(terms)


@wrong
def discriminator_loss__numpy_value(real_logits, fake_logits):
    """Stable numpy (np.logaddexp): right value, no gradient."""
    r, f = ops.convert_to_numpy(real_logits), ops.convert_to_numpy(fake_logits)
    return np.mean(np.logaddexp(0.0, -r)) + np.mean(np.logaddexp(0.0, f))


@correct
def discriminator_loss__tensorflow_sigmoid_cross_entropy(real_logits, fake_logits):
    """Plain TensorFlow: tf.nn.sigmoid_cross_entropy_with_logits with labels 1 and 0."""
    tf = _tf()
    real_logits, fake_logits = tf.convert_to_tensor(real_logits), tf.convert_to_tensor(fake_logits)
    real_loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(real_logits), logits=real_logits)
    fake_loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros_like(fake_logits), logits=fake_logits)
    return tf.reduce_mean(real_loss) + tf.reduce_mean(fake_loss)


@correct
def discriminator_loss__log_sigmoid(real_logits, fake_logits):
    """keras.ops.log_sigmoid, which is stable: -mean(log_sigmoid(real)) - mean(log_sigmoid(-fake))."""
    return -ops.mean(ops.log_sigmoid(real_logits)) - ops.mean(ops.log_sigmoid(-fake_logits))


@correct
def discriminator_loss__keras_bce_from_logits(real_logits, fake_logits):
    """keras.losses.binary_crossentropy(..., from_logits=True), averaged per term."""
    import keras

    bce = keras.losses.binary_crossentropy
    real_logits, fake_logits = ops.reshape(real_logits, (-1, 1)), ops.reshape(fake_logits, (-1, 1))
    return (ops.mean(bce(ops.ones_like(real_logits), real_logits, from_logits=True))
            + ops.mean(bce(ops.zeros_like(fake_logits), fake_logits, from_logits=True)))


# ======================================================================== 03: generator_loss
@wrong
def generator_loss__saturating(fake_logits):
    """The minimax (saturating) loss mean(log(1 - sigmoid(fake))), not the non-saturating one."""
    return -ops.mean(ops.softplus(fake_logits))


@wrong
def generator_loss__log_sigmoid_overflow(fake_logits):
    """-mean(log(sigmoid(fake))): inf for a confidently rejected fake (logit -100)."""
    return -ops.mean(ops.log(ops.sigmoid(fake_logits)))


@wrong
def generator_loss__sum_instead_of_mean(fake_logits):
    """Sums over the batch instead of averaging."""
    return ops.sum(ops.softplus(-fake_logits))


@wrong
def generator_loss__label_zero(fake_logits):
    """Uses the discriminator's label for fakes (0): mean(softplus(fake))."""
    return ops.mean(ops.softplus(fake_logits))


@wrong
def generator_loss__epsilon_in_log(fake_logits):
    """-mean(log(sigmoid(fake) + 1e-7)): finite, but capped near 16 for a rejected fake."""
    return -ops.mean(ops.log(ops.sigmoid(fake_logits) + 1e-7))


@wrong
def generator_loss__numpy_value(fake_logits):
    """Stable numpy (np.logaddexp): right value, no gradient reaches the generator."""
    return np.mean(np.logaddexp(0.0, -ops.convert_to_numpy(fake_logits)))


@correct
def generator_loss__tensorflow_sigmoid_cross_entropy(fake_logits):
    """Plain TensorFlow: tf.nn.sigmoid_cross_entropy_with_logits with label 1."""
    tf = _tf()
    fake_logits = tf.convert_to_tensor(fake_logits)
    return tf.reduce_mean(
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(fake_logits), logits=fake_logits))


@correct
def generator_loss__log_sigmoid(fake_logits):
    """keras.ops.log_sigmoid, which is stable: -mean(log_sigmoid(fake))."""
    return -ops.mean(ops.log_sigmoid(fake_logits))


# ======================================================================== 03: wgan_generator_loss
@wrong
def wgan_generator_loss__sign_flipped(fake_scores):
    """mean(fake): the generator would push its scores down."""
    return ops.mean(fake_scores)


@wrong
def wgan_generator_loss__sum_instead_of_mean(fake_scores):
    """-sum(fake): grows with the batch size."""
    return -ops.sum(fake_scores)


@wrong
def wgan_generator_loss__numpy_value(fake_scores):
    """-np.mean(...): right value, no gradient."""
    return -np.mean(ops.convert_to_numpy(fake_scores))


@wrong
def wgan_generator_loss__float_conversion(fake_scores):
    """-float(mean): a Python number, cut off from the graph."""
    return -float(ops.mean(fake_scores))


@wrong
def wgan_generator_loss__gan_loss(fake_scores):
    """Reuses the GAN's non-saturating loss mean(softplus(-fake)) on critic scores."""
    return ops.mean(ops.softplus(-fake_scores))


@correct
def wgan_generator_loss__tensorflow_reduce_mean(fake_scores):
    """Plain TensorFlow: -tf.reduce_mean(fake)."""
    return -_tf().reduce_mean(fake_scores)


@correct
def wgan_generator_loss__ops_negative(fake_scores):
    """keras.ops.negative of the mean, computed as sum / batch size."""
    return ops.negative(ops.sum(fake_scores) / ops.cast(ops.size(fake_scores), fake_scores.dtype))


# ============================================== 03: mistakes that the PUBLIC tests must catch
# Shapes: the critic returns (batch, 1), other code passes (batch,); both must work.
@wrong
def critic_loss__first_column_index(real_scores, fake_scores):
    """Indexes x[:, 0]: right on (batch, 1) scores, an error on (batch,) scores."""
    return ops.mean(fake_scores[:, 0]) - ops.mean(real_scores[:, 0])


@wrong
def critic_loss__mean_over_last_axis(real_scores, fake_scores):
    """ops.mean(x, axis=-1): a (batch,) vector for (batch, 1) scores instead of one scalar."""
    return ops.mean(fake_scores, axis=-1) - ops.mean(real_scores, axis=-1)


@wrong
def critic_loss__stub_returns_none(real_scores, fake_scores):
    """The unfilled stub: returns None."""


@wrong
def discriminator_loss__mean_over_last_axis(real_logits, fake_logits):
    """ops.mean(..., axis=-1): a (batch,) vector for (batch, 1) logits instead of one scalar."""
    return ops.mean(ops.softplus(-real_logits), axis=-1) + ops.mean(ops.softplus(fake_logits), axis=-1)


@wrong
def discriminator_loss__stub_returns_none(real_logits, fake_logits):
    """The unfilled stub: returns None."""


@wrong
def generator_loss__first_column_index(fake_logits):
    """Indexes x[:, 0]: right on (batch, 1) logits, an error on (batch,) logits."""
    return ops.mean(ops.softplus(-fake_logits[:, 0]))


@wrong
def generator_loss__stub_returns_none(fake_logits):
    """The unfilled stub: returns None."""


@wrong
def wgan_generator_loss__mean_over_last_axis(fake_scores):
    """-ops.mean(x, axis=-1): a (batch,) vector for (batch, 1) scores instead of one scalar."""
    return -ops.mean(fake_scores, axis=-1)


@wrong
def wgan_generator_loss__stub_returns_none(fake_scores):
    """The unfilled stub: returns None."""


@wrong
def clip_weights__stub_does_nothing(model, c):
    """The unfilled stub: changes nothing, returns None."""


@wrong
def clip_weights__list_of_clipped_values(model, c):
    """Returns the clipped values as a list instead of assigning them to the variables."""
    return [ops.clip(v, -c, c) for v in model.trainable_variables]




# ======================================================================== 04: gradient_penalty
@wrong
def gradient_penalty__norm_over_whole_batch(critic, real, fake, alpha):
    """One norm of the whole batch's gradient instead of one per sample."""
    x_hat = alpha * real + (1.0 - alpha) * fake
    grads = input_gradients(critic, x_hat)
    return ops.square(ops.sqrt(ops.sum(ops.square(grads))) - 1.0)


@wrong
def gradient_penalty__norm_over_last_axis(critic, real, fake, alpha):
    """Norm over the last axis only: for images (batch, h, w, 1) that is |pixel| per pixel."""
    x_hat = alpha * real + (1.0 - alpha) * fake
    grads = input_gradients(critic, x_hat)
    norms = ops.sqrt(ops.sum(ops.square(grads), axis=-1) + 1e-12)
    return ops.mean(ops.square(norms - 1.0))


@wrong
def gradient_penalty__missing_square(critic, real, fake, alpha):
    """mean(|norm - 1|): forgets to square."""
    x_hat = alpha * real + (1.0 - alpha) * fake
    grads = input_gradients(critic, x_hat)
    norms = ops.sqrt(ops.sum(ops.square(ops.reshape(grads, (ops.shape(grads)[0], -1))), axis=1) + 1e-12)
    return ops.mean(ops.abs(norms - 1.0))


@wrong
def gradient_penalty__squared_norm(critic, real, fake, alpha):
    """Uses the squared norm (no sqrt): mean((||g||^2 - 1)^2)."""
    x_hat = alpha * real + (1.0 - alpha) * fake
    grads = input_gradients(critic, x_hat)
    sq = ops.sum(ops.square(ops.reshape(grads, (ops.shape(grads)[0], -1))), axis=1)
    return ops.mean(ops.square(sq - 1.0))


@wrong
def gradient_penalty__stop_gradient(critic, real, fake, alpha):
    """Stops the gradient of the input gradients: right value, no push on the critic's weights."""
    x_hat = alpha * real + (1.0 - alpha) * fake
    grads = ops.stop_gradient(input_gradients(critic, x_hat))
    norms = ops.sqrt(ops.sum(ops.square(ops.reshape(grads, (ops.shape(grads)[0], -1))), axis=1) + 1e-12)
    return ops.mean(ops.square(norms - 1.0))


@wrong
def gradient_penalty__alpha_ignored_real(critic, real, fake, alpha):
    """Penalises at the real samples only (alpha ignored)."""
    return _penalty(critic, real, fake, ops.ones_like(alpha))


@wrong
def gradient_penalty__alpha_ignored_fake(critic, real, fake, alpha):
    """Penalises at the fake samples only (alpha ignored)."""
    return _penalty(critic, real, fake, ops.zeros_like(alpha))


@wrong
def gradient_penalty__alpha_swapped(critic, real, fake, alpha):
    """x_hat = (1 - alpha) real + alpha fake: the wrong interpolates for the given alpha."""
    return _penalty(critic, real, fake, 1.0 - alpha)


@wrong
def gradient_penalty__sum_over_batch(critic, real, fake, alpha):
    """Sums the per-sample penalties instead of averaging them."""
    x_hat = alpha * real + (1.0 - alpha) * fake
    grads = input_gradients(critic, x_hat)
    norms = ops.sqrt(ops.sum(ops.square(ops.reshape(grads, (ops.shape(grads)[0], -1))), axis=1) + 1e-12)
    return ops.sum(ops.square(norms - 1.0))


@wrong
def gradient_penalty__one_sided(critic, real, fake, alpha):
    """The one-sided variant mean(max(0, norm - 1)^2): the assignment asks for the two-sided one."""
    x_hat = alpha * real + (1.0 - alpha) * fake
    grads = input_gradients(critic, x_hat)
    norms = ops.sqrt(ops.sum(ops.square(ops.reshape(grads, (ops.shape(grads)[0], -1))), axis=1) + 1e-12)
    return ops.mean(ops.square(ops.relu(norms - 1.0)))


@wrong
def gradient_penalty__float_conversion(critic, real, fake, alpha):
    """float() on the result: right value, a Python number without gradient."""
    return float(ops.convert_to_numpy(_penalty(critic, real, fake, alpha)))


@wrong
def gradient_penalty__tensorflow_tape_without_watch(critic, real, fake, alpha):
    """tf.GradientTape without tape.watch(x_hat): x_hat is a tensor, not a variable, so the
    tape records nothing and the gradient is None."""
    tf = _tf()
    x_hat = alpha * real + (1.0 - alpha) * fake
    with tf.GradientTape() as tape:
        scores = critic(x_hat)
    grads = tape.gradient(scores, x_hat)
    norms = tf.norm(tf.reshape(grads, [tf.shape(grads)[0], -1]), axis=1)
    return tf.reduce_mean(tf.square(norms - 1.0))


@correct
def gradient_penalty__tensorflow_gradient_tape(critic, real, fake, alpha):
    """Plain TensorFlow: tf.GradientTape with tape.watch, tf.reduce_sum over all non-batch axes."""
    return _tf_penalty(critic, real, fake, alpha)


@wrong
def gradient_penalty__ops_norm_no_epsilon(critic, real, fake, alpha):
    """keras.ops.norm of the flattened per-sample gradient: right values, but NaN weight gradients
    where the critic's gradient is 0 (the derivative of the norm at 0)."""
    x_hat = fake + alpha * (real - fake)
    grads = input_gradients(critic, x_hat)
    norms = ops.norm(ops.reshape(grads, (ops.shape(grads)[0], -1)), axis=1)
    return ops.mean((norms - 1.0) ** 2)


@wrong
def gradient_penalty__no_epsilon(critic, real, fake, alpha):
    """sqrt(sum(g^2)) without epsilon: NaN weight gradients wherever the critic is flat."""
    x_hat = alpha * real + (1.0 - alpha) * fake
    grads = input_gradients(critic, x_hat)
    norms = ops.sqrt(ops.sum(ops.square(ops.reshape(grads, (ops.shape(grads)[0], -1))), axis=1))
    return ops.mean(ops.square(norms - 1.0))


@correct
def gradient_penalty__interpolate_from_fake(critic, real, fake, alpha):
    """Interpolate written as fake + alpha (real - fake), norm from the flattened gradient with epsilon."""
    x_hat = fake + alpha * (real - fake)
    grads = input_gradients(critic, x_hat)
    sq = ops.sum(ops.square(ops.reshape(grads, (ops.shape(grads)[0], -1))), axis=-1)
    return ops.mean((ops.sqrt(sq + 1e-10) - 1.0) ** 2)


@correct
def gradient_penalty__tensorflow_keras_call(critic, real, fake, alpha):
    """keras.io's style: critic(x_hat, training=True) inside a tape, gradient taken from a list."""
    return _tf_penalty_keras_call(critic, real, fake, alpha)


# ======================================================================== 04: critic_loss_gp
@wrong
def critic_loss_gp__lam_hard_coded(critic, real, fake, alpha, lam=10.0):
    """Always uses 10 as the penalty weight, whatever lam is passed."""
    return ops.mean(critic(fake)) - ops.mean(critic(real)) + 10.0 * _penalty(critic, real, fake, alpha)


@wrong
def critic_loss_gp__lam_missing(critic, real, fake, alpha, lam=10.0):
    """Adds the penalty without its weight lam."""
    return ops.mean(critic(fake)) - ops.mean(critic(real)) + _penalty(critic, real, fake, alpha)


@wrong
def critic_loss_gp__critic_sign_flipped(critic, real, fake, alpha, lam=10.0):
    """mean(f(real)) - mean(f(fake)) + lam * penalty."""
    return ops.mean(critic(real)) - ops.mean(critic(fake)) + lam * _penalty(critic, real, fake, alpha)


@wrong
def critic_loss_gp__penalty_subtracted(critic, real, fake, alpha, lam=10.0):
    """Subtracts the penalty instead of adding it."""
    return ops.mean(critic(fake)) - ops.mean(critic(real)) - lam * _penalty(critic, real, fake, alpha)


@wrong
def critic_loss_gp__penalty_at_real(critic, real, fake, alpha, lam=10.0):
    """Penalises the gradient at the real samples (alpha ignored)."""
    return (ops.mean(critic(fake)) - ops.mean(critic(real))
            + lam * _penalty(critic, real, fake, ops.ones_like(alpha)))


@wrong
def critic_loss_gp__sum_instead_of_mean(critic, real, fake, alpha, lam=10.0):
    """Sums the critic's scores over the batch instead of averaging them."""
    return ops.sum(critic(fake)) - ops.sum(critic(real)) + lam * _penalty(critic, real, fake, alpha)


@wrong
def critic_loss_gp__float_conversion(critic, real, fake, alpha, lam=10.0):
    """float() on the loss: right value, but nothing left to differentiate."""
    return float(ops.convert_to_numpy(
        ops.mean(critic(fake)) - ops.mean(critic(real)) + lam * _penalty(critic, real, fake, alpha)))


@wrong
def critic_loss_gp__penalty_stop_gradient(critic, real, fake, alpha, lam=10.0):
    """stop_gradient on the penalty term: right value, the penalty never shapes the critic."""
    return (ops.mean(critic(fake)) - ops.mean(critic(real))
            + lam * ops.stop_gradient(_penalty(critic, real, fake, alpha)))


@correct
def critic_loss_gp__tensorflow_gradient_tape(critic, real, fake, alpha, lam=10.0):
    """Plain TensorFlow: tf.reduce_mean and a tf.GradientTape penalty."""
    tf = _tf()
    return (tf.reduce_mean(critic(fake)) - tf.reduce_mean(critic(real))
            + lam * _tf_penalty(critic, real, fake, alpha))


@correct
def critic_loss_gp__one_critic_call(critic, real, fake, alpha, lam=10.0):
    """Scores real and fake in one critic call on the concatenated batch, then splits."""
    n = ops.shape(real)[0]
    scores = critic(ops.concatenate([real, fake], axis=0))
    return ops.mean(scores[n:]) - ops.mean(scores[:n]) + lam * _penalty(critic, real, fake, alpha)


@correct
def critic_loss_gp__tensorflow_keras_call(critic, real, fake, alpha, lam=10.0):
    """keras.io's style: every critic call with training=True, d_cost + gp * lam."""
    tf = _tf()
    d_cost = tf.reduce_mean(critic(fake, training=True)) - tf.reduce_mean(critic(real, training=True))
    gp = _tf_penalty_keras_call(critic, real, fake, alpha)
    return d_cost + gp * lam


# ======================================================================== 04: critic_input_gradients
@wrong
def critic_input_gradients__tensorflow_tape_without_watch(critic, x):
    """tf.GradientTape without tape.watch(x): x is a tensor, not a variable, so the gradient is None."""
    tf = _tf()
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        scores = critic(x)
    return tape.gradient(scores, x)


@wrong
def critic_input_gradients__tensorflow_gradient_of_mean(critic, x):
    """Differentiates the mean of the scores: every row divided by the batch size."""
    tf = _tf()
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        score = tf.reduce_mean(critic(x))
    return tape.gradient(score, x)


@wrong
def critic_input_gradients__tensorflow_numpy_result(critic, x):
    """Returns tape.gradient(...).numpy(): right values, cut off from the critic's weights."""
    tf = _tf()
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = critic(x)
    return tape.gradient(scores, x).numpy()


@wrong
def critic_input_gradients__stop_gradient(critic, x):
    """stop_gradient on the input gradients: right values, no double backpropagation."""
    return ops.stop_gradient(input_gradients(critic, x))


@correct
def critic_input_gradients__tensorflow_sum_persistent(critic, x):
    """Plain TensorFlow: a persistent tape and the gradient of tf.reduce_sum(scores)."""
    tf = _tf()
    x = tf.convert_to_tensor(x)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        total = tf.reduce_sum(critic(x))
    grads = tape.gradient(total, x)
    del tape
    return grads


@correct
def critic_input_gradients__tensorflow_keras_call(critic, x):
    """keras.io's call: critic(x, training=True) inside the tape, the gradient of the scores."""
    tf = _tf()
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        pred = critic(x, training=True)
    return tape.gradient(pred, [x])[0]


@correct
def critic_input_gradients__library(critic, x):
    """wganlab.autodiff.input_gradients, the backend-neutral tool the notebook explains."""
    return input_gradients(critic, x)


# ======================================================================== 04: sample_alpha
@wrong
def sample_alpha__batch_shape_only(batch, sample_shape, seed):
    """Shape (batch,): broadcasts against the images' last axis instead of one value per sample."""
    import keras

    return keras.random.uniform((batch,), seed=seed)


@wrong
def sample_alpha__one_for_the_batch(batch, sample_shape, seed):
    """One alpha for the whole batch, repeated to the right shape."""
    import keras

    return keras.random.uniform((), seed=seed) * ops.ones((batch,) + (1,) * len(sample_shape))


@wrong
def sample_alpha__normal(batch, sample_shape, seed):
    """keras.random.normal: interpolates outside the segment between the two samples."""
    import keras

    return keras.random.normal((batch,) + (1,) * len(sample_shape), seed=seed)


@wrong
def sample_alpha__seed_ignored(batch, sample_shape, seed):
    """Ignores seed: not reproducible from an integer seed."""
    import keras

    return keras.random.uniform((batch,) + (1,) * len(sample_shape))


@correct
def sample_alpha__tensorflow_reshape(batch, sample_shape, seed):
    """Draws (batch,) values with keras.random.uniform and reshapes them with tf.reshape."""
    import keras

    return _tf().reshape(keras.random.uniform((batch,), seed=seed), [batch] + [1] * len(sample_shape))


@correct
def sample_alpha__expand_dims(batch, sample_shape, seed):
    """Draws (batch, 1) and adds the remaining axes with ops.expand_dims."""
    import keras

    alpha = keras.random.uniform((batch, 1), minval=0.0, maxval=1.0, seed=seed)
    for _ in range(len(sample_shape) - 1):
        alpha = ops.expand_dims(alpha, -1)
    return alpha


# ======================================================================== 04: train_step
def _critic_loss_gp(critic, real, fake, alpha, lam=10.0):
    """A correct critic_loss_gp, for the train_step variants."""
    return ops.mean(critic(fake)) - ops.mean(critic(real)) + lam * _penalty(critic, real, fake, alpha)


def _update(opt, loss_fn, variables):
    """One optimizer update from a loss closure (backend-neutral); returns the loss."""
    from wganlab import autodiff

    loss, grads = autodiff.value_and_grad(loss_fn, variables)
    opt.apply(grads, variables)
    return loss


def _step(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0, critic_updates=None, g_index=-1,
          inside=False, real_index=None, lam_used=None, g_sign=-1.0, c_loss_fn=None):
    """A train_step with one knob per mistake (all defaults: correct)."""
    c_loss_fn = c_loss_fn or _critic_loss_gp
    n = real.shape[0] if critic_updates is None else critic_updates
    g_loss = None
    for i in range(n):
        r = real[i if real_index is None else real_index]
        fake = generator(z[i], training=True)
        c_loss = _update(c_opt, lambda: c_loss_fn(critic, r, fake, alpha[i], lam if lam_used is None else lam_used),
                         critic.trainable_variables)
        if inside:
            g_loss = _update(g_opt, lambda: g_sign * ops.mean(critic(generator(z[g_index], training=True))),
                             generator.trainable_variables)
    if not inside:
        g_loss = _update(g_opt, lambda: g_sign * ops.mean(critic(generator(z[g_index], training=True))),
                         generator.trainable_variables)
    return c_loss, g_loss


@wrong
def train_step__generator_inside_critic_loop(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
    """Updates the generator inside the critic loop: n_critic generator updates per step."""
    return _step(generator, critic, g_opt, c_opt, real, z, alpha, lam, inside=True)


@wrong
def train_step__one_critic_update(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
    """A single critic update per step (n_critic ignored)."""
    return _step(generator, critic, g_opt, c_opt, real, z, alpha, lam, critic_updates=1)


@wrong
def train_step__generator_reuses_first_noise(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
    """The generator update uses z[0], the noise of the first critic update, instead of z[-1]."""
    return _step(generator, critic, g_opt, c_opt, real, z, alpha, lam, g_index=0)


@wrong
def train_step__same_real_batch(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
    """Every critic update uses real[0]."""
    return _step(generator, critic, g_opt, c_opt, real, z, alpha, lam, real_index=0)


@wrong
def train_step__lam_ignored(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
    """Always calls critic_loss_gp with its default lam = 10, whatever lam is passed."""
    return _step(generator, critic, g_opt, c_opt, real, z, alpha, lam, lam_used=10.0)


@wrong
def train_step__generator_loss_sign_flipped(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
    """Generator loss +mean(critic(fake)): pushes the generator's scores down."""
    return _step(generator, critic, g_opt, c_opt, real, z, alpha, lam, g_sign=1.0)


@wrong
def train_step__no_penalty(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
    """Critic trained on mean(f(fake)) - mean(f(real)) alone: the penalty is left out."""
    return _step(generator, critic, g_opt, c_opt, real, z, alpha, lam,
                 c_loss_fn=lambda c, r, f, a, l: ops.mean(c(f)) - ops.mean(c(r)))


@correct
def train_step__backend_neutral(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
    """wganlab.autodiff.value_and_grad and optimizer.apply instead of tf.GradientTape."""
    return _step(generator, critic, g_opt, c_opt, real, z, alpha, lam)


@correct
def train_step__tensorflow_gradient_tape(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
    """Plain TensorFlow, keras.io's way: tf.GradientTape, optimizer.apply(grads, variables), a list of losses."""
    tf = _tf()
    losses = []
    for i in range(real.shape[0]):
        fake = generator(z[i], training=True)
        with tf.GradientTape() as tape:
            loss = _critic_loss_gp(critic, real[i], fake, alpha[i], lam)
        c_opt.apply(tape.gradient(loss, critic.trainable_variables), critic.trainable_variables)
        losses.append(loss)
    with tf.GradientTape() as tape:
        g_loss = -tf.reduce_mean(critic(generator(z[-1], training=True)))
    g_opt.apply(tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables)
    return losses[-1], g_loss


@correct
def train_step__tensorflow_keras_call(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
    """keras.io's WGAN-GP train_step: every model call with training=True, apply_gradients(zip(...))."""
    tf = _tf()
    for i in range(real.shape[0]):
        with tf.GradientTape() as tape:
            fake_images = generator(z[i], training=True)
            fake_logits = critic(fake_images, training=True)
            real_logits = critic(real[i], training=True)
            d_cost = tf.reduce_mean(fake_logits) - tf.reduce_mean(real_logits)
            gp = _tf_penalty_keras_call(critic, real[i], fake_images, alpha[i])
            d_loss = d_cost + gp * lam
        d_gradient = tape.gradient(d_loss, critic.trainable_variables)
        c_opt.apply_gradients(zip(d_gradient, critic.trainable_variables))
    with tf.GradientTape() as tape:
        generated_images = generator(z[-1], training=True)
        gen_img_logits = critic(generated_images, training=True)
        g_loss = -tf.reduce_mean(gen_img_logits)
    gen_gradient = tape.gradient(g_loss, generator.trainable_variables)
    g_opt.apply_gradients(zip(gen_gradient, generator.trainable_variables))
    return d_loss, g_loss


# Mistakes that a PUBLIC test must catch with a message (issue 14): students never see the hidden
# tests' messages, so a likely mistake found only by them is found only in the grade. Checked by
# tests/test_variants.py against the public cases of every assignment that grades the function.
PUBLIC_MISTAKES: dict[str, tuple[str, ...]] = {
    "kl_divergence": ("nan_for_zero_p", "nan_instead_of_inf", "log_base_2",),
    "js_divergence": ("nan_for_zeros",),
    "wasserstein_1d": ("unsorted_values", "weights_not_reordered", "ignores_weights",),
    "example1_distances": ("theta_zero_not_special",),
    "critic_loss": ("first_column", "numpy_value", "float_conversion", "sign_flipped", "first_column_index", "mean_over_last_axis", "stub_returns_none",),
    "discriminator_loss": ("log_sigmoid_overflow", "epsilon_in_log", "labels_swapped", "mean_over_last_axis", "numpy_value", "stub_returns_none",),
    "generator_loss": ("log_sigmoid_overflow", "epsilon_in_log", "label_zero", "first_column_index", "numpy_value", "stub_returns_none",),
    "wgan_generator_loss": ("sign_flipped", "mean_over_last_axis", "numpy_value", "stub_returns_none",),
    "clip_weights": ("stub_does_nothing", "list_of_clipped_values", "returns_model", "kernels_only",),
    "critic_input_gradients": ("tensorflow_tape_without_watch", "tensorflow_gradient_of_mean", "tensorflow_numpy_result", "stop_gradient",),
    "sample_alpha": ("batch_shape_only", "one_for_the_batch", "normal",),
    "gradient_penalty": ("norm_over_whole_batch", "norm_over_last_axis", "missing_square", "squared_norm", "alpha_ignored_real", "alpha_ignored_fake", "alpha_swapped", "sum_over_batch", "no_epsilon", "ops_norm_no_epsilon",),
    "train_step": ("generator_inside_critic_loop", "one_critic_update",),
}


def public_mistakes() -> list[Variant]:
    """The wrong variants that a public test must catch."""
    out = []
    for function, names in PUBLIC_MISTAKES.items():
        known = {v.name: v for v in variants(function, correct=False)}
        missing = set(names) - set(known)
        assert not missing, f"PUBLIC_MISTAKES names unknown {function} variants: {missing}"
        out += [known[n] for n in names]
    return out
