"""The losses `wganlab bench` trains with: the library's own, so the benchmark runs from an
installed full wheel (the reference solutions ship with the instructors' repository only). They
are the graded losses under other names, which is why the students' wheel leaves the benchmark
out (wganlab.course.handout.INSTRUCTOR_ONLY, tests/test_student_wheel.py).

They cost what the assignments' functions cost: the same tensor operations, and one double
backpropagation per critic update for the penalty. The penalty is the one-sided Lipschitz
penalty of Petzka et al. (2018) that the estimator uses too, not the two-sided penalty that
assignment 4 asks students to write; the timing does not depend on the difference.
"""

from __future__ import annotations

from keras import ops

from wganlab import autodiff, train


def _gap(critic, real, fake):
    return ops.mean(critic(fake)) - ops.mean(critic(real))


def _clip_all(critic, clip: float) -> None:
    for v in critic.trainable_variables:
        v.assign(ops.clip(v, -clip, clip))


def _one_sided_penalty(critic, real, fake, alpha):
    mixed = alpha * real + (1.0 - alpha) * fake
    grads = autodiff.input_gradients(critic, mixed)
    norms = ops.sqrt(ops.sum(ops.square(ops.reshape(grads, (ops.shape(grads)[0], -1))), axis=1) + 1e-12)
    return ops.mean(ops.square(ops.relu(norms - 1.0)))


def objectives(kind: str, clip: float = 0.01, lam: float = 10.0) -> train.Objectives:
    """Objectives of ``kind`` ('wgan': weight clipping at ``clip``; 'wgan_gp': penalty weight ``lam``)."""
    generator = lambda fake_scores: -ops.mean(fake_scores)  # noqa: E731
    if kind == "wgan":
        return train.Objectives(critic=lambda critic, real, fake, alpha: _gap(critic, real, fake),
                                generator=generator, constraint=lambda critic: _clip_all(critic, clip), name="wgan")
    if kind == "wgan_gp":
        return train.Objectives(
            critic=lambda critic, real, fake, alpha: _gap(critic, real, fake)
            + lam * _one_sided_penalty(critic, real, fake, alpha),
            generator=generator, name="wgan_gp")
    raise ValueError(f"the benchmark trains 'wgan' or 'wgan_gp', not {kind!r}")
