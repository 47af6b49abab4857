"""Run a notebook as a student would: in a Jupyter kernel, from a given folder, timed per cell.

Used by the hand-out tests (local Jupyter and a kernel that otter takes for Google Colab) and by
``tools/cell_times.py``. The kernel sees only the ``pythonpath`` it is given (e.g. the hand-out's
wheel), never this checkout.
"""

from __future__ import annotations

import copy
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

# A kernel whose shell prints like Colab's: otter decides "Colab" from str(get_ipython())
# containing "google.colab" (otter/check/utils.py, otter-grader 7.0).
COLAB_KERNEL = '''"""An IPython kernel that otter-grader takes for Google Colab's (tests only)."""
from ipykernel.ipkernel import IPythonKernel
from ipykernel.zmqshell import ZMQInteractiveShell
from traitlets import Type


class Shell(ZMQInteractiveShell):
    def __repr__(self):
        return f"<google.colab._shell.Shell object at {id(self):#x}>"


class Kernel(IPythonKernel):
    shell_class = Type(Shell)
'''


def _first_line(cell) -> str:
    source = "".join(cell["source"]).strip()
    return source.splitlines()[0] if source else ""


def fill_with_reference(student: dict, reference: dict) -> dict:
    """The student notebook with each stub cell (``def f(...)`` with ``...``) replaced by the
    reference notebook's cell that defines the same function."""
    defs = {_first_line(c): c["source"] for c in reference["cells"]
            if c["cell_type"] == "code" and _first_line(c).startswith("def ")}
    filled, replaced = copy.deepcopy(student), 0
    for cell in filled["cells"]:
        if cell["cell_type"] == "code" and _first_line(cell) in defs and cell["source"] != defs[_first_line(cell)]:
            cell["source"], replaced = defs[_first_line(cell)], replaced + 1
    if not replaced:
        raise ValueError("no stub of the student notebook matches a function of the reference")
    return filled


def cell_seconds(nb: dict) -> list[tuple[int, str, float]]:
    """``(index, first line, seconds)`` of each executed code cell, from nbclient's timing metadata."""
    rows = []
    for i, cell in enumerate(nb["cells"]):
        timing = cell.get("metadata", {}).get("execution", {})
        if cell["cell_type"] == "code" and "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            begin = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
            rows.append((i, _first_line(cell), (end - begin).total_seconds()))
    return rows


def run(nb: dict, cwd: Path, pythonpath: list[Path] = (), env: dict | None = None, colab: bool = False,
        timeout: float = 1800, python: str | None = None) -> dict:
    """Execute ``nb`` top to bottom in a fresh kernel started in ``cwd``; return it with outputs.

    ``pythonpath``: what the kernel imports before site-packages (a wheel file works: it is a zip).
    ``python``: the kernel's interpreter (default this one), e.g. a student's venv with the hand-out's wheel.
    ``colab``: use a kernel that otter takes for Google Colab's. A failing cell raises
    ``nbclient.exceptions.CellExecutionError`` with the traceback.
    """
    import nbformat
    from nbclient import NotebookClient

    paths = [str(p) for p in pythonpath]
    extra = []
    if colab:
        sim = Path(tempfile.mkdtemp(prefix="colab-kernel-"))
        (sim / "colab_sim_kernel.py").write_text(COLAB_KERNEL)
        paths.insert(0, str(sim))
        extra = ["--IPKernelApp.kernel_class=colab_sim_kernel.Kernel"]
    # A student's kernel has neither this checkout on its path nor our quiet-TensorFlow setting.
    kernel_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TF_CPP_MIN_LOG_LEVEL")}
    kernel_env.update(env or {})
    if paths:
        kernel_env["PYTHONPATH"] = os.pathsep.join(paths)
    import json

    node = nbformat.reads(json.dumps(nb), as_version=4)  # sources as strings, as nbclient wants
    client = NotebookClient(node, timeout=timeout, kernel_name="python3", extra_arguments=extra,
                            resources={"metadata": {"path": str(cwd)}}, record_timing=True)
    # This interpreter's kernel unless told (the kernel spec "python3" of ipykernel is sys.executable).
    client.kernel_manager_class = _manager_for(python or sys.executable)
    client.execute(env=kernel_env, cwd=str(cwd))
    return json.loads(nbformat.writes(node))


def _manager_for(python: str):
    from jupyter_client.manager import KernelManager

    class Manager(KernelManager):
        """Starts ``python -m ipykernel_launcher`` whatever kernel specs the machine has."""

        def format_kernel_cmd(self, extra_arguments=None):
            return [python, "-m", "ipykernel_launcher", "-f", self.connection_file, *(extra_arguments or [])]

    return Manager


def outputs_text(nb: dict) -> str:
    """Everything the notebook printed (streams, results, errors) as one string."""
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append("".join(out["text"]) if isinstance(out["text"], list) else out["text"])
            elif out.get("output_type") in ("execute_result", "display_data"):
                parts.append(str(out.get("data", {}).get("text/plain", "")))
            elif out.get("output_type") == "error":
                parts.append("\n".join(out.get("traceback", [])))
    return "\n".join(parts)
