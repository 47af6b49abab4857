"""What a student notebook's first and last cells call: start otter's grader, submit.

Local Jupyter and Google Colab differ in two ways that otter-grader 7.0 does not bridge:

- On Colab the notebook file is not on the runtime, so otter cannot read the public tests kept in
  the notebook's metadata and ``otter.Notebook()`` raises unless a ``./tests`` folder exists.
  The wheel carries each assignment's public tests (package data written by ``wganlab build``,
  never the hidden ones); :func:`start` copies them to ``./tests`` there.
- On Colab ``grader.export()`` raises; :func:`submit` runs the public tests and tells the student
  to download the ``.ipynb`` instead (the autograder grades a bare notebook like a zip).

Importing this module changes nothing (no environment variables, no files).
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

from wganlab import quiet

PUBLIC_TESTS = "public_tests"  # package data folder: public_tests/<assignment>/<question>.py


def on_colab() -> bool:
    """True on Google Colab, as otter decides: the notebook then writes the public tests to ./tests for it."""
    from wganlab import otter_api

    return otter_api.on_colab()


def public_tests(name: str) -> dict[str, str]:
    """``{question: test source}`` of the public tests of assignment ``name`` shipped in the wheel."""
    folder = resources.files("wganlab") / PUBLIC_TESTS / name
    if not folder.is_dir():
        raise FileNotFoundError(
            f"this wganlab has no public tests for {name!r}: install the wheel from the hand-out "
            "of this assignment (it carries them), then rerun this cell")
    return {p.name[:-3]: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.name.endswith(".py")}


def write_public_tests(name: str, folder: Path | str = "tests") -> Path:
    """Write the public tests of ``name`` into ``folder`` (the ``./tests`` otter reads); return it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for question, source in public_tests(name).items():
        (folder / f"{question}.py").write_text(source, encoding="utf-8")
    return folder


def start(name: str):
    """The otter grader for notebook ``name`` (e.g. '01_divergences'), on Jupyter or Colab.

    Also loads Keras and its backend now, with the process's stderr (file descriptor 2) muted:
    TensorFlow 2.21 writes "oneDNN custom operations are on" and "Could not find cuda drivers"
    from C++ before its logging is set up, whatever TF_CPP_MIN_LOG_LEVEL says, and a kernel
    shows that descriptor in the cell that first imports it.
    """
    from wganlab import otter_api

    quiet.import_keras()

    if on_colab() and not otter_api.grading_mode():
        write_public_tests(name)
    # otter reads the notebook file for its metadata tests; on Colab (and for a renamed copy) it
    # is not where the name says, and otter then finds the notebook itself or uses ./tests.
    notebook = f"{name}.ipynb"
    return otter_api.Notebook(notebook if Path(notebook).is_file() else None)


def submit(grader, name: str) -> None:
    """Export the submission zip (Jupyter) or say how to submit the notebook file (Colab)."""
    from wganlab import otter_api

    if otter_api.grading_mode():  # the autograder runs this cell too: nothing to export
        return
    notebook_globals = sys._getframe(1).f_globals  # the tests call the notebook's functions
    if on_colab():
        _check_all(grader, name, notebook_globals)
        print(f"\nOn Colab, submit the notebook file itself: File > Download > Download .ipynb, "
              f"then upload {name}.ipynb to the course's submission page. (Colab cannot write "
              "the submission zip; the autograder grades the .ipynb the same way.)")
        return
    # The public tests run here, in this kernel, not through export's run_tests: that re-runs
    # the whole notebook in a second kernel (all of its training again), and the teardown of that
    # kernel's clients printed "Event loop is closed" tracebacks after a good export.
    _check_all(grader, name, notebook_globals)
    before = set(Path.cwd().glob(f"{name}_*.zip"))
    grader.export(pdf=False, run_tests=False)
    written = sorted(set(Path.cwd().glob(f"{name}_*.zip")) - before)
    if written:
        print(f"\nWrote {written[-1].name} beside the notebook: upload that zip to the course's submission page.")


def _check_all(grader, name: str, notebook_globals: dict) -> None:
    try:
        questions = sorted(public_tests(name))
    except FileNotFoundError:  # wganlab from a checkout: the notebook's own metadata has them
        import json

        questions = sorted(json.loads(Path(f"{name}.ipynb").read_text(encoding="utf-8"))["metadata"]["otter"]["tests"])
    print("Public tests, once more:")
    for question in questions:
        print(grader.check(question, global_env=notebook_globals))


def warn_missing_celeba(path: Path | str) -> None:
    """Say, in red on stderr, that the CelebA cache ``path`` is missing and how to make it."""
    bar = "!" * 78
    print(f"{bar}\nNO CELEBA CACHE at {path}\n"
          "Make it once, in a terminal where wganlab is installed (on Colab: in a code cell, with ! in front):\n"
          "    wganlab prepare-celeba path/to/img_align_celeba.zip\n"
          "then rerun this cell. Until then this notebook trains on MNIST digits, not faces.\n"
          f"{bar}", file=sys.stderr)


__all__ = ["on_colab", "public_tests", "write_public_tests", "start", "submit", "warn_missing_celeba"]
