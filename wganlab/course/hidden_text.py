"""What of an autograder a student must not see, recognised in a message even reformatted.

The guard's last line of defence: a public message that quotes a run of hidden text (hidden test
cases, ``files/*.py`` and ``files/*.json``) or one of its long numbers is withheld. The sealed
processes (:mod:`wganlab.course.isolation`) are what keeps hidden text out of public messages;
this catches it should that ever fail, and it lets the tests check results files.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from wganlab.course.protocol import FILES, TESTS, is_hidden_case, take_snapshot

SHINGLE = 8  # consecutive word tokens: long enough that a student's own text never matches by chance
_ESCAPES = re.compile(r"\\[ntr'\"\\]")
_TOKEN = re.compile(r"\w+")
_LONG_NUMBER = re.compile(r"\d{10,}")


def _normalise(text: str) -> list[str]:
    """Word tokens of ``text``, with backslash escapes (as repr() writes them) read as spaces."""
    return _TOKEN.findall(_ESCAPES.sub(" ", text))


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = _normalise(text)
    return {tuple(tokens[i:i + SHINGLE]) for i in range(max(0, len(tokens) - SHINGLE + 1))}


def split_test_file(source: str) -> tuple[str, str]:
    """(hidden, public) text of one otter exception test file: hidden cases against the rest."""
    hidden, public = [], []
    tree = ast.parse(source)
    for node in tree.body:
        segment = ast.get_source_segment(source, node, padded=False) or ""
        decorators = "".join(ast.get_source_segment(source, d) or "" for d in getattr(node, "decorator_list", []))
        if is_hidden_case(node):
            hidden.append(segment)
        else:
            public.append(decorators + "\n" + segment)
    return "\n".join(hidden), "\n".join(public)


class HiddenText:
    """What of the autograder a student must not see, as token shingles and long digit strings."""

    def __init__(self, hidden: list[str], public: list[str]):
        shingles = set().union(*(_shingles(t) for t in hidden)) if hidden else set()
        self.shingles = shingles - (set().union(*(_shingles(t) for t in public)) if public else set())
        numbers = {n for t in hidden for n in _LONG_NUMBER.findall(t)}
        self.numbers = numbers - {n for t in public for n in _LONG_NUMBER.findall(t)}

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, bytes]) -> "HiddenText":
        """From :func:`take_snapshot`'s files: hidden cases of ``tests/*.py`` and ``files/**/*.{py,json,txt,csv}``."""
        hidden, public = [], []
        for name, data in sorted(snapshot.items()):
            text = data.decode("utf-8", errors="replace")
            if name.startswith(TESTS) and name.endswith(".py"):
                h, p = split_test_file(text)
                hidden.append(h)
                public.append(p)
            elif name.startswith(FILES) and Path(name).suffix in (".py", ".json", ".txt", ".csv"):
                hidden.append(text)
        return cls(hidden, public)

    @classmethod
    def from_source(cls, source: Path) -> "HiddenText":
        """Read an unpacked autograder zip: ``source/tests/*.py`` and ``source/files/**/*.{py,json,txt,csv}``."""
        return cls.from_snapshot(take_snapshot(source, None))

    def quoted_in(self, message: str) -> bool:
        """True when ``message`` contains a run of hidden text or a hidden long number."""
        if any(n in self.numbers for n in _LONG_NUMBER.findall(message)):
            return True
        tokens = _normalise(message)
        return any(tuple(tokens[i:i + SHINGLE]) in self.shingles for i in range(len(tokens) - SHINGLE + 1))
