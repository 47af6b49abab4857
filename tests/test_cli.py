"""The command line: outputs of the cheap commands and clear errors for bad input."""

import csv
import subprocess
import sys

import pytest

from wganlab import cli


def test_python_dash_m_works_like_the_script():
    out = subprocess.run([sys.executable, "-m", "wganlab", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("build", "grade", "train", "estimate", "prepare-celeba", "demo", "bench"):
        assert command in out.stdout


def test_estimate_writes_png_and_csv(tmp_path):
    assert cli.main(["estimate", "--family", "parallel_lines", "--thetas=-1:1:3", "--critic", "gp",
                     "--steps", "30", "--out", str(tmp_path)]) == 0
    with open(tmp_path / "estimate.csv") as f:
        rows = list(csv.DictReader(f))
    assert [float(r["theta"]) for r in rows] == [-1.0, 0.0, 1.0]
    assert [float(r["exact"]) for r in rows] == [1.0, 0.0, 1.0]
    assert (tmp_path / "estimate.png").stat().st_size > 1000


@pytest.mark.parametrize("argv, message", [
    (["estimate", "--family", "parallel_lines", "--thetas", "1:2", "--out", "x"], "A:B:N"),
    (["estimate", "--family", "nope", "--thetas", "0:1:3", "--out", "x"], "unknown family"),
    (["build", "99"], "unknown assignment"),
    (["grade", "--assignment", "05_nothing", "--out", "x", "a.ipynb"], "unknown assignment"),
    (["prepare-celeba", "/no/such/celeba.zip", "--out", "x.npz", "--n", "5"], "/no/such/celeba.zip"),
    (["train", "--data", "celeba", "--celeba", "/no/such.npz", "--out", "x"], "prepare-celeba"),
])
def test_bad_input_exits_2_with_a_clear_message(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.npz").exists()


def test_grade_without_a_built_zip_says_how_to_build(tmp_path):
    from wganlab.course import grading

    with pytest.raises(grading.GradingError, match="wganlab build 01_divergences"):
        grading.grade("01_divergences", [tmp_path / "a.ipynb"], tmp_path / "out", dist=tmp_path / "dist")
    assert not (tmp_path / "out").exists()
