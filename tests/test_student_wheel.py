"""The students' wheel: the full wheel less the instructors' tooling, no graded answer in any
spelling (normalised ASTs, tests/answer_ast.py), and enough on its own for the notebooks and
`wganlab prepare-celeba` in an empty folder."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

import answer_ast
from wganlab.course import handout
from wganlab.course.functions import ASSIGNMENTS, REPO_ROOT

# Code in the students' wheel allowed to match a graded reference, with why: none today. Key:
# (wheel member, 'assignment:function'). Add one only with a reason a reviewer can check.
ALLOWED: dict[tuple[str, str], str] = {}
REFS = answer_ast.references()


def _findings(files: dict[str, str]) -> list[str]:
    out = []
    for member, text in sorted(files.items()):
        for line, what in answer_ast.matches(text, REFS):
            if (member, what.split(" ")[0]) not in ALLOWED:
                out.append(f"{member}:{line}: {what}")
    return out


def _student_sources() -> dict[str, str]:
    """The wganlab modules of this checkout that the students' wheel holds, by wheel member name."""
    files = {p.relative_to(REPO_ROOT).as_posix(): p for p in (REPO_ROOT / "wganlab").rglob("*.py")
             if "public_tests" not in p.parts}
    return {m: p.read_text(encoding="utf-8") for m, p in files.items() if not handout.instructor_only(m)}


def test_references_are_every_graded_function_of_the_four_masters():
    got = sorted((r.assignment, r.name) for r in REFS)
    assert got == sorted((a, f) for a, fns in ASSIGNMENTS.items() for f in fns)


BENCH_GAP = '''
from keras import ops

def _gap(critic, real, fake):
    return ops.mean(critic(fake)) - ops.mean(critic(real))
'''
RENAMED = {
    # 02's critic_loss, renamed and aliased: what bench/objectives.py held as `_gap` (above) and
    # a plain copy under another name with another import alias.
    "critic_loss": "import keras.ops as K\ndef _gap(r, f):\n    '''No docstring counts.'''\n    return K.mean(f) - K.mean(r)\n",
    "clip_weights": "def _clip_all(critic, clip):\n    for v in critic.weights:\n        v.assign(ops.clip(v, -clip, clip))\n",
    "wgan_generator_loss": "objectives = dict(generator=lambda s: -ops.mean(s))\n",
    # The old toy critics: the clipping loop inside a training step, the bound read from a config.
    "clip_weights_in_a_loop": textwrap.dedent('''
        def train(config, critic, opt):
            def step(grads):
                opt.apply(grads, critic.trainable_variables)
                if config.kind == "clip":
                    for v in critic.trainable_variables:
                        v.assign(ops.clip(v, -config.clip, config.clip))
            return step
        '''),
    # The old estimator: 03's BCE per member, reduced over some axes.
    "discriminator_loss": textwrap.dedent('''
        def _bce_per_member(critic, real, fake):
            return (ops.mean(ops.softplus(-critic(real)), axis=(1, 2))
                    + ops.mean(ops.softplus(critic(fake)), axis=(1, 2)))
        '''),
}
NOT_ANSWERS = [  # near misses that must not match: the test is not "anything with ops.mean"
    "def f(r, f):\n    return ops.mean(f) + ops.mean(r)\n",
    "def g(s):\n    return -ops.sum(s)\n",
    "def d(r, f):\n    return ops.mean(ops.softplus(r)) + ops.mean(ops.softplus(f))\n",
    "def c(m, c):\n    for v in m.trainable_variables:\n        v.assign(ops.clip(v, 0.0, c))\n",
]


@pytest.mark.parametrize("what", sorted(RENAMED))
def test_normalised_ast_finds_a_renamed_copy(what):
    found = answer_ast.matches(RENAMED[what], REFS)
    want = what.removesuffix("_in_a_loop")
    assert any(f":{want} " in w for _, w in found), found


