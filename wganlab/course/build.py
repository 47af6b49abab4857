"""``wganlab build``: otter assign on the masters -> student notebooks and autograder zips.

For each assignment a clean staging folder receives the master, the hidden check module and the
expected values computed from the reference; otter assign runs there (with its own tests on the
reference, which must score 100%), and the results are copied to stable places:
``assignments/NAME.ipynb`` for students and ``dist/autograder/NAME.zip`` for graders. Last, the
student hand-outs ``dist/student/NAME/`` and ``NAME.zip`` (see :mod:`wganlab.course.handout`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from wganlab.course.claims import fill_notebook as fill_claims
from wganlab.course.functions import ASSIGNMENTS, REPO_ROOT, reference_functions, resolve_assignment
from wganlab.course.protocol import BUILD_FILES, CHECKS_PACKAGE, EXPECTED_FILE, FACES_CACHE, GUARD_PLUGIN, TRAIN_ENV
from wganlab.errors import UserError
from wganlab.files import atomic_write



class BuildError(UserError, RuntimeError):
    """otter assign failed, or the master's own tests did not score 100%."""


@dataclass(frozen=True)
class BuildResult:
    """Where one assignment's build put its student notebook, autograder zip and reference."""

    name: str
    student_notebook: Path
    autograder_zip: Path
    reference_notebook: Path  # the solution as a gradable submission (instructors only)
    seconds: float
    handout: Path | None = None  # dist/student/NAME.zip: notebook, wheel, README for students


