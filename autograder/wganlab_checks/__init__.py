"""Hidden checks for the wganlab assignments; shipped only inside the autograder zips.

Each ``check_*`` function raises AssertionError with a message a student can act on. The test
files call them as ``wganlab_checks.check_NAME(...)``; they live in:

- ``cases``: inputs from fixed seeds, which the build also runs on the reference;
- ``expected``: what a function does on those cases, and ``expected.json`` (the reference's, written
  by the build beside this package in the zip);
- ``compare``: conversions and comparisons with messages;
- ``divergences`` (01), ``losses`` (02, 03), ``penalty`` (04): value checks;
- ``thresholds`` and ``convergence``: the short trainings and the thresholds from the seed sweeps.
"""

from .convergence import (FACES_CACHE, FACES_ENV, TRAIN_ENV, check_estimator,
                          check_mnist_wgan_convergence, check_wgan_gp_convergence, faces_data)
from .divergences import check_example1_distances, check_js_divergence, check_kl_divergence, check_wasserstein_1d
from .expected import EXPECTED_FILE, compute_expected, load_expected
from .losses import (check_clip_weights, check_critic_loss, check_discriminator_loss, check_generator_loss,
                     check_wgan_generator_loss)
from .penalty import (check_critic_input_gradients, check_critic_loss_gp, check_gradient_penalty,
                      check_sample_alpha, check_train_step, require_tensorflow)
from .thresholds import ESTIMATOR, FACES, GRADING_SEED, MNIST

__all__ = [
    "FACES_CACHE", "FACES_ENV", "TRAIN_ENV", "EXPECTED_FILE", "ESTIMATOR", "FACES", "GRADING_SEED", "MNIST",
    "compute_expected", "load_expected", "faces_data", "require_tensorflow",
    "check_kl_divergence", "check_js_divergence", "check_wasserstein_1d", "check_example1_distances",
    "check_critic_loss", "check_clip_weights", "check_discriminator_loss", "check_generator_loss",
    "check_wgan_generator_loss",
    "check_critic_input_gradients", "check_sample_alpha", "check_train_step", "check_gradient_penalty",
    "check_critic_loss_gp",
    "check_mnist_wgan_convergence", "check_wgan_gp_convergence", "check_estimator",
]
