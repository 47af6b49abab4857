"""The common mistakes listed in tests/variants.py (``PUBLIC_FAILS_<NN>``) fail a PUBLIC test.

Students see only the public tests' messages before grading, so each listed mistake must make a
public test case of its assignment fail, and fail with an AssertionError written for students
(what is wrong, what to do), not with a bare framework exception.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from otter.test_files import ExceptionTestFile

import variants
from test_variants import needs_tensorflow
from wganlab.course.functions import ASSIGNMENTS


def _listed():
    params = []
    for attr in sorted(dir(variants)):
        if not attr.startswith("PUBLIC_FAILS_"):
            continue
        prefix = attr.removeprefix("PUBLIC_FAILS_")
        (assignment,) = [a for a in ASSIGNMENTS if a.startswith(prefix)]
        for name in getattr(variants, attr):
            function, _, variant = name.partition("__")
            (v,) = [v for v in variants.variants(function, correct=False) if v.name == variant]
            marks = [needs_tensorflow] if v.tensorflow else []
            params.append(pytest.param(assignment, v, id=f"{prefix}-{v.id}", marks=marks))
    return params


def public_cases(folder: Path, question: str, env: dict) -> list[tuple[str, BaseException | None]]:
    """Run only the public test cases of ``question``: (name, exception or None) each."""
    files = str(folder / "files")
    sys.path.insert(0, files)
    sys.modules.pop("wganlab_checks", None)
    try:
        test_file = ExceptionTestFile.from_file(str(folder / "tests" / f"{question}.py"))
        out = []
        for tc in test_file.test_cases:
            if tc.hidden:
                continue
            try:
                tc.body.call_func(env)
                out.append((tc.name, None))
            except Exception as exc:  # noqa: BLE001 - a failing case is what we look for
                out.append((tc.name, exc))
        return out
    finally:
        sys.path.remove(files)


@pytest.mark.parametrize("assignment, variant", _listed())
def test_listed_mistake_fails_a_public_test_with_a_message(assignment, variant, test_files):
    cases = public_cases(test_files[assignment], variant.function, {variant.function: variant.fn})
    assert cases, f"{variant.function} has no public test case"
    failed = [(name, exc) for name, exc in cases if exc is not None]
    assert failed, f"{variant.id} ({variant.doc}) passes every public test of {variant.function}"
    for name, exc in failed:
        assert isinstance(exc, AssertionError) and len(str(exc)) > 20, (
            f"{variant.id}: public case {name} fails with a bare {type(exc).__name__}: {exc!s:.300}")


@pytest.mark.parametrize("question", ["wgan_convergence"])
def test_convergence_smoke_test_explains_stubs(question, test_files):
    """The public 20-step run names the unfilled function instead of failing inside the trainer."""
    env = {"critic_loss": variants.critic_loss__stub_returns_none,
           "wgan_generator_loss": variants.wgan_generator_loss__ops_negative,
           "clip_weights": variants.clip_weights__per_layer_min_max}
    cases = public_cases(test_files["03_gan_vs_wgan_mnist"], question, env)
    failed = [exc for _, exc in cases if exc is not None]
    assert failed and all(isinstance(e, AssertionError) and "critic_loss returned None" in str(e) for e in failed), failed