def load_checks(autograder_dir: Path = REPO_ROOT / "autograder"):
    """Import the hidden check package from the instructor's ``autograder/`` folder.

    Under a private name, so that a later ``import wganlab_checks`` (a test, a zip's checks) finds
    its own copy rather than this one.
    """
    name = "_wganlab_checks_build"
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]
    folder = autograder_dir / CHECKS_PACKAGE
    spec = importlib.util.spec_from_file_location(name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its submodules import each other relatively, through this entry
    spec.loader.exec_module(module)
    return module


def resolve_names(names: list[str] | None) -> list[str]:
    """Full assignment names for ``names`` (prefixes such as '01' allowed); all when empty."""
    return [resolve_assignment(name) for name in names] if names else list(ASSIGNMENTS)


def _copy_atomic(src: Path, dst: Path) -> None:
    atomic_write(dst, lambda tmp: shutil.copyfile(src, tmp))


def normalise_notebook(src: Path, dst: Path) -> None:
    """Copy a notebook with stable cell ids (otter assign draws random ones for the cells it
    adds), so that rebuilding from unchanged masters reproduces ``assignments/`` byte for byte."""
    nb = json.loads(src.read_text(encoding="utf-8"))
    for index, cell in enumerate(nb.get("cells", [])):
        if "id" in cell:
            source = "".join(cell.get("source", []))
            cell["id"] = f"c{index:03d}-{hashlib.sha1(source.encode()).hexdigest()[:8]}"
    text = json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    atomic_write(dst, lambda tmp: tmp.write_text(text, encoding="utf-8"))


# What Gradescope's grader installs beside otter-grader; wganlab itself comes as a wheel built
# from this checkout and shipped in the zip (autograder files land in /autograder/source/files).
def grader_requirements() -> str:
    """What the Gradescope grader installs beside otter: wganlab's dependencies and its TensorFlow
    extra, read from pyproject.toml (the one list of pins)."""
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return "\n".join([*project["optional-dependencies"]["tensorflow"], *project["dependencies"]]) + "\n"


def build_wheel(out_dir: Path) -> Path:
    """Build the full wganlab wheel from this checkout into ``out_dir``; return its path.

    The zips end up with the full wheel that :func:`wganlab.course.handout.finish` builds with the
    public tests in it; the hand-outs get the student wheel derived from that one."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out_dir),
         str(REPO_ROOT)], capture_output=True, text=True)
    wheels = sorted(out_dir.glob("wganlab-*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        raise BuildError(f"building the wganlab wheel failed:\n{proc.stderr[-2000:]}")
    return wheels[0]


def _configure(master: Path, extra_files: list[str]) -> None:
    """Add the grader's requirements, the guard plugin, the build's own autograder files
    (:data:`protocol.BUILD_FILES`) and ``extra_files`` to the staged master's config."""
    import yaml

    nb = json.loads(master.read_text(encoding="utf-8"))
    cell = nb["cells"][0]
    source = "".join(cell["source"])
    if cell["cell_type"] != "raw" or not source.startswith("# ASSIGNMENT CONFIG"):
        raise BuildError(f"{master.name}: the first cell must be the raw '# ASSIGNMENT CONFIG' cell")
    config = yaml.safe_load(source.split("\n", 1)[1]) or {}
    own = config.get("autograder_files", [])
    # The build writes these itself; listed in a master too, a rename here would leave a stale name there.
    if not isinstance(own, list) or set(own) & {*BUILD_FILES, *extra_files}:
        raise BuildError(f"{master.name}: autograder_files must list only the master's own files, as a list; "
                         f"the build adds {', '.join(BUILD_FILES)} and the wheel itself, found {own!r}")
    config["requirements"] = "requirements.txt"
    config["autograder_files"] = [*own, *BUILD_FILES, *extra_files]
    # Installed with the wheel on the grader; see wganlab/course/guard.py for what it guards against.
    config["plugins"] = [*config.get("plugins", []), GUARD_PLUGIN]
    cell["source"] = "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False)
    master.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def stage(name: str, staging: Path, wheel: Path, celeba: Path | None = None) -> Path:
    """Fill ``staging`` with what otter assign needs for ``name``; return the master's path there."""
    master = REPO_ROOT / "solutions" / f"{name}.ipynb"
    if not master.is_file():
        raise BuildError(f"no master notebook for {name}: expected {master}")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    shutil.copyfile(master, staging / master.name)
    fill_claims(staging / master.name)  # figures from docs/claims.py; refuses a claim that no longer holds
    shutil.copytree(REPO_ROOT / "autograder" / CHECKS_PACKAGE, staging / CHECKS_PACKAGE,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    checks = load_checks()
    expected = checks.compute_expected(name, reference_functions(name))
    (staging / EXPECTED_FILE).write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    shutil.copyfile(wheel, staging / wheel.name)
    (staging / "requirements.txt").write_text(
        grader_requirements() + f"/autograder/source/files/{wheel.name}\n")
    extra = [wheel.name]
    if celeba is not None and name == "04_wgan_gp_celeba":
        from wganlab import data

        images = data.load_celeba(celeba)  # a clear error for a wrong file, before otter runs
        if images.shape[1] != 32:
            raise BuildError(f"{celeba} holds {images.shape[1]}x{images.shape[1]} faces; the convergence "
                             "question grades on 32x32: wganlab prepare-celeba SRC --out FILE --size 32")
        shutil.copyfile(celeba, staging / FACES_CACHE)
        extra.append(FACES_CACHE)
    _configure(staging / master.name, extra)
    return staging / master.name


def build_one(name: str, dist: Path, assignments: Path, wheel: Path, run_tests: bool = True,
              celeba: Path | None = None) -> BuildResult:
    """Build one assignment; raise :class:`BuildError` with otter's output when it fails."""
    start = time.perf_counter()
    staging = dist / "build" / name
    master = stage(name, staging, wheel, celeba)
    result = staging / "result"
    cmd = [sys.executable, "-m", "otter", "assign", master.name, "result"]
    if not run_tests:
        cmd.insert(4, "--no-run-tests")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop(TRAIN_ENV, None)  # only the guard's hidden grading process trains
    proc = subprocess.run(cmd, cwd=staging, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-40:])
        raise BuildError(f"otter assign failed for {name} (exit {proc.returncode}):\n{tail}")
    zips = sorted((result / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise BuildError(f"otter assign for {name} wrote {len(zips)} autograder zips, expected 1")
    student = assignments / f"{name}.ipynb"
    normalise_notebook(result / "student" / f"{name}.ipynb", student)
    ag_zip = dist / "autograder" / f"{name}.zip"
    _copy_atomic(zips[0], ag_zip)
    reference = dist / "reference" / f"{name}.ipynb"
    _copy_atomic(result / "autograder" / f"{name}.ipynb", reference)
    return BuildResult(name, student, ag_zip, reference, time.perf_counter() - start)


def build(
    names: list[str] | None = None,
    dist: Path = REPO_ROOT / "dist",
    assignments: Path = REPO_ROOT / "assignments",
    run_tests: bool = True,
    celeba: Path | None = None,
) -> list[BuildResult]:
    """Build the named assignments (all by default) and return where each went.

    ``celeba``: a 32x32 cache from ``wganlab prepare-celeba`` to ship in assignment 4's
    autograder zip for its convergence question (without it, that question grades on MNIST).
    """
    names, dist = resolve_names(names), Path(dist)
    wheel_dir = dist / "build" / "wheel"
    if wheel_dir.exists():
        shutil.rmtree(wheel_dir)
    wheel = build_wheel(wheel_dir)  # what otter assign grades the references with; finish() replaces it
    results = [build_one(n, dist, Path(assignments), wheel, run_tests, celeba) for n in names]
    return _with_handouts(results, dist, Path(assignments), wheel)


def _with_handouts(results: list[BuildResult], dist: Path, assignments: Path, wheel: Path) -> list[BuildResult]:
    """Write the student hand-outs (the student wheel); the zips get the full wheel, public tests included."""
    from dataclasses import replace

    from wganlab.course import handout

    zips = handout.finish([r.name for r in results], dist, assignments, wheel)
    return [replace(r, handout=zips[r.name]) for r in results]
