"""A student's two ways of working, from the hand-out alone, graded by ``wganlab grade``.

Local Jupyter: the hand-out zip unpacked into an empty folder, the stubs filled with the
reference, the notebook run top to bottom in a kernel started in that folder (wganlab imported
from the hand-out's wheel, never from this checkout: the kernel's interpreter drops this venv's
editable-install finder, as tests/test_student_wheel.py does, so a module the students' wheel
lacks fails to import there as it would for a student), its Submit cell writing the zip that is graded.

Colab: the same filled notebook in a kernel that otter-grader takes for Google Colab's (otter
decides from ``str(get_ipython())``), in a folder without the notebook file, as on Colab; every
check cell passes and the downloaded ``.ipynb`` grades full marks.

Training runs with WGANLAB_FAST; ``tools/cell_times.py`` runs the default schedules.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from test_student_wheel import ONLY_THE_WHEEL

from wganlab.course import grading, notebook_run
from wganlab.course.functions import questions

pytestmark = pytest.mark.slow
FAST = {"WGANLAB_FAST": "1"}
# What TensorFlow's C++ logging and absl print (e.g. "I0000 00:00:17... port.cc:153] oneDNN ...")
CPP_LOG = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d|absl::InitializeLog|remapper failed", re.MULTILINE)


def _unpack(built, name, folder: Path) -> Path:
    with zipfile.ZipFile(built[name].handout) as zf:
        zf.extractall(folder)
    return folder / name


def _filled(built, name, folder: Path) -> dict:
    student = json.loads((folder / f"{name}.ipynb").read_text())
    reference = json.loads(built[name].reference_notebook.read_text())
    nb = notebook_run.fill_with_reference(student, reference)
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                        "source": "import importlib.util, wganlab\nprint('wganlab from', wganlab.__file__)\n"
                                  "print('instructors tooling importable:', importlib.util.find_spec('wganlab.bench') "
                                  "is not None)"})
    return nb


def _only_the_wheel(tmp_path: Path, wheel: Path) -> list[Path]:
    """The kernel's pythonpath: a sitecustomize, then the hand-out's wheel. This venv's editable
    install of the checkout answers for any wganlab module the wheel lacks (a finder that a .pth
    file installs at start-up); the sitecustomize runs after the .pth files and drops it, in the
    kernel and in every Python it starts, as tests/test_student_wheel.py does for ``python -c``."""
    folder = tmp_path / "only-the-wheel"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(ONLY_THE_WHEEL)
    return [folder, wheel]


def _assert_clean_run(nb: dict, name: str, wheel: Path) -> str:
    text = notebook_run.outputs_text(nb)
    assert "Traceback" not in text, text[-3000:]
    assert not CPP_LOG.search(text), CPP_LOG.search(text).group(0)
    assert f"wganlab from {wheel}" in text, "the kernel imported wganlab from somewhere else than the hand-out"
    assert "instructors tooling importable: False" in text, "the kernel can import this checkout's modules"
    for question in questions(name):
        assert f"{question} results: All test cases passed!" in text, question
    return text


def _assert_full_marks(name: str, submission: Path, built, out: Path, monkeypatch) -> None:
    monkeypatch.setenv("WGANLAB_FAST", "1")
    dist = built[name].autograder_zip.parents[1]
    [row] = grading.grade(name, [submission], out, jobs=1, timeout=600, dist=dist)
    points = grading.zip_points(built[name].autograder_zip)
    assert row.error == "", row.error
    assert row.total == pytest.approx(sum(points.values())), row.scores


@pytest.mark.parametrize("name", ["01_divergences", "03_gan_vs_wgan_mnist"])
def test_local_jupyter_from_the_handout_exports_a_zip_that_grades_full_marks(built, name, tmp_path, monkeypatch):
    folder = _unpack(built, name, tmp_path / "student")
    wheel = next(folder.glob("wganlab-*.whl"))
    nb = _filled(built, name, folder)
    (folder / f"{name}.ipynb").write_text(json.dumps(nb), encoding="utf-8")  # the student saved it

    ran = notebook_run.run(nb, folder, pythonpath=_only_the_wheel(tmp_path, wheel), env=FAST)

    text = _assert_clean_run(ran, name, wheel)
    zips = sorted(folder.glob(f"{name}_*.zip"))
    assert len(zips) == 1, sorted(p.name for p in folder.iterdir())
    assert f"Wrote {zips[0].name}" in text
    assert not (folder / "tests").exists(), "outside Colab the tests stay in the notebook's metadata"
    _assert_full_marks(name, zips[0], built, tmp_path / "graded", monkeypatch)


# 04: the notebook with the most setup (data fallback, training); 01 is covered locally.
@pytest.mark.parametrize("name", ["04_wgan_gp_celeba"])
def test_colab_kernel_runs_checks_and_the_downloaded_notebook_grades_full_marks(built, name, tmp_path, monkeypatch):
    folder = _unpack(built, name, tmp_path / "handout")
    wheel = next(folder.glob("wganlab-*.whl"))
    nb = _filled(built, name, folder)
    runtime = tmp_path / "content"  # Colab's working folder: the wheel was uploaded, the notebook is not there
    runtime.mkdir()
    env = {**FAST, "WGANLAB_CACHE": str(tmp_path / "cache")}

    ran = notebook_run.run(nb, runtime, pythonpath=_only_the_wheel(tmp_path, wheel), env=env, colab=True)

    text = _assert_clean_run(ran, name, wheel)
    assert sorted(p.stem for p in (runtime / "tests").glob("*.py")) == sorted(questions(name))
    assert "File > Download > Download .ipynb" in text
    assert not list(runtime.glob("*.zip"))
    if name.startswith("04"):
        assert "NO CELEBA CACHE at" in text and "wganlab prepare-celeba path/to/img_align_celeba.zip" in text
    downloaded = tmp_path / "download" / f"{name}.ipynb"
    downloaded.parent.mkdir()
    downloaded.write_text(json.dumps(ran), encoding="utf-8")
    _assert_full_marks(name, downloaded, built, tmp_path / "graded", monkeypatch)
