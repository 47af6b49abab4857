"""The grading guard's parts, without otter run: hidden-text detection on every built zip, the
cells it adds, and what its setup cell does inside a kernel namespace."""

from __future__ import annotations

import json

import nbformat
import pytest
from otter.execute import Checker
from otter.test_files import ExceptionTestFile

from wganlab.course import hidden_text, kernel_cell
from wganlab.course.functions import ASSIGNMENTS


@pytest.fixture(scope="module")
def hidden(test_files):
    return {name: hidden_text.HiddenText.from_source(folder) for name, folder in test_files.items()}


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
        hidden_cases, _ = hidden_text.split_test_file(test.read_text())
        assert hidden_cases and text.quoted_in(hidden_cases), test.name


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_public_test_messages_are_not_withheld(assignment, hidden, test_files):
    """Every line of a public test, shown the way otter reports a failure there, stays visible."""
    text, folder = hidden[assignment], test_files[assignment]
    for test in sorted((folder / "tests").glob("*.py")):
        public = [tc for tc in ExceptionTestFile.from_file(str(test)).test_cases if not tc.hidden]
        assert public, f"{test.name} has no public test case"
        _, public_text = hidden_text.split_test_file(test.read_text())
        for line in public_text.splitlines():
            message = f"❌ Test case failed\nError at line 9 in test {test.stem}:\n  {line.strip()}\nAssertionError: got 0.5"
            assert not text.quoted_in(message), (test.name, line)
    assert not text.quoted_in("RuntimeError: not finished: I ran out of time, sorry about this one")


def test_guard_notebook_adds_setup_progress_and_last_cells():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("def f(x):\n    return x"),
        nbformat.v4.new_code_cell("%%time\nf(1)"),  # cell magics must stay first in their cell
        nbformat.v4.new_code_cell("\n\nprint(f(2))"),
    ])
    out = kernel_cell.guard_notebook(nb, "/tmp/progress")
    sources = [c.source for c in out.cells]
    assert f"__wganlab_guard_setup('/tmp/progress', {kernel_cell.CELL_LIMIT!r}, {kernel_cell.KERNEL_BUDGET!r}, [])" in sources[0]
    assert sources[1] == "# Title"
    assert sources[2] == "__wganlab_mark('code cell 1 of 3: def f(x):')"
    assert sources[3].startswith("def f")
    assert sources[4] == "__wganlab_mark('code cell 2 of 3: %%time')"
    assert sources[5].startswith("%%time")
    assert sources[6] == "__wganlab_mark('code cell 3 of 3: print(f(2))')"
    assert sources[8] == "__wganlab_mark('the tests, after the last cell', arm_next=False)"
    assert len(sources) == 9


def test_setup_cell_grades_nothing_disables_exit_limits_cells_and_marks_progress(tmp_path, capsys):
    """In the kernel: grader.check runs no test, exit() raises, a cell past its limit is interrupted."""
    import signal
    import time

    from otter import Notebook

    progress = tmp_path / "progress"
    originals = (Checker.__dict__["check"], Notebook.__dict__["check"], signal.getsignal(signal.SIGALRM))
    hooks: dict = {}

    class Events:  # IPython's shell.events, which the kernel has
        def register(self, name, function):
            hooks[name] = function

    class Shell:
        events = Events()

    namespace: dict = {"get_ipython": lambda: Shell()}
    try:
        exec(kernel_cell.SETUP_CELL.format(progress=str(progress), cell_limit=0.5, budget=60.0, hung=["f"]), namespace)
        with pytest.raises(RuntimeError, match="disabled while grading"):
            namespace["exit"]()
        assert Checker.check("tests/q1.py", None) is None  # no test file read, none run
        assert Notebook.check(object(), "q1") is None
        assert "runs the tests after the notebook" in capsys.readouterr().out
        exec("def f():\n    while True:\n        pass\n__wganlab_mark('cell 3 of 9: train()')", namespace)
        assert progress.read_text() == "cell 3 of 9: train()"
        with pytest.raises(TimeoutError, match="`f` ran past its time limit"):  # hung in the public process
            namespace["f"]()
        hooks["post_run_cell"]()  # the progress cell ends: no clock runs between cells
        time.sleep(0.7)
        hooks["pre_run_cell"]()  # the student's cell starts: its clock does
        start = time.monotonic()
        with pytest.raises(BaseException, match="ran past its time limit") as caught:
            while True:
                try:
                    pass
                except Exception:  # a cell's own handler does not swallow the limit
                    pass
        assert not isinstance(caught.value, Exception) and time.monotonic() - start < 5
        hooks["post_run_cell"]()
        namespace["__wganlab_mark"]("the end", arm_next=False)
        hooks["pre_run_cell"]()  # the cell after the last mark (otter's export) runs without a clock
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        Checker.check, Notebook.check = originals[0], originals[1]
        signal.signal(signal.SIGALRM, originals[2])
        Checker.clear_results()