def test_normalised_ast_finds_the_benchmarks_gap_and_its_own_references():
    assert any(":critic_loss " in w for _, w in answer_ast.matches(BENCH_GAP, REFS))
    bench = (REPO_ROOT / "wganlab" / "bench" / "objectives.py").read_text()
    found = {w.split(" ")[0].split(":")[1] for _, w in answer_ast.matches(bench, REFS)}
    assert {"critic_loss", "clip_weights", "wgan_generator_loss"} <= found, found  # why bench stays out


@pytest.mark.parametrize("source", NOT_ANSWERS)
def test_normalised_ast_does_not_match_a_different_formula(source):
    assert answer_ast.matches(source, REFS) == []


def test_library_in_the_students_wheel_holds_no_graded_answer():
    files = _student_sources()
    assert "wganlab/estimator.py" in files and "wganlab/course/loss_checks.py" in files
    assert not [m for m in files if m.startswith(("wganlab/bench/", "wganlab/course/guard"))]
    findings = _findings(files)
    assert not findings, "graded answers in the students' wheel:\n" + "\n".join(findings)


# ------------------------------------------------------------------ the built wheels (needs_build)
def _wheels(built, name="01_divergences") -> tuple[Path, Path]:
    student = next((built[name].handout.parent / name).glob("wganlab-*.whl"))
    full = built[name].autograder_zip.parents[1] / "build" / "wheel-full" / student.name
    return full, student


@pytest.mark.needs_build
def test_students_wheel_is_the_full_wheel_less_the_instructors_tooling(built, tmp_path):
    full, student = _wheels(built)
    with zipfile.ZipFile(full) as f, zipfile.ZipFile(student) as s:
        full_names, names = f.namelist(), s.namelist()
        record_name = next(n for n in names if n.endswith(".dist-info/RECORD"))
        record = s.read(record_name).decode().splitlines()
        data = {n: s.read(n) for n in names}
    dropped = sorted(set(full_names) - set(names))
    assert dropped == sorted(n for n in full_names if handout.instructor_only(n))
    for module in ("course/build.py", "course/grading.py", "course/guard.py", "course/isolation.py",
                   "course/functions.py", "course/handout.py", "bench/objectives.py", "commands.py"):
        assert f"wganlab/{module}" in dropped, module
    for module in ("student.py", "course/loss_checks.py", "course/convergence.py", "cli.py", "data.py"):
        assert f"wganlab/{module}" in names, module
    assert any(n.startswith("wganlab/public_tests/04_wgan_gp_celeba/") for n in names)
    # RECORD: every file once with its sha256 and size, RECORD itself last without a hash (PEP 376/427)
    rows = [line.rsplit(",", 2) for line in record]
    assert rows[-1] == [record_name, "", ""] and sorted(r[0] for r in rows) == sorted(names)
    for member, digest, size in rows[:-1]:
        want = base64.urlsafe_b64encode(hashlib.sha256(data[member]).digest()).rstrip(b"=").decode()
        assert digest == f"sha256={want}" and int(size) == len(data[member]), member
    # deterministic: deriving again gives the same bytes
    again = handout.derive_student_wheel(full, tmp_path / student.name)
    assert again.read_bytes() == student.read_bytes()


@pytest.mark.needs_build
@pytest.mark.parametrize("name", list(ASSIGNMENTS))
def test_every_handout_and_zip_carries_its_own_wheel(built, name):
    full, student = _wheels(built, name)
    with zipfile.ZipFile(built[name].autograder_zip) as zf:
        assert zf.read(f"files/{full.name}") == full.read_bytes()
    assert (built[name].handout.parent / name / student.name).read_bytes() == _wheels(built)[1].read_bytes()


