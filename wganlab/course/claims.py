"""Fill the masters' figures from the claims register (``docs/claims.py``) when a notebook is built.

A master's markdown writes a measured figure as ``{{NAME:KEY}}`` and marks a sentence that states
a measured fact without a figure with ``<!-- claim: NAME -->``. The build replaces each
placeholder with the figure the register computes from the recorded sweeps and drops the markers;
it refuses (:class:`ClaimError`) when a placeholder or marker names no claim, a claim does not
hold on its sweeps, or a figure key is missing, so that no student notebook states what the
measurements no longer support.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

from wganlab.course.functions import REPO_ROOT
from wganlab.errors import UserError
from wganlab.files import atomic_write

PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*:\s*(\w+)\s*\}\}")
MARKER = re.compile(r"[ \t]*<!--\s*claim:\s*([\w.]+)\s*-->")
LEFTOVERS = ("{{", "<!-- claim", "<!--claim")  # "}}" closes LaTeX groups too


class ClaimError(UserError, ValueError):
    """A master's placeholder or marker that the register cannot back."""


def load_register(root: Path = REPO_ROOT):
    """Import ``root/docs/claims.py`` (instructor side, not in the wheel) under a private name."""
    path = Path(root) / "docs" / "claims.py"
    if not path.is_file():
        raise ClaimError(f"the claims register {path} is missing: the masters' figures are computed from it")
    name = "_wganlab_claims_register"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def names_used(text: str) -> set[str]:
    """The claim names that the placeholders and markers of ``text`` refer to."""
    return {m.group(1) for m in PLACEHOLDER.finditer(text)} | {m.group(1) for m in MARKER.finditer(text)}


def fill(text: str, register, where: str = "text", results: dict | None = None) -> str:
    """``text`` with every placeholder replaced by its figure and every marker removed.

    ``results`` caches ``register.evaluate`` per claim name across calls.
    """
    results = {} if results is None else results

    def result(name: str) -> dict[str, str]:
        if name not in register.CLAIMS:
            raise ClaimError(f"{where}: no claim named {name!r} in docs/claims.py; known: {', '.join(sorted(register.CLAIMS))}")
        if name not in results:
            results[name] = register.evaluate(name)
        holds, figures = results[name]
        if not holds:
            raise ClaimError(f"{where}: claim {name!r} does not hold on {', '.join(register.CLAIMS[name].sources)} "
                             f"(figures {figures}); change the text or the measurement, not the check")
        return figures

    def figure(match: re.Match) -> str:
        name, key = match.groups()
        figures = result(name)
        if key not in figures:
            raise ClaimError(f"{where}: claim {name!r} has no figure {key!r}; it computes {', '.join(sorted(figures))}")
        return figures[key]

    def marker(match: re.Match) -> str:
        result(match.group(1))
        return ""

    out = MARKER.sub(marker, PLACEHOLDER.sub(figure, text))
    for leftover in LEFTOVERS:
        if leftover in out:
            line = next(line for line in out.splitlines() if leftover in line)
            raise ClaimError(f"{where}: {leftover!r} left after filling (a malformed placeholder or marker?): {line.strip()[:120]}")
    return out


def fill_notebook(path: Path, register=None) -> None:
    """Fill the markdown cells of the notebook at ``path`` in place (the build's staged copy)."""
    register = load_register() if register is None else register
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    results: dict = {}
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "markdown":
            source = "".join(cell["source"])
            filled = fill(source, register, where=f"{path.name} cell {index}", results=results)
            if filled != source:
                cell["source"] = filled.splitlines(keepends=True)
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
