"""Grade the catalogue of student implementations (tests/variants.py) with the real autograder zips.

Every wrong variant must lose points on its question, and its hidden test case in particular
must fail (a mistake that only the public tests catch would be a weak hidden check). Every
correct alternative, and the reference of the masters, must get full points. The test files
run directly on the functions (tests/otter_tests.py), so the whole catalogue takes seconds.

Variants written in plain TensorFlow (their names start with ``tensorflow_``) only run under the
TensorFlow backend; ``-k "not tensorflow"`` deselects them.
"""

from __future__ import annotations

from pathlib import Path

import keras
import pytest

import variants
from otter_tests import open_question, run_question
from wganlab.course.functions import ASSIGNMENTS, CONVERGENCE_QUESTIONS, reference_functions

ON_TENSORFLOW = keras.backend.backend() == "tensorflow"
needs_tensorflow = pytest.mark.skipif(not ON_TENSORFLOW, reason="plain TensorFlow code runs under the "
                                      f"TensorFlow backend only (backend is {keras.backend.backend()})")
KERAS_TENSOR_FUNCTIONS = {f for a, fns in ASSIGNMENTS.items() if not a.startswith("01") for f in fns}
# 04 is graded under TensorFlow only (README, "Backends"): its students write tf.GradientTape code,
# and under another backend every 04 check fails with a message telling the instructor so.
TENSORFLOW_ONLY = {"04_wgan_gp_celeba"}


def _marks(assignment: str, tensorflow_code: bool = False) -> list:
    return [needs_tensorflow] if tensorflow_code or assignment in TENSORFLOW_ONLY else []


def _params(correct: bool):
    params = []
    for assignment, functions in ASSIGNMENTS.items():
        for function in functions:
            for v in variants.variants(function, correct=correct):
                params.append(pytest.param(assignment, v, id=f"{assignment[:2]}-{v.id}",
                                           marks=_marks(assignment, v.tensorflow)))
    return params


def cases(folder: Path, question: str, env: dict, hidden: bool) -> list[tuple[str, float, bool, str]]:
    """Run only the hidden (or only the public) cases of ``question``: (name, points, passed, 'Type: message') each."""
    out = []
    with open_question(folder, question) as test_file:
        for tc in test_file.test_cases:
            if tc.hidden != hidden:
                continue
            try:
                tc.body.call_func(env)
                out.append((tc.name, tc.points, True, ""))
            except Exception as exc:  # noqa: BLE001 - a failing case is what we look for
                out.append((tc.name, tc.points, False, f"{type(exc).__name__}: {str(exc)[:400]}"))
    return out


def test_catalogue_covers_every_student_function():
    """At least three wrong and one correct variant per function; TF and keras.ops alternatives
    for the tensor functions, so that both backends see a correct alternative."""
    known = {f for fns in ASSIGNMENTS.values() for f in fns}
    assert set(variants.CATALOGUE) <= known, f"variants of unknown functions: {set(variants.CATALOGUE) - known}"
    for function in sorted(known):
        wrong, right = variants.variants(function, False), variants.variants(function, True)
        assert len(wrong) >= 3, f"{function}: only {len(wrong)} wrong variants"
        assert right, f"{function}: no correct alternative"
        assert any(not v.tensorflow for v in right), f"{function}: no backend-neutral correct alternative"
        if function in KERAS_TENSOR_FUNCTIONS:
            assert any(v.tensorflow for v in right), f"{function}: no plain-TensorFlow correct alternative"
    names = [v.id for vs in variants.CATALOGUE.values() for v in vs]
    assert len(names) == len(set(names)), "duplicate variant names"


@pytest.mark.parametrize("assignment", [pytest.param(a, marks=_marks(a)) for a in ASSIGNMENTS])
def test_reference_gets_full_points(assignment, test_files):
    ref = vars(reference_functions(assignment))
    for question in ASSIGNMENTS[assignment]:
        score, maximum, failures = run_question(test_files[assignment], question, ref)
        assert maximum > 0 and score == maximum, f"reference {question}: {score}/{maximum}\n" + "\n".join(failures)


