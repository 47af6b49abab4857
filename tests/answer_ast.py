"""Normalised ASTs: find a graded reference function in other code, whatever its names.

A student who opens the wheel must not find an answer in it, in any spelling. Two pieces of code
are the same answer here when their ASTs agree after:

- docstrings, annotations and the function's own name are dropped;
- every identifier (arguments, local and global names, module aliases: ``ops`` or ``K``) is
  renamed canonically, in order of first appearance;
- a local variable's attribute chain (``config.clip``, ``model.trainable_variables``) becomes one
  canonical name, and so does a call of a local callable (``critic(fake)``): the operand of a
  formula, however it is spelt;
- reduction keywords (``axis``, ``keepdims``) are dropped: a mean over some axes is the same
  formula as a mean over all.

Constants, operators, calls of library functions and their attribute names (``ops.mean``,
``.assign``) are kept. A reference matches a piece of code when its whole function does (arguments
included), when its body does a run of statements of the same length anywhere, or, for a
function that only returns an expression, when that expression is what some function or lambda
returns.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

from wganlab.course.functions import ASSIGNMENTS, REPO_ROOT, code_cells

DROPPED_KEYWORDS = {"axis", "keepdims"}
Function = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


def _bound_names(fn: Function) -> set[str]:
    """Names a function binds anywhere inside it: arguments, assignment targets, nested functions."""
    out = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not fn:
            out.add(node.name)
    return out


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return body[1:]
    return body


class _Canon(ast.NodeTransformer):
    """Renames as the module docstring says; ``local`` is the set of names the enclosing functions bind."""

    def __init__(self, local: set[str]):
        self.local = local
        self.names: dict[str, str] = {}

    def _name(self, key: str) -> str:
        return self.names.setdefault(key, f"v{len(self.names)}")

    def _chain(self, node: ast.expr) -> str | None:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.local:
            return ".".join([node.id, *reversed(parts)])
        return None

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Name(self._name(node.id), node.ctx)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        chain = self._chain(node)
        if chain is not None and "." in chain:
            return ast.Name(self._name(chain), node.ctx)
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name) and node.func.id in self.local:
            return ast.Name(self._name(ast.unparse(node)), ast.Load())
        node.keywords = [k for k in node.keywords if k.arg not in DROPPED_KEYWORDS]
        return self.generic_visit(node)

    def visit_arg(self, node: ast.arg) -> ast.AST:
        return ast.arg(self._name(node.arg))

    def _function(self, node):
        node.body = _without_docstring(node.body) or [ast.Pass()]
        node.name, node.returns, node.type_comment = "f", None, None
        if hasattr(node, "type_params"):
            node.type_params = []
        return self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = _function


def canonical(nodes: ast.AST | list[ast.AST], local: set[str]) -> str:
    """The normalised dump of ``nodes`` (one node or a run of statements), numbering names afresh."""
    canon = _Canon(local)
    nodes = nodes if isinstance(nodes, list) else [nodes]
    return "|".join(ast.dump(canon.visit(copy.deepcopy(n)), annotate_fields=False) for n in nodes)


def _as_function(fn: Function) -> ast.FunctionDef:
    if isinstance(fn, ast.Lambda):
        body = ast.copy_location(ast.Return(fn.body), fn)
        return ast.copy_location(ast.FunctionDef("f", fn.args, [body], [], None), fn)
    return fn


@dataclass(frozen=True)
class Reference:
    """One graded reference function, normalised three ways."""

    assignment: str
    name: str
    whole: str  # the function, arguments numbered first
    body: str  # its statements (docstring dropped), numbered afresh
    kinds: tuple[str, ...]  # its statements' node types, a cheap first filter
    returns: str | None  # the returned expression, for a body that is one `return`


def reference_of(assignment: str, fn: ast.FunctionDef) -> Reference:
    """Normalise one reference function of ``assignment``."""
    local = _bound_names(fn)
    body = _without_docstring(fn.body)
    only_return = len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None
    return Reference(assignment, fn.name, canonical(fn, local), canonical(body, local), _kinds(body),
                     canonical(body[0].value, local) if only_return else None)


def references() -> list[Reference]:
    """Every graded reference function of the four masters (``solutions/``), normalised."""
    out = []
    for assignment, names in ASSIGNMENTS.items():
        for source in code_cells(REPO_ROOT / "solutions" / f"{assignment}.ipynb"):
            lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
            try:
                tree = ast.parse("\n".join(lines))
            except SyntaxError:
                continue
            out += [reference_of(assignment, node) for node in tree.body
                    if isinstance(node, ast.FunctionDef) and node.name in names]
    return out


def _functions(tree: ast.AST, enclosing: frozenset = frozenset()):
    """(function or lambda, names bound by it and every function around it), depth first."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            local = enclosing | _bound_names(node)
            yield node, local
            yield from _functions(node, local)
        else:
            yield from _functions(node, enclosing)


def _own_nodes(fn: ast.AST):
    """The nodes of ``fn`` outside the functions and lambdas nested in it (those are scanned on their own)."""
    todo = [fn]
    while todo:
        node = todo.pop()
        yield node
        todo += [c for c in ast.iter_child_nodes(node)
                 if not isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]


def _blocks(fn: Function):
    """Every list of statements of ``fn`` itself (its body included), not of functions nested in it."""
    for node in _own_nodes(fn):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield _without_docstring(block) if node is fn else block
        for handler in getattr(node, "handlers", []):
            yield handler.body


def _kinds(statements: list[ast.stmt]) -> tuple[str, ...]:
    return tuple(type(n).__name__ for n in statements)


def matches(source: str, refs: list[Reference]) -> list[tuple[int, str]]:
    """(line, 'assignment:function how') for every place in ``source`` where a reference is found."""
    found = set()
    for fn, local in _functions(ast.parse(source)):
        whole = canonical(_as_function(fn), local)
        returned = [canonical(n.value, local) for n in _own_nodes(fn) if isinstance(n, ast.Return) and n.value]
        if isinstance(fn, ast.Lambda):
            returned.append(canonical(fn.body, local))
        blocks = list(_blocks(_as_function(fn)))
        windows: dict[tuple[str, ...], set[tuple[int, str]]] = {}
        for ref in refs:
            where = f"{ref.assignment}:{ref.name}"
            if whole == ref.whole:
                found.add((fn.lineno, f"{where} (whole function)"))
            if ref.returns is not None and ref.returns in returned:
                found.add((fn.lineno, f"{where} (returned expression)"))
            if ref.kinds not in windows:
                size = len(ref.kinds)
                windows[ref.kinds] = {(block[i].lineno, canonical(block[i:i + size], local))
                                      for block in blocks for i in range(len(block) - size + 1)
                                      if _kinds(block[i:i + size]) == ref.kinds}
            found |= {(line, f"{where} (statements)") for line, text in windows[ref.kinds] if text == ref.body}
    return sorted(found)
