"""The student functions: their names per assignment, and loading them from a notebook or file.

The library holds no implementation of them. The reference lives in the otter masters under
``solutions/``; :func:`load_functions` extracts the definitions from any notebook (a master, a
student's submission) or ``.py`` file, so the trainers, the CLI and the tests can run with
either.
"""

from __future__ import annotations

import ast
import json
import linecache
import types
from pathlib import Path
from typing import Iterable

ASSIGNMENTS: dict[str, tuple[str, ...]] = {
    "01_divergences": ("kl_divergence", "js_divergence", "wasserstein_1d", "example1_distances"),
    "02_critic_estimator": ("critic_loss", "clip_weights"),
    "03_gan_vs_wgan_mnist": (
        "discriminator_loss", "generator_loss", "critic_loss", "wgan_generator_loss", "clip_weights",
    ),
    "04_wgan_gp_celeba": (
        "critic_input_gradients", "sample_alpha", "gradient_penalty", "critic_loss_gp", "train_step",
    ),
}

# Questions that train with the student's functions and judge convergence (see convergence.py).
CONVERGENCE_QUESTIONS: dict[str, tuple[str, ...]] = {
    "01_divergences": (),
    "02_critic_estimator": ("estimator",),
    "03_gan_vs_wgan_mnist": ("wgan_convergence",),
    "04_wgan_gp_celeba": ("wgan_gp_convergence",),
}

REPO_ROOT = Path(__file__).resolve().parents[2]


def resolve_assignment(name: str) -> str:
    """The full assignment name for ``name`` ('03' is enough); a clear error when none or several match."""
    matches = [a for a in ASSIGNMENTS if a == name or a.startswith(name)]
    if len(matches) != 1:
        raise FunctionsError(f"unknown assignment {name!r}; choose from {', '.join(ASSIGNMENTS)}")
    return matches[0]


def questions(assignment: str) -> tuple[str, ...]:
    """The autograded otter questions of an assignment, in gradebook order."""
    return ASSIGNMENTS[assignment] + CONVERGENCE_QUESTIONS[assignment]


class FunctionsError(ValueError):
    """A notebook or file that does not define the functions asked for."""


def code_cells(path: str | Path) -> list[str]:
    """Source of every code cell of a notebook (or the whole text of a .py file), in order."""
    path = Path(path)
    if not path.is_file():
        raise FunctionsError(f"no such notebook or Python file: {path}")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return [text]
    try:
        nb = json.loads(text)
        return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                for c in nb["cells"] if c.get("cell_type") == "code"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise FunctionsError(f"{path} is not a readable Jupyter notebook ({exc})") from exc


def _definitions(source: str) -> list[ast.stmt]:
    # Notebook cells may hold magics and shell escapes, which are not Python.
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return []  # a broken cell defines nothing; the missing name is reported below
    return [node for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))]


def load_functions(path: str | Path, names: Iterable[str]) -> types.SimpleNamespace:
    """Execute the imports, functions and classes defined in ``path`` and return ``names`` of them.

    Only definitions run (no training cells, no prints), in notebook order, so a later
    definition wins as it would in the kernel.
    """
    names = list(names)
    module = types.ModuleType(f"wganlab_functions_{Path(path).stem}")
    for index, source in enumerate(code_cells(path)):
        where = f"{path} (code cell {index + 1})"
        # Register the cell's text so tracebacks show its lines and TensorFlow's AutoGraph can
        # read the functions' source (it warns and falls back otherwise).
        linecache.cache[where] = (len(source), None, source.splitlines(keepends=True), where)
        for node in _definitions(source):
            code = compile(ast.Module(body=[node], type_ignores=[]), where, "exec")
            try:
                exec(code, module.__dict__)
            except Exception as exc:
                # A helper whose default argument names a notebook variable cannot be defined
                # out of context; only the functions asked for (and imports) must load.
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name not in names:
                    continue
                raise FunctionsError(f"{where}: running `{ast.unparse(node).splitlines()[0]}` "
                                     f"failed: {exc}") from exc
    missing = [n for n in names if not callable(module.__dict__.get(n))]
    if missing:
        raise FunctionsError(f"{path} defines no function named {', '.join(missing)}")
    return types.SimpleNamespace(**{n: module.__dict__[n] for n in names})


def reference_functions(assignment: str) -> types.SimpleNamespace:
    """The reference implementations of one assignment's student functions, from its master."""
    if assignment not in ASSIGNMENTS:
        raise FunctionsError(f"unknown assignment {assignment!r}; choose from {', '.join(ASSIGNMENTS)}")
    master = REPO_ROOT / "solutions" / f"{assignment}.ipynb"
    if not master.is_file():
        raise FunctionsError(f"the reference solutions are in {master}, which this installation lacks: "
                             "they ship with the instructors' repository only. Pass your own "
                             "notebook (--functions) instead.")
    return load_functions(master, ASSIGNMENTS[assignment])
