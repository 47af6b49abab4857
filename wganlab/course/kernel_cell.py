"""The cells the guard adds to a submission's notebook before otter's kernel runs it.

The kernel grades nothing (:mod:`wganlab.course.guard` grades in its own processes); these cells
make ``grader.check`` a no-op, turn ``exit()``/``quit()`` into an error, record which cell runs
in a progress file, and interrupt a cell that runs past its limit (:data:`CELL_LIMIT`; once the
kernel has used :data:`KERNEL_BUDGET`, every later cell at once), so that the notebook goes on.
"""

from __future__ import annotations

import nbformat

from wganlab.course import protocol

# The kernel grades nothing, so its cells only matter for the time they take: one cell may run
# CELL_LIMIT seconds, all of them KERNEL_BUDGET (03's slowest cell at its default schedule took
# 36 s on 2 cores, its whole notebook 100 s: NOTES.md, "Notebook cells at their default schedules").
CELL_LIMIT = 90.0
KERNEL_BUDGET = 150.0

# Runs first in the grading kernel, before the submission's cells (otter's own init cell aside).
SETUP_CELL = """\
def __wganlab_guard_setup(progress_file, cell_limit, budget, hung):
    import signal, sys, time
    from wganlab.otter_api import disable_checks

    class CellTimeLimit(BaseException):  # not Exception: a cell's `except Exception` does not swallow it
        pass

    deadline = time.monotonic() + budget
    state = {{"next": None, "armed": False}}

    def on_alarm(signum, frame):
        # Only inside a student's cell: an exception raised in the kernel's own loop between cells
        # would leave it unable to answer the next execute request.
        if state["armed"]:
            state["armed"] = False
            raise CellTimeLimit(f"this cell ran past its time limit while grading ({{cell_limit:g}} s for one "
                                f"cell, {{budget:g}} s for the whole notebook); the cells after it still run")

    signal.signal(signal.SIGALRM, on_alarm)

    def stub(name):
        def hung_function(*args, **kwargs):
            raise TimeoutError(f"`{{name}}` ran past its time limit when the autograder tested it, so it is not "
                               "called again in this run")
        return hung_function

    def arm(*args):  # IPython's pre_run_cell: the cell after a progress cell runs under its limit
        if state["next"] is not None:
            state["armed"] = True
            signal.setitimer(signal.ITIMER_REAL, state["next"])
            state["next"] = None

    def disarm(*args):  # post_run_cell
        state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)

    shell = get_ipython() if "get_ipython" in globals() else None
    if shell is not None:
        shell.events.register("pre_run_cell", arm)
        shell.events.register("post_run_cell", disarm)

    def mark(text, arm_next=True):
        notebook = sys._getframe(1).f_globals  # the notebook's namespace: this runs between its cells
        for name in hung:
            if callable(notebook.get(name)) and notebook[name].__name__ != "hung_function":
                notebook[name] = stub(name)
        if progress_file:
            with open(progress_file, "w") as f:
                f.write(text)
        state["next"] = max(0.001, min(cell_limit, deadline - time.monotonic())) if arm_next else None

    # The kernel grades nothing: the public and hidden cases run in the guard's own processes, so
    # a check here would only run a test twice (and its tests folder is gone).
    def not_here(*args, **kwargs):
        print("grader.check: the autograder runs the tests after the notebook, in its own process")

    disable_checks(not_here)

    def no_exit(*args, **kwargs):
        raise RuntimeError("exit() and quit() are disabled while grading; the cells after this one still run")

    return mark, no_exit


__wganlab_mark, exit = __wganlab_guard_setup({progress!r}, {cell_limit!r}, {budget!r}, {hung!r})
quit = exit
del __wganlab_guard_setup
"""


def progress_cell(index: int, total: int, source: str) -> nbformat.NotebookNode:
    """A cell that records 'code cell K of N: <first line>' in the progress file and starts that cell's clock."""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")[:60]
    text = protocol.PROGRESS_CELL.format(index=index, total=total, first=first)
    return nbformat.v4.new_code_cell(f"__wganlab_mark({text!r})")


def guard_notebook(nb: nbformat.NotebookNode, progress: str | None, cell_limit: float = CELL_LIMIT,
                   budget: float = KERNEL_BUDGET, hung: list[str] = ()) -> nbformat.NotebookNode:
    """The submission with the setup cell first, a progress cell before each code cell, a last one that stops the clock.

    ``hung``: functions that never returned in the public grading process; the kernel replaces them
    between cells by ones that fail at once, so a cell that calls one does not wait out its limit.
    """
    # Separate cells, not a line prepended to the student's: line numbers in their tracebacks stay
    # theirs, and a cell magic (%%time) stays its cell's first line.
    total, index = sum(cell.cell_type == "code" for cell in nb.cells), 0
    cells = [nbformat.v4.new_code_cell(SETUP_CELL.format(progress=progress, cell_limit=cell_limit, budget=budget,
                                                          hung=list(hung)))]
    for cell in nb.cells:
        if cell.cell_type == "code":
            index += 1
            cells.append(progress_cell(index, total, cell.source))
        cells.append(cell)
    cells.append(nbformat.v4.new_code_cell(f"__wganlab_mark({protocol.PROGRESS_LAST!r}, arm_next=False)"))
    nb.cells = cells
    return nb


