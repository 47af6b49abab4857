"""Every entry point of wganlab.otter_api against the installed otter-grader (no grading run):
an otter upgrade that moves one of its internals fails here, by name, not in a student's grade."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import otter
import pytest

from wganlab import otter_api
from wganlab.course.guard import GradingGuard

ROOT = Path(__file__).resolve().parents[1]
TEST_FILE = '''from otter.test_files import test_case

name = "q1"

@test_case(points=1)
def test_passes(f):
    assert f(1) == 1

@test_case(points=2, hidden=True)
def test_fails(f):
    x = f(2)
    assert x == 3, f"f(2) should be 3, got {x}"
'''


def test_pinned_version_is_the_projects_pin_and_the_installed_one():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [r for extra in project["optional-dependencies"].values() for r in extra if r.startswith("otter-grader")]
    assert pins and all(re.fullmatch(r"otter-grader(\[\w+\])?==" + re.escape(otter_api.PINNED) + r"\.\*", p)
                        for p in pins), pins
    assert otter.__version__.startswith(otter_api.PINNED + ".")


def test_another_otter_version_is_refused_with_what_to_install():
    otter_api.check_version(f"{otter_api.PINNED}.9")
    with pytest.raises(otter_api.OtterVersionError, match=re.escape(f"otter-grader=={otter_api.PINNED}.*")):
        otter_api.check_version("7.1.0")
    assert issubclass(otter_api.OtterVersionError, ImportError)


def test_modes_outside_a_notebook():
    assert otter_api.grading_mode() is False and otter_api.on_colab() is False
    assert otter_api.Notebook is otter.Notebook
    assert issubclass(GradingGuard, otter_api.AbstractOtterPlugin)


def test_disable_checks_replaces_both_kernel_entry_points():
    from otter.execute import Checker

    originals = (otter.Notebook.__dict__["check"], Checker.__dict__["check"])
    calls = []
    try:
        otter_api.disable_checks(lambda *args, **kwargs: calls.append(args) or "none")
        assert otter.Notebook.check(object(), "q1") == "none"
        assert Checker.check("tests/q1.py", None) == "none"
        assert len(calls) == 2
    finally:
        otter.Notebook.check, Checker.check = originals


@pytest.fixture
def test_file(tmp_path):
    path = tmp_path / "q1.py"
    path.write_text(TEST_FILE)
    return otter_api.read_test_file(path)


def test_test_files_read_and_parsed_alike(test_file):
    parsed = otter_api.parse_test_file(TEST_FILE, "tests/q1.py")
    for tf in (test_file, parsed):
        assert tf.name == "q1"
        assert [(tc.hidden, tc.points) for tc in tf.test_cases] == [(False, 1), (True, 2)]


def test_cases_run_and_fail_with_otters_message_wherever_caught(test_file):
    public, hidden = test_file.test_cases
    otter_api.call_case(public, {"f": lambda x: x})

    def wrapped(case, env):  # more frames between the catch and the case than otter's own run()
        otter_api.call_case(case, env)

    for call in (otter_api.call_case, wrapped):
        with pytest.raises(AssertionError) as caught:
            call(hidden, {"f": lambda x: x})
        message = otter_api.error_message(test_file, caught.value)
        assert message == ("Error at line 12 in test q1:\n      assert x == 3, f\"f(2) should be 3, got {x}\"\n"
                           "AssertionError: f(2) should be 3, got 2"), message
        assert caught.value.__traceback__ is caught.tb  # the traceback is put back


def test_results_are_replaced_with_case_results_and_output(test_file):
    public, hidden = test_file.test_cases
    test_file.test_case_results = [otter_api.case_result(public, True, "ok"),
                                   otter_api.case_result(hidden, False, "no")]
    results = otter_api.GradingResults([])
    results._catastrophic_error = RuntimeError("the kernel died")
    otter_api.replace_results(results, {"q1": test_file}, "trained on x")
    out = results.to_dict()
    assert results.output == "trained on x" and results._catastrophic_error is None
    assert test_file.score == 1 and out["q1"]["score"] == 1
