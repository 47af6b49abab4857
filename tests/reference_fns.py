"""Loss functions for library tests that must not depend on the otter masters.

The masters in ``solutions/`` are the reference that grading uses; these are written
independently (plain keras.ops) so that the trainer and autodiff tests stand on their own.
"""

from keras import ops

from wganlab import autodiff


def critic_loss(real_scores, fake_scores):
    return ops.mean(fake_scores) - ops.mean(real_scores)


def wgan_generator_loss(fake_scores):
    return -ops.mean(fake_scores)


def discriminator_loss(real_logits, fake_logits):
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def generator_loss(fake_logits):
    return ops.mean(ops.softplus(-fake_logits))


def clip_weights(model, c):
    for v in model.trainable_variables:
        v.assign(ops.clip(v, -c, c))


def gradient_penalty(critic, real, fake, alpha):
    x_hat = alpha * real + (1.0 - alpha) * fake
    grads = autodiff.input_gradients(critic, x_hat)
    flat = ops.reshape(grads, (ops.shape(grads)[0], -1))
    norms = ops.sqrt(ops.sum(ops.square(flat), axis=1) + 1e-12)
    return ops.mean(ops.square(norms - 1.0))


def critic_loss_gp(critic, real, fake, alpha, lam=10.0):
    return critic_loss(critic(real), critic(fake)) + lam * gradient_penalty(critic, real, fake, alpha)
