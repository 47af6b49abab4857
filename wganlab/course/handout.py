"""The student hand-out ``dist/student/NAME/`` (+ ``.zip``): notebook, student wheel, README.

Two wheels come out of one setuptools build. The full wheel (every module, plus each assignment's
PUBLIC tests as package data ``wganlab/public_tests/NAME/QUESTION.py``, taken from the student
notebooks' metadata after otter assign wrote them) goes into the autograder zips: otter imports
the guard plugin from it. The student wheel is the full one less the instructors' tooling
(:data:`INSTRUCTOR_ONLY`: build, grading, guard, isolation, the benchmark...), with its RECORD
rewritten; it is what the hand-outs carry. On Colab the notebook copies the public tests to
``./tests``, where otter needs them (see :mod:`wganlab.student`). Nothing of ``autograder/``
reaches a hand-out.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from wganlab.course.functions import REPO_ROOT
from wganlab.errors import UserError
from wganlab.files import atomic_write

# What the student wheel leaves out. Of wganlab.course it keeps only what the public tests import
# (loss_checks, convergence); the rest of it, the benchmark (its objectives and Keras-fit
# baseline hold the graded losses and step) and the training commands (which load the masters)
# are the instructors'. `wganlab` names their commands and says where to run them (wganlab.cli).
STUDENT_COURSE_MODULES = ("wganlab/course/__init__.py", "wganlab/course/convergence.py",
                          "wganlab/course/loss_checks.py")
INSTRUCTOR_ONLY = ("wganlab/bench/", "wganlab/commands.py", "wganlab/course/")

RUN_TIMES = REPO_ROOT / "docs" / "run_times.json"  # written by tools/cell_times.py --json
TITLES = {
    "01_divergences": "Assignment 1: KL, JS and Wasserstein distances",
    "02_critic_estimator": "Assignment 2: estimating the Wasserstein distance with a critic",
    "03_gan_vs_wgan_mnist": "Assignment 3: GAN against WGAN on MNIST",
    "04_wgan_gp_celeba": "Assignment 4: WGAN-GP on grayscale CelebA faces",
}
DATA = {
    "03_gan_vs_wgan_mnist": "None to fetch: the MNIST digits this notebook uses ship inside wganlab.",
    "04_wgan_gp_celeba": """\
The faces come from CelebA, which you download yourself (its licence forbids passing it on):
on the CelebA website (mmlab.ie.cuhk.edu.hk/projects/CelebA.html) follow the Google Drive link
to `Img/img_align_celeba.zip` (about 1.4 GB). Then, once, in the environment where wganlab is
installed (on Colab: in a code cell, with `!` in front, the zip for example on your Drive):

    wganlab prepare-celeba path/to/img_align_celeba.zip

