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

from wganlab.errors import UserError

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


class FunctionsError(UserError, ValueError):
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


_CONSTANT_NODES = (ast.Constant, ast.Name, ast.Attribute, ast.UnaryOp, ast.BinOp, ast.Tuple, ast.List, ast.Set,
                   ast.Dict, ast.unaryop, ast.operator, ast.expr_context)


def _is_constant_or_lambda(node: ast.stmt) -> bool:
    """``EPS = 1e-12``, ``TWO_EPS = 2 * EPS``, ``_w = wasserstein_1d``, ``LOG = np.log``, ``f = lambda x: x``:
    assignments to plain names of literals, names, attributes and arithmetic (no calls), safe out of context."""
    if isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        targets, value = [node.target], node.value
    else:
        return False
    if not all(isinstance(t, ast.Name) for t in targets):
        return False
    return isinstance(value, ast.Lambda) or all(isinstance(n, _CONSTANT_NODES) for n in ast.walk(value))


def _definitions(source: str) -> list[ast.stmt]:
    tree = _parse(source)
    if tree is None:
        return []  # a broken cell defines nothing; the missing name is reported below
    return [node for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            or _is_constant_or_lambda(node)]


def _parse(source: str) -> ast.Module | None:
    # Notebook cells may hold magics and shell escapes, which are not Python.
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def notebook_globals(path: str | Path) -> dict[str, int]:
    """Top-level names a notebook assigns outside what the loader runs: name -> its first code cell (1-based)."""
    out: dict[str, int] = {}
    for index, source in enumerate(code_cells(path)):
        tree = _parse(source)
        if tree is None:
            continue
        loaded = set(map(id, _definitions(source)))
        for node in tree.body:
            if id(node) in loaded:
                continue
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    out.setdefault(sub.id, index + 1)
    return out


def load_namespace(path: str | Path, names: Iterable[str] = (), lenient: bool = False) -> dict:
    """The namespace the loader builds from ``path``: every definition that runs, in notebook order.

    Imports, functions, classes, constant assignments (``EPS = 1e-12``) and lambdas run; a
    definition that fails is skipped, unless it is an import or defines one of ``names`` (then
    FunctionsError); ``lenient`` skips every failure, as a kernel runs on after a failing cell.
    """
    names = set(names)
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
                defined = getattr(node, "name", None) or next(
                    (t.id for t in getattr(node, "targets", [getattr(node, "target", None)]) if t is not None), None)
                if lenient or (not isinstance(node, (ast.Import, ast.ImportFrom)) and defined not in names):
                    continue
                raise FunctionsError(f"{where}: running `{ast.unparse(node).splitlines()[0]}` "
                                     f"failed: {exc}") from exc
    return module.__dict__


def load_functions(path: str | Path, names: Iterable[str]) -> types.SimpleNamespace:
    """Execute the imports, functions, classes and constants defined in ``path`` and return ``names`` of them.

    Only definitions run (no training cells, no prints), in notebook order, so a later
    definition wins as it would in the kernel.
    """
    names = list(names)
    namespace = load_namespace(path, names)
    missing = [n for n in names if not callable(namespace.get(n))]
    if missing:
        raise FunctionsError(f"{path} defines no function named {', '.join(missing)}")
    return types.SimpleNamespace(**{n: namespace[n] for n in names})


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
