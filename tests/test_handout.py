"""The student hand-out: what it holds, that nothing hidden reaches it, one install line, one
CelebA cache location."""

import io
import json
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
from test_build import _solution_lines

from wganlab import cli, data, student
from wganlab.course.functions import ASSIGNMENTS, REPO_ROOT

NAMES = list(ASSIGNMENTS)
# Solution lines the library may hold, with why. The interpolation is the formula assignment 4's
# task states; wganlab/estimator.py's one-sided penalty (assignment 2's library code) uses it.
# Lines a solution shares with the library: the interpolation (wganlab.estimator), and the
# TensorFlow branch of wganlab.autodiff.input_gradients and the bench's Keras-fit baseline, which
# 04 explains after the student has written their own tape (issue 14: autodiff stays the tool).
ALLOWED = {"x_hat = alpha * real + (1.0 - alpha) * fake", "x = tf.convert_to_tensor(x)",
           "with tf.GradientTape() as tape:", "with tf.GradientTape(persistent=True) as tape:"}


def _wheel(built, name) -> Path:
    wheels = sorted((built[name].handout.parent / name).glob("wganlab-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _texts(built, name) -> dict[str, str]:
    """Every file a student receives, the wheel's members included, as text."""
    folder = built[name].handout.parent / name
    out = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.suffix != ".whl"}
    with zipfile.ZipFile(_wheel(built, name)) as zf:
        out.update({f"wheel:{n}": zf.read(n).decode("utf-8", "replace") for n in zf.namelist()})
    return out


def _hidden_test_names(built, name) -> list[str]:
    with zipfile.ZipFile(built[name].autograder_zip) as zf:
        sources = [zf.read(n).decode() for n in zf.namelist() if n.startswith("tests/")]
    return [m for s in sources for m in re.findall(r"hidden=True\)\s*\ndef (\w+)\(", s)]


@pytest.mark.parametrize("name", NAMES)
def test_handout_holds_notebook_wheel_and_readme(built, name):
    archive = built[name].handout
    assert archive == built[name].autograder_zip.parents[1] / "student" / f"{name}.zip"
    wheel = _wheel(built, name)
    with zipfile.ZipFile(archive) as zf:
        names = sorted(zf.namelist())
        notebook = zf.read(f"{name}/{name}.ipynb")
        wheel_bytes = zf.read(f"{name}/{wheel.name}")
    assert names == sorted([f"{name}/{name}.ipynb", f"{name}/README.md", f"{name}/{wheel.name}"])
    assert notebook == built[name].student_notebook.read_bytes()
    assert wheel_bytes == wheel.read_bytes()
    # Two wheels of one name: the graders' (full) and the students' (less the instructors' tooling,
    # tests/test_student_wheel.py); every file the students' holds is the full one's, byte for byte.
    with zipfile.ZipFile(built[name].autograder_zip) as zf:
        full = zf.read(f"files/{wheel.name}")
    assert full != wheel_bytes
    with zipfile.ZipFile(io.BytesIO(full)) as f, zipfile.ZipFile(wheel) as s:
        assert "wganlab/course/guard.py" in f.namelist() and "wganlab/course/guard.py" not in s.namelist()
        assert all(s.read(n) == f.read(n) for n in s.namelist() if not n.endswith("RECORD"))


@pytest.mark.parametrize("name", NAMES)
def test_handout_and_its_wheel_hold_nothing_hidden(built, name):
    texts = _texts(built, name)
    files = [Path(n.removeprefix("wheel:")).name for n in texts]
    assert not [n for n in texts if "wganlab_checks" in n] and "expected.json" not in files, files
    hidden = _hidden_test_names(built, name)
    assert hidden, "the autograder zip should have hidden tests"
    solutions = [s for n in NAMES for s in _solution_lines(REPO_ROOT / "solutions" / f"{n}.ipynb") if s not in ALLOWED]
    for where, text in texts.items():
        assert not [s for s in solutions if s in text], f"solution lines in {where}"
        assert not [h for h in hidden if re.search(rf"\b{h}\b", text)], f"hidden test names in {where}"
        if "public_tests/" in where:
            assert "hidden=True" not in text and "hidden=False" in text, where


@pytest.mark.parametrize("name", NAMES)
def test_wheel_carries_the_notebooks_public_tests(built, name):
    public = json.loads(built[name].student_notebook.read_text())["metadata"]["otter"]["tests"]
    with zipfile.ZipFile(_wheel(built, name)) as zf:
        shipped = {Path(n).stem: zf.read(n).decode() for n in zf.namelist()
                   if n.startswith(f"wganlab/public_tests/{name}/")}
    assert shipped == public


@pytest.mark.parametrize("name", NAMES)
def test_readme_and_first_cells_give_the_one_install_line(built, name):
    wheel = _wheel(built, name).name
    readme = (built[name].handout.parent / name / "README.md").read_text()
    assert f'pip install "{wheel}[student]"' in readme
    assert "File > Download > Download .ipynb" in readme and "Colab" in readme
    cells = json.loads(built[name].student_notebook.read_text())["cells"]
    code = [("".join(c["source"])) for c in cells if c["cell_type"] == "code"]
    assert '%pip install -q "{wheels[-1]}[student]"' in code[0]
    assert f'student.start("{name}")' in code[0] and "TF_CPP_MIN_LOG_LEVEL" in code[0]
    setup_text = next("".join(c["source"]) for c in cells if "".join(c["source"]).startswith("## Setup"))
    assert 'pip install "wganlab-<version>-py3-none-any.whl[student]"' in setup_text
    assert code[-1].strip() == f'student.submit(grader, "{name}")'
    assert not any("grader.export(" in c for c in code), "otter's export raises on Colab"


def test_student_extra_brings_otter_and_keeps_colabs_tensorflow():
    extras = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    student_extra = " ".join(extras["student"])
    assert "otter-grader[grading]==7.0.*" in student_extra
    # a range that a Colab TensorFlow (2.16 and later) satisfies, so pip keeps it
    assert re.search(r"tensorflow>=2\.16,<", student_extra) and "==" not in student_extra.split("tensorflow")[1]


def test_celeba_cache_is_one_place_for_notebook_cli_and_docs(tmp_path, monkeypatch, capsys):
    from PIL import Image

    monkeypatch.setenv("WGANLAB_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "img_align_celeba"
    src.mkdir()
    for i in range(3):
        Image.new("RGB", (178, 218), (i * 40, 90, 200)).save(src / f"{i:06d}.jpg")
    assert cli.main(["prepare-celeba", str(src), "--n", "3"]) == 0
    assert data.celeba_cache(32) == tmp_path / "cache" / "celeba_gray32.npz"
    assert data.load_celeba(data.celeba_cache(32)).shape == (3, 32, 32, 1)
    master = json.loads((REPO_ROOT / "solutions" / "04_wgan_gp_celeba.ipynb").read_text())
    sources = ["".join(c["source"]) for c in master["cells"]]
    command = "wganlab prepare-celeba path/to/img_align_celeba.zip"
    assert any("CELEBA = data.celeba_cache(32)" in s for s in sources)
    assert any(command in s and "~/.cache/wganlab/celeba_gray32.npz" in s for s in sources)
    from wganlab.course import handout

    assert command in handout.DATA["04_wgan_gp_celeba"]
    for doc in ("README.md", "datasets/README.md"):
        text = (REPO_ROOT / doc).read_text()
        assert "~/.cache/wganlab/celeba_gray32.npz" in text and "datasets/cache/celeba_gray32.npz" not in text, doc


def test_missing_celeba_cache_warning_gives_the_command(tmp_path, capsys):
    student.warn_missing_celeba(tmp_path / "celeba_gray32.npz")
    err = capsys.readouterr().err
    assert str(tmp_path / "celeba_gray32.npz") in err
    assert "wganlab prepare-celeba path/to/img_align_celeba.zip" in err


def test_start_outside_colab_writes_no_tests_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert not student.on_colab()
    student.start("01_divergences")
    assert not (tmp_path / "tests").exists()


def test_public_tests_of_an_unknown_assignment_say_what_to_install():
    with pytest.raises(FileNotFoundError, match="install the wheel from the hand-out"):
        student.public_tests("99_nothing")