That writes `~/.cache/wganlab/celeba_gray32.npz` (under `$WGANLAB_CACHE` if you set that
variable), the one file the notebook reads, whatever folder you run it from. On Colab that
folder lasts as long as the runtime: prepare it again after the runtime is recycled. Without the
file the notebook prints a red warning with this command and trains on MNIST digits instead.""",
}


class HandoutError(UserError, RuntimeError):
    """A hand-out could not be made (a hidden test in public metadata, a failed wheel build)."""


def public_tests_of(student_notebook: Path) -> dict[str, str]:
    """``{question: source}`` of the public tests otter assign put in a student notebook."""
    tests = json.loads(Path(student_notebook).read_text(encoding="utf-8"))["metadata"]["otter"]["tests"]
    for question, source in tests.items():
        if not isinstance(source, str) or "hidden=True" in source:
            raise HandoutError(f"{student_notebook}: the metadata test {question!r} is not a public test file")
    return dict(tests)


def build_full_wheel(out_dir: Path, tests: dict[str, dict[str, str]]) -> Path:
    """Build the full wganlab wheel (the graders') from a copy of this checkout with ``tests`` as package data."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    src = out_dir / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "public_tests")
    shutil.copytree(REPO_ROOT / "wganlab", src / "wganlab", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO_ROOT / name, src / name)
    for assignment, questions in tests.items():
        folder = src / "wganlab" / "public_tests" / assignment
        folder.mkdir(parents=True)
        for question, source in questions.items():
            (folder / f"{question}.py").write_text(source, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out_dir), str(src)],
        capture_output=True, text=True)
    wheels = sorted(out_dir.glob("wganlab-*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        raise HandoutError(f"building the wganlab wheel failed:\n{proc.stderr[-2000:]}")
    shutil.rmtree(src)
    return wheels[0]


def instructor_only(member: str) -> bool:
    """True for a wheel member (a path like 'wganlab/course/build.py') that the student wheel leaves out."""
    if member in STUDENT_COURSE_MODULES:
        return False
    return any(member == p or (p.endswith("/") and member.startswith(p)) for p in INSTRUCTOR_ONLY)


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return f"{name},sha256={digest},{len(data)}"


def derive_student_wheel(full: Path, out: Path) -> Path:
    """Write ``out``: the wheel ``full`` without its instructor-only members, RECORD rewritten.

    Deterministic: every kept entry keeps its bytes, order and zip metadata, and RECORD lists
    each kept file with its sha256 and size (PEP 376/427), itself last without a hash.
    """
    def write(tmp: Path) -> None:
        with zipfile.ZipFile(full) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            records = [n for n in src.namelist() if n.endswith(".dist-info/RECORD")]
            if len(records) != 1:
                raise HandoutError(f"{full} is not a wheel: it has {len(records)} .dist-info/RECORD files")
            kept = [i for i in src.infolist() if i.filename != records[0] and not instructor_only(i.filename)]
            lines = []
            for info in kept:
                data = src.read(info.filename)
                dst.writestr(info, data)
                if not info.is_dir():
                    lines.append(_record_line(info.filename, data))
            lines.append(f"{records[0]},,")
            dst.writestr(src.getinfo(records[0]), ("\n".join(lines) + "\n").encode("utf-8"))

    out.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(out, write)


def replace_in_zip(archive: Path, member: str, data: bytes) -> None:
    """Replace ``member`` of the zip ``archive`` by ``data``, keeping every other entry as it is."""
    def write(tmp: Path) -> None:
        with zipfile.ZipFile(archive) as old, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as new:
            if member not in old.namelist():
                raise HandoutError(f"{archive} has no {member}")
            for info in old.infolist():
                new.writestr(info, data if info.filename == member else old.read(info.filename))

    atomic_write(archive, write)


def _run_times(name: str) -> str:
    if not RUN_TIMES.is_file():
        return "Not measured for this build."
    measured = json.loads(RUN_TIMES.read_text()).get(name)
    if not measured:
        return "Not measured for this build."
    slowest = max(measured["cells"], key=lambda c: c["seconds"])
    total = measured["total_s"]
    took = f"{total:.0f} s" if total < 90 else f"{total / 60:.0f} minutes"
    return (f"Top to bottom, with the reference solutions, about {took} on "
            f"{measured['machine']} ({measured['date']}); the slowest cell took {slowest['seconds']:.0f} s. "
            "Each training cell prints its number of steps, the same on every device, so the figures "
            "in the notebook's text hold for your run; a GPU only makes the cells faster (not timed here).")


def readme(name: str, wheel: str) -> str:
    """The hand-out's README.md for assignment ``name`` with wheel file name ``wheel``."""
    data = DATA.get(name, "None: this notebook makes its own data.")
    return f"""# {TITLES.get(name, name)}

This folder is your hand-out: `{name}.ipynb` (the assignment), `{wheel}` (the `wganlab`
library the notebook imports) and this README.

## Install, once

The one install line, the same everywhere:

    pip install "{wheel}[student]"

It brings wganlab, Keras, TensorFlow (unless one is already installed, as on Colab) and the
grader otter-grader.

**On your computer** (Python 3.11, 3.12 or 3.13), in a terminal in this folder:

    python3 -m venv .venv
    source .venv/bin/activate            # Windows: .venv\\Scripts\\activate
    pip install "{wheel}[student]" jupyterlab
    jupyter lab {name}.ipynb

**On Google Colab**: *File > Upload notebook* and pick `{name}.ipynb`; then open the Files
panel (folder icon, left) and upload `{wheel}` into it. The notebook's Setup cell runs the
install line for you. Colab removes uploaded files when it recycles the runtime: upload the wheel
again after that.

## Work

Run the Setup cell first, then work top to bottom. Write each function where the notebook says
`...`, then run its `grader.check("...")` cell: the public tests there check the basics; more
tests run when your work is graded. Keep the function names and arguments as given.

## Data

{data}

## Run times

{_run_times(name)}

## Submit

Save the notebook, then run the Submit cell at its end. It runs the public tests once more.

- **Jupyter**: the cell writes `{name}_<date and time>.zip` beside the notebook. Upload that zip.
- **Colab**: Colab cannot write the zip, and the cell says so. Download the notebook with
  *File > Download > Download .ipynb* and upload the `.ipynb`: it is graded exactly like the zip.
"""


def write_handout(name: str, student_notebook: Path, wheel: Path, out: Path) -> Path:
    """Write ``out/NAME/`` (notebook, wheel, README.md) and ``out/NAME.zip``; return the zip."""
    folder = Path(out) / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copyfile(student_notebook, folder / f"{name}.ipynb")
    shutil.copyfile(wheel, folder / wheel.name)
    (folder / "README.md").write_text(readme(name, wheel.name), encoding="utf-8")
    archive = Path(out) / f"{name}.zip"
    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.iterdir()):
                zf.write(path, f"{name}/{path.name}")

    return atomic_write(archive, write)


def finish(names: list[str], dist: Path, assignments: Path, wheel: Path) -> dict[str, Path]:
    """After otter assign: the full wheel (public tests of every built student notebook) into each
    zip built now, the student wheel into a hand-out per name; returns ``{name: hand-out zip}``."""
    tests = {}
    for notebook in sorted(Path(assignments).glob("*.ipynb")):
        tests[notebook.stem] = public_tests_of(notebook)
    full = build_full_wheel(Path(dist) / "build" / "wheel-full", tests)
    if full.name != wheel.name:
        raise HandoutError(f"wheel {full.name} differs in name from {wheel.name}")
    # Same file name, so that the install line and the notebooks' Setup cell are the same for both.
    student_wheel = derive_student_wheel(full, Path(dist) / "build" / "wheel-student" / full.name)
    out = {}
    for name in names:
        replace_in_zip(Path(dist) / "autograder" / f"{name}.zip", f"files/{wheel.name}", full.read_bytes())
        out[name] = write_handout(name, Path(assignments) / f"{name}.ipynb", student_wheel, Path(dist) / "student")
    return out
