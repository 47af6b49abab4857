"""The grading guard's parts, without otter run: hidden-text detection on every built zip, the
cells it adds, and what its setup cell does inside a kernel namespace."""

from __future__ import annotations

import json
import math

import nbformat
import numpy as np
import pytest
from otter.execute import Checker
from otter.nbmeta_config import NBMetadataConfig
from otter.test_files import ExceptionTestFile

from wganlab.course import guard
from wganlab.course.functions import ASSIGNMENTS


@pytest.fixture(scope="module")
def hidden(test_files):
    return {name: guard.HiddenText.from_source(folder) for name, folder in test_files.items()}


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_hidden_files_are_recognised_even_reformatted(assignment, hidden, test_files):
    text, folder = hidden[assignment], test_files[assignment]
    checks = (folder / "files" / "wganlab_checks" / "losses.py").read_text()  # a part, one folder down
    expected = (folder / "files" / "expected.json").read_text()
    middle = checks[len(checks) // 2: len(checks) // 2 + 400]
    assert text.quoted_in(middle)
    assert text.quoted_in(repr(middle))  # as a raised list or repr() shows it
    assert text.quoted_in(" ".join(middle.split()))  # whitespace collapsed
    assert text.quoted_in(json.dumps(json.loads(expected)))
    for test in sorted((folder / "tests").glob("*.py")):
        hidden_cases, _ = guard.split_test_file(test.read_text())
        assert hidden_cases and text.quoted_in(hidden_cases), test.name


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_public_test_messages_are_not_withheld(assignment, hidden, test_files):
    """Every line of a public test, shown the way otter reports a failure there, stays visible."""
    text, folder = hidden[assignment], test_files[assignment]
    for test in sorted((folder / "tests").glob("*.py")):
        public = [tc for tc in ExceptionTestFile.from_file(str(test)).test_cases if not tc.hidden]
        assert public, f"{test.name} has no public test case"
        _, public_text = guard.split_test_file(test.read_text())
        for line in public_text.splitlines():
            message = f"❌ Test case failed\nError at line 9 in test {test.stem}:\n  {line.strip()}\nAssertionError: got 0.5"
            assert not text.quoted_in(message), (test.name, line)
    assert not text.quoted_in("RuntimeError: not finished: I ran out of time, sorry about this one")


def test_guard_notebook_adds_setup_and_progress_cells():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("def f(x):\n    return x"),
        nbformat.v4.new_code_cell("%%time\nf(1)"),  # cell magics must stay first in their cell
        nbformat.v4.new_code_cell("\n\nprint(f(2))"),
    ])
    out = guard.guard_notebook(nb, "/tmp/progress")
    sources = [c.source for c in out.cells]
    assert "__wganlab_guard_setup('/tmp/progress')" in sources[0]
    assert sources[1] == "# Title"
    assert sources[2] == "__wganlab_mark('code cell 1 of 3: def f(x):')"
    assert sources[3].startswith("def f")
    assert sources[4] == "__wganlab_mark('code cell 2 of 3: %%time')"
    assert sources[5].startswith("%%time")
    assert sources[6] == "__wganlab_mark('code cell 3 of 3: print(f(2))')"
    assert len(sources) == 8


def test_setup_cell_disables_exit_restores_patches_and_marks_progress(tmp_path):
    progress = tmp_path / "progress"
    test = tmp_path / "tests" / "q1.py"
    test.parent.mkdir()
    test.write_text(
        "from otter.test_files import test_case\nOK_FORMAT = False\nname = 'q1'\npoints = 1\n\n"
        "@test_case(points=1, hidden=False)\ndef test_q1(f):\n    import numpy as np, math\n"
        "    assert not np.isclose(f(), 1.0) and not math.isclose(f(), 1.0)\n")
    original_check, original_isclose, original_math_isclose = Checker.__dict__["check"], np.isclose, math.isclose
    namespace: dict = {}
    try:
        exec(guard._SETUP_CELL.format(progress=str(progress)), namespace)
        with pytest.raises(RuntimeError, match="disabled while grading"):
            namespace["exit"]()
        namespace["__wganlab_mark"]("cell 3 of 9: train()")
        assert progress.read_text() == "cell 3 of 9: train()"
        np.isclose = lambda *a, **k: False  # a submission's patch that would pass this test
        math.isclose = lambda *a, **k: False
        result = Checker.check(str(test), NBMetadataConfig(), global_env={"f": lambda: 1.0})
        assert progress.read_text() == "checking question q1"
        assert np.isclose is original_isclose and math.isclose is original_math_isclose
        assert not result.test_case_results[0].passed  # graded with the real functions
    finally:
        Checker.check, np.isclose, math.isclose = original_check, original_isclose, original_math_isclose
        Checker.clear_results()