@pytest.mark.needs_build
def test_students_wheel_holds_no_graded_answer(built):
    _, student = _wheels(built)
    with zipfile.ZipFile(student) as zf:
        files = {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".py")}
    library = {n for n in files if "/public_tests/" not in n}
    assert library == set(_student_sources()), "the fast test above scans another set of files than the wheel holds"
    assert len([n for n in files if "/public_tests/" in n]) >= 10
    findings = _findings(files)
    assert not findings, "graded answers in the students' wheel:\n" + "\n".join(findings)


# This venv's editable install of the checkout answers for any wganlab module that PYTHONPATH's
# copy lacks (a finder after PathFinder): drop it, so that only the unpacked wheel is importable.
ONLY_THE_WHEEL = ("import sys\n"
                  "sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in getattr(f, '__module__', '')]\n")


def _run(args: list[str], wheel_dir: Path, cwd: Path) -> subprocess.CompletedProcess:
    """``python -c CODE`` or ``python -m wganlab ARGS`` (args[0] == '-m') with only the unpacked wheel of wganlab."""
    if args[0] == "-m":
        code = f"import runpy\nsys.argv = {['wganlab', *args[2:]]!r}\nrunpy.run_module('wganlab', run_name='__main__')"
    else:
        code = args[1]
    env = {**os.environ, "PYTHONPATH": str(wheel_dir), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-c", ONLY_THE_WHEEL + code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.needs_build
def test_students_wheel_alone_imports_what_the_notebooks_do_and_names_the_instructors_commands(built, tmp_path):
    from PIL import Image

    _, student = _wheels(built)
    wheel_dir, work = tmp_path / "wheel", tmp_path / "empty"
    work.mkdir()
    with zipfile.ZipFile(student) as zf:
        zf.extractall(wheel_dir)
        modules = sorted(n[:-3].replace("/", ".").removesuffix(".__init__") for n in zf.namelist()
                         if n.endswith(".py") and "/public_tests/" not in n and n != "wganlab/__main__.py")
    code = ("import importlib, importlib.util, wganlab\n"
            f"for m in {modules!r}:\n    importlib.import_module(m)\n"
            "assert importlib.util.find_spec('wganlab.bench') is None, 'this checkout is importable'\n"
            "print(wganlab.__file__)")
    proc = _run(["-c", code], wheel_dir, work)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().startswith(str(wheel_dir)), proc.stdout
    src = work / "img_align_celeba"
    src.mkdir()
    for i in range(3):
        Image.new("RGB", (178, 218), (i * 40, 90, 200)).save(src / f"{i:06d}.jpg")
    proc = _run(["-m", "wganlab", "prepare-celeba", str(src), "--n", "3", "--out", str(work / "c.npz")], wheel_dir, work)
    assert proc.returncode == 0 and (work / "c.npz").is_file(), proc.stderr[-2000:]
    for command in (["build"], ["grade", "--assignment", "01", "--out", "g", "x.ipynb"], ["gradebook", "merge", "--out",
                    "m", "a"], ["bench", "--quick", "--out", "b.csv"], ["train", "--out", "t"], ["demo"]):
        proc = _run(["-m", "wganlab", *command], wheel_dir, work)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1, (command, proc.stderr[-2000:])
        assert lines[0].startswith(f"wganlab {command[0]}: error: this is an instructors' command"), lines
        assert "pip install -e ." in lines[0] and "Traceback" not in proc.stderr


@pytest.mark.parametrize("statement, absent", [
    ("from wganlab.course import no_such_tool", "wganlab.course.no_such_tool"),  # how cli imports build, grading
    ("import wganlab.no_such_package.module", "wganlab.no_such_package"),
    ("from wganlab.course.functions import no_such_name", None),  # a bug in a module that is there
    ("import no_such_third_party_package", None),  # a broken install, not the students' wheel
])
def test_cli_calls_only_an_absent_wganlab_module_an_instructors_command(statement, absent):
    from wganlab import cli

    with pytest.raises(ImportError) as info:
        exec(statement, {})
    assert cli._absent_module(info.value) == absent
