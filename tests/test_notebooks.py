"""Every reference notebook runs top to bottom in a real Jupyter kernel, training included.

Training cells are shortened by WGANLAB_FAST (see wganlab.nb); the cells are the ones
students run, so a notebook that breaks here breaks for them.
"""

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from wganlab.course.functions import ASSIGNMENTS, questions

pytestmark = pytest.mark.slow


def _images(nb) -> int:
    return sum("image/png" in out.get("data", {}) for cell in nb.cells if cell.cell_type == "code"
               for out in cell.get("outputs", []))


@pytest.mark.parametrize("name", list(ASSIGNMENTS))
def test_reference_notebook_runs_top_to_bottom(built, test_files, name, tmp_path, monkeypatch):
    work = tmp_path / "course"
    shutil.copytree(test_files[name] / "files", work)  # the hidden checks, as on the grader
    path = work / f"{name}.ipynb"
    shutil.copyfile(built[name].reference_notebook, path)
    monkeypatch.setenv("WGANLAB_FAST", "1")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    assert _images(nb) >= 1, "the notebook should show at least one plot"
    checks = [c for c in nb.cells if c.cell_type == "code" and "grader.check(" in c.source]
    assert len(checks) == len(questions(name))
    for cell in checks:
        text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)
        assert "passed" in text.lower() and "failed" not in text.lower(), text
