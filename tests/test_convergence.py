"""Convergence questions: the reference passes, the broken implementations of the NOTES.md sweeps fail.

Each case runs the real test file of the built autograder zip (public and hidden cases) on a
namespace of functions, so it exercises exactly what grading runs. The numbers behind the
thresholds are in NOTES.md ("Convergence thresholds").
"""

import shutil
import sys

import pytest
from keras import ops

from otter_tests import run_question
import reference_fns as ref

pytestmark = pytest.mark.slow


def flipped_critic_loss(real_scores, fake_scores):
    return ops.mean(real_scores) - ops.mean(fake_scores)


def wrong_sign_generator_loss(fake_scores):
    return ops.mean(fake_scores)


def clip_kernels_only(model, c):
    for v in model.trainable_variables:
        if len(v.shape) > 1:
            v.assign(ops.clip(v, -c, c))


def stopped_critic_loss_gp(critic, real, fake, alpha, lam=10.0):
    penalty = ops.stop_gradient(ref.gradient_penalty(critic, real, fake, alpha))
    return ref.critic_loss(critic(real), critic(fake)) + lam * penalty


def flipped_critic_loss_gp(critic, real, fake, alpha, lam=10.0):
    return flipped_critic_loss(critic(real), critic(fake)) + lam * ref.gradient_penalty(critic, real, fake, alpha)


MNIST = dict(critic_loss=ref.critic_loss, wgan_generator_loss=ref.wgan_generator_loss, clip_weights=ref.clip_weights)


def _hidden_failed(failures, question):
    return any(f"test {question}" in f and "wganlab_checks" in f for f in failures)


def test_reference_wgan_converges_and_decides_the_same_twice(test_files):
    folder = test_files["03_gan_vs_wgan_mnist"]
    first = run_question(folder, "wgan_convergence", dict(MNIST))
    second = run_question(folder, "wgan_convergence", dict(MNIST))
    assert first[0] == first[1] == second[0], (first, second)


@pytest.mark.parametrize("broken", [
    {"critic_loss": flipped_critic_loss},
    {"wgan_generator_loss": wrong_sign_generator_loss},
    {"clip_weights": clip_kernels_only},
], ids=["critic_sign_flipped", "generator_wrong_sign", "biases_not_clipped"])
def test_broken_wgan_fails_convergence(test_files, broken):
    score, maximum, failures = run_question(test_files["03_gan_vs_wgan_mnist"], "wgan_convergence",
                                            {**MNIST, **broken})
    assert score < maximum and _hidden_failed(failures, "wgan_convergence"), failures


def _own_step(critic_loss_gp):
    """A correct train_step (tests/variants.py) around ``critic_loss_gp``, as a student's would call theirs."""
    import variants

    def train_step(generator, critic, g_opt, c_opt, real, z, alpha, lam=10.0):
        return variants._step(generator, critic, g_opt, c_opt, real, z, alpha, lam, c_loss_fn=critic_loss_gp)

    return train_step


def _gp_reference():
    from wganlab.course.functions import reference_functions

    return reference_functions("04_wgan_gp_celeba")


def _trained_on(folder, monkeypatch):
    """Grade the reference on ``folder``'s wgan_gp_convergence; return (what the check trained on, the grader's note).

    The note in the results' top-level output comes from the grader (protocol.faces_note), never
    from the checks' process: both must name the same data.
    """
    from wganlab.course import protocol

    monkeypatch.delenv("WGANLAB_CELEBA", raising=False)  # the zip's own data, not the grading machine's
    gp = _gp_reference()
    score, maximum, failures = run_question(folder, "wgan_gp_convergence",
                                            {"train_step": gp.train_step, "sample_alpha": gp.sample_alpha})
    assert score == maximum, failures
    images, label = sys.modules["wganlab_checks.convergence"].faces_data()
    note = protocol.faces_note(protocol.take_snapshot(folder, None), {})
    return label, len(images), note


def test_reference_wgan_gp_converges_on_faces(test_files, celeba_zip, monkeypatch):
    # With ../shared present the session build ships a 32x32 cache of its faces in 04's zip.
    folder = test_files["04_wgan_gp_celeba"]
    assert (folder / "files" / "celeba_gray32.npz").is_file(), "the build shipped no faces"
    label, n, note = _trained_on(folder, monkeypatch)
    assert label == "celeba" and n == 10000, (label, n)
    assert "trained on 10000 grayscale CelebA faces (32x32) from the autograder zip" in note, note


def test_reference_wgan_gp_converges_on_the_mnist_fallback(test_files, tmp_path, monkeypatch):
    folder = tmp_path / "zip"
    shutil.copytree(test_files["04_wgan_gp_celeba"], folder)
    (folder / "files" / "celeba_gray32.npz").unlink(missing_ok=True)  # a zip built without --celeba
    label, n, note = _trained_on(folder, monkeypatch)
    assert label == "mnist" and n == 5000, (label, n)
    assert "trained on MNIST digits: this autograder has no CelebA cache" in note, note


@pytest.mark.parametrize("broken", [stopped_critic_loss_gp, flipped_critic_loss_gp],
                         ids=["penalty_stopped", "critic_sign_flipped"])
def test_broken_wgan_gp_fails_convergence(test_files, broken):
    score, maximum, failures = run_question(test_files["04_wgan_gp_celeba"], "wgan_gp_convergence",
                                            {"train_step": _own_step(broken), "sample_alpha": _gp_reference().sample_alpha})
    assert score < maximum and _hidden_failed(failures, "wgan_gp_convergence"), failures


def test_stub_critic_loss_gp_gets_a_hint_not_a_traceback(test_files):
    """A critic_loss_gp left as its stub (returns None) fails the public training test with a hint."""
    score, maximum, failures = run_question(test_files["04_wgan_gp_celeba"], "wgan_gp_convergence",
                                            {"train_step": _own_step(lambda *args: None),
                                             "sample_alpha": _gp_reference().sample_alpha})
    public = [f for f in failures if "test_wgan_gp_trains" in f or "10-step" in f]
    assert public and all("Hint:" in f and "tensorflow/python" not in f for f in public), failures


def test_estimator_reference_passes_and_sign_flip_fails(test_files):
    folder = test_files["02_critic_estimator"]
    good = run_question(folder, "estimator", {"critic_loss": ref.critic_loss, "clip_weights": ref.clip_weights})
    assert good[0] == good[1], good[2]
    bad = run_question(folder, "estimator", {"critic_loss": flipped_critic_loss, "clip_weights": ref.clip_weights})
    assert bad[0] < bad[1] and _hidden_failed(bad[2], "estimator"), bad[2]