@pytest.mark.parametrize("assignment, variant", _params(correct=True))
def test_correct_variant_gets_full_points(assignment, variant, test_files):
    score, maximum, failures = run_question(test_files[assignment], variant.function, {variant.function: variant.fn})
    assert maximum > 0 and score == maximum, (
        f"correct variant {variant.id} ({variant.doc}) scored {score}/{maximum}:\n" + "\n".join(failures))


@pytest.mark.parametrize("assignment, variant", _params(correct=False))
def test_wrong_variant_loses_points(assignment, variant, test_files):
    folder, env = test_files[assignment], {variant.function: variant.fn}
    score, maximum, _ = run_question(folder, variant.function, env)
    assert score < maximum, f"wrong variant {variant.id} ({variant.doc}) got full points {score}/{maximum}"
    hidden = cases(folder, variant.function, env, hidden=True)
    assert hidden, f"{variant.function} has no hidden test case"
    earned = sum(points for _, points, passed, _ in hidden if passed)
    assert earned < sum(points for _, points, _, _ in hidden), (
        f"wrong variant {variant.id} ({variant.doc}) passes every hidden case of {variant.function}: "
        "the hidden checks in autograder/wganlab_checks/ miss this mistake")


def _public_params():
    params = []
    for v in variants.public_mistakes():
        for assignment in (a for a, fns in ASSIGNMENTS.items() if v.function in fns):
            params.append(pytest.param(assignment, v, id=f"{assignment[:2]}-public-{v.id}",
                                       marks=_marks(assignment, v.tensorflow)))
    return params


@pytest.mark.parametrize("assignment, variant", _public_params())
def test_common_mistake_fails_a_public_test_with_a_message(assignment, variant, test_files):
    """Each mistake of variants.PUBLIC_MISTAKES fails a public case of every assignment that grades
    the function, by an assertion that says what is wrong (not an error from deep in a library)."""
    public = cases(test_files[assignment], variant.function, {variant.function: variant.fn}, hidden=False)
    failed = [(name, msg) for name, _, passed, msg in public if not passed]
    assert failed, f"{variant.id} ({variant.doc}) passes every public test of {variant.function} in {assignment}"
    for name, msg in failed:
        assert msg.startswith("AssertionError: ") and len(msg) > 40, (
            f"{variant.id} fails public case {name} of {assignment} without a message for the student: {msg}")


def _stub_params():
    params = []
    for assignment, functions in ASSIGNMENTS.items():
        for question in functions + CONVERGENCE_QUESTIONS[assignment]:
            for returned in (None, "todo"):
                params.append(pytest.param(assignment, question, returned, marks=_marks(assignment),
                                           id=f"{assignment[:2]}-{question}-{returned}"))
    return params


@pytest.mark.parametrize("assignment, question, returned", _stub_params())
def test_a_stub_or_wrong_type_fails_publicly_with_a_hint(assignment, question, returned, test_files):
    """A function left as its stub (returns None), or returning a string, fails a public case by an
    assertion whose message says what to fix, never by a bare framework error."""
    stub = lambda *args, **kwargs: returned  # noqa: E731
    env = {name: stub for name in ASSIGNMENTS[assignment]}
    public = cases(test_files[assignment], question, env, hidden=False)
    failed = [(name, msg) for name, _, passed, msg in public if not passed]
    assert failed, f"a {question} that returns {returned!r} passes the public tests"
    for name, msg in failed:
        assert msg.startswith("AssertionError: ") and len(msg) > 40, (
            f"{question} returning {returned!r} fails public case {name} without a hint: {msg}")


def test_convergence_smoke_test_explains_stubs(test_files):
    """The public 20-step run names the unfilled function instead of failing inside the trainer."""
    env = {"critic_loss": variants.critic_loss__stub_returns_none,
           "wgan_generator_loss": variants.wgan_generator_loss__ops_negative,
           "clip_weights": variants.clip_weights__per_layer_min_max}
    public = cases(test_files["03_gan_vs_wgan_mnist"], "wgan_convergence", env, hidden=False)
    failed = [msg for _, _, passed, msg in public if not passed]
    assert failed and all(m.startswith("AssertionError") and "critic_loss returned None" in m for m in failed), failed
