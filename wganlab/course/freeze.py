"""Freeze the modules a grading process relies on, and put them back after student code ran.

The grading processes (:mod:`wganlab.course.grading_process`) load a notebook's definitions, and
decorators, default arguments and class bodies run then, in the process that runs the checks:
any of them can replace a function of any module the checks call. :class:`Frozen` records, for
every module already imported under :data:`PREFIXES` (found in ``sys.modules``, never a hand-kept
list), its attributes, the attributes of the classes it defines and the code, defaults and
keyword defaults of the functions it defines, and the ``sys.modules`` entries themselves;
:meth:`Frozen.restore` puts back whatever changed.
"""

from __future__ import annotations

import sys
import types

from wganlab.course.protocol import CHECKS_PACKAGE

# What the checks and the library they call rely on. A module imported later than the freeze
# (first by the notebook) is not frozen: the isolated process imports everything the checks use
# before the notebook's definitions run.
PREFIXES = ("builtins", "math", "random", "wganlab", CHECKS_PACKAGE, "keras", "numpy", "scipy", "ot",
            "tensorflow", "otter")
# New sys.modules entries under these after the freeze are dropped: a check that imports one of our
# own modules late then gets it from its file, not from an object the notebook put there.
OWN = ("wganlab", CHECKS_PACKAGE)
_MISSING = object()


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


class Frozen:
    """A record of every loaded module under :data:`PREFIXES`, restorable after untrusted code ran."""

    def __init__(self, prefixes: tuple[str, ...] = PREFIXES):
        self.prefixes = prefixes
        self.modules = {name: m for name, m in list(sys.modules.items())
                        if _under(name, prefixes) and isinstance(m, types.ModuleType)}
        self.attrs: list[tuple[object, dict]] = []
        self.functions: list[tuple[types.FunctionType, object, object, object]] = []
        seen: set[int] = set()
        for name, module in self.modules.items():
            try:
                namespace = dict(vars(module))
            except TypeError:  # a module-like object without a __dict__
                continue
            self.attrs.append((module, namespace))
            for value in namespace.values():
                if id(value) in seen:
                    continue
                if isinstance(value, type) and getattr(value, "__module__", None) == name:
                    seen.add(id(value))
                    members = dict(vars(value))
                    self.attrs.append((value, members))
                    self._functions(members.values(), seen)
                elif type(value) is types.FunctionType and getattr(value, "__module__", None) == name:
                    self._functions([value], seen)

    def _functions(self, values, seen: set[int]) -> None:
        for value in values:
            value = getattr(value, "__func__", value)  # staticmethod, classmethod
            if type(value) is types.FunctionType and id(value) not in seen:  # not a proxy (wrapt) posing as one
                seen.add(id(value))
                self.functions.append((value, value.__code__, value.__defaults__, value.__kwdefaults__))

    def restore(self) -> list[str]:
        """Put back every changed or removed attribute, function body and ``sys.modules`` entry; return what changed."""
        changed = []
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module
                changed.append(f"sys.modules[{name!r}]")
        for name in [n for n in sys.modules if _under(n, OWN) and n not in self.modules]:
            del sys.modules[name]
            changed.append(f"sys.modules[{name!r}] (new)")
        for owner, attrs in self.attrs:
            current = vars(owner)
            for key, value in attrs.items():
                if current.get(key, _MISSING) is not value:
                    try:
                        setattr(owner, key, value)
                    except (AttributeError, TypeError):  # read-only slots: nothing could have changed them either
                        continue
                    changed.append(f"{getattr(owner, '__name__', owner)}.{key}")
        for function, code, defaults, kwdefaults in self.functions:
            if (function.__code__ is not code or function.__defaults__ is not defaults
                    or function.__kwdefaults__ is not kwdefaults):
                function.__code__, function.__defaults__, function.__kwdefaults__ = code, defaults, kwdefaults
                changed.append(f"{function.__module__}.{function.__qualname__} (code or defaults)")
        return changed
