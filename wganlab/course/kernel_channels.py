"""What otter's grader process reads from the notebook's kernel, read as data and never as code.

otter's grader unpickles two things the kernel sends it: log records on a TCP socket
(``otter.execute.logging``, the logging cookbook's receiver, which calls ``pickle.loads``) and the
results file the kernel's last cell writes (``otter.execute.grade_notebook`` calls ``pickle.load``).
A pickle names the code that rebuilds it, and the kernel runs student code: a cell that sends a
crafted record to the socket, or patches ``pickle.dump`` before otter's last cell writes the file,
runs its own code in the grader, the process that holds the hidden tests. There it could read them
and rewrite what a student sees. So the guard closes both, in the grader and before the kernel
starts: a log record is unpickled only as plain data (no class or function may be named), and the
results file is never unpickled: the guard runs no test in the kernel (its results come from the
public and hidden processes), so it needs nothing from that file but whether the kernel wrote it.
The otter internals it replaces are behind :func:`wganlab.otter_api.read_kernel_with`.
"""

from __future__ import annotations

import io
import pickle


class _PlainUnpickler(pickle.Unpickler):
    """An unpickler for data only: any class or function the pickle names is refused."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refused: the pickle names {module}.{name}, and only plain data is read")


def plain_loads(data: bytes) -> object:
    """Unpickle ``data`` holding only built-in data (dict, list, str, numbers, None); else UnpicklingError."""
    return _PlainUnpickler(io.BytesIO(data)).load()


def _log_record(handler, data: bytes) -> dict:
    # logging.handlers.SocketHandler pickles a record's __dict__ of plain values: keep those, drop the rest.
    try:
        record = plain_loads(data)
    except Exception:  # noqa: BLE001 - any malformed or code-carrying record is dropped, never run
        return {}
    return record if isinstance(record, dict) else {}


class _ResultsFile:
    """Stands in for the ``pickle`` module in ``otter.execute``: ``load`` never unpickles the kernel's file."""

    def __init__(self, empty_results) -> None:
        self._empty_results = empty_results

    def load(self, f):
        """An empty ``GradingResults`` if the kernel wrote its file; EOFError (as ``pickle.load``) if it did not."""
        if not f.read(1):
            raise EOFError("the notebook's kernel wrote no results (it stopped before otter's last cell)")
        return self._empty_results()

    def __getattr__(self, name):
        return getattr(pickle, name)


def close() -> None:
    """Make this (grader) process read the kernel's log records as data and never unpickle its results file."""
    from wganlab.otter_api import GradingResults, read_kernel_with

    read_kernel_with(_log_record, _ResultsFile(lambda: GradingResults([])))
