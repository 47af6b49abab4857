"""The command line: outputs of the cheap commands and clear errors for bad input."""

import csv
import subprocess
import sys

import pytest

from wganlab import cli


def test_python_dash_m_works_like_the_script():
    out = subprocess.run([sys.executable, "-m", "wganlab", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("build", "grade", "gradebook", "report", "train", "estimate", "prepare-celeba", "demo", "bench"):
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
    (["report", "--out", "x"], "no x/gradebook.csv: run `wganlab grade --out x"),
    (["report", "--out", ".", "--top", "0"], "--top must be at least 1"),
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


FAMILY_FILE = '''
import numpy as np


def tilted(theta, n, seed):
    """A segment tilted by theta: (n, 2)."""
    z = np.random.default_rng(seed).uniform(0.0, 1.0, n)
    return np.stack([theta * z, z], axis=1)


def wrong_shape(theta, n, seed):
    return np.zeros((3, n))


def two_args(theta, n):
    return np.zeros((n, 2))
'''


def test_estimate_takes_a_family_from_a_python_file(tmp_path):
    family = tmp_path / "my_family.py"
    family.write_text(FAMILY_FILE)
    out = tmp_path / "out"
    assert cli.main(["estimate", "--family", f"{family}:tilted", "--thetas=-1:1:3", "--critic", "gp",
                     "--steps", "20", "--out", str(out)]) == 0
    with open(out / "estimate.csv") as f:
        rows = list(csv.DictReader(f))
    assert [float(r["theta"]) for r in rows] == [-1.0, 0.0, 1.0]
    # Exact W by POT between the theta0 = 0 segment and the tilted ones: 0 at theta = 0 only.
    exact = [float(r["exact"]) for r in rows]
    assert exact[1] < 0.05 < min(exact[0], exact[2]), exact
    assert (out / "critics.png").stat().st_size > 1000 and (out / "estimate.png").stat().st_size > 1000


def test_estimate_writes_critic_contours_for_builtin_families(tmp_path):
    assert cli.main(["estimate", "--family", "shifted_gaussian", "--thetas=0:1:3", "--steps", "10",
                     "--out", str(tmp_path)]) == 0
    assert (tmp_path / "critics.png").stat().st_size > 1000


@pytest.mark.parametrize("spec, message", [
    ("{dir}/missing.py:tilted", "no such file"),
    ("{dir}/my_family.py:nope", "defines no 'nope'"),
    ("{dir}/my_family.py:wrong_shape", "shape (n, d)"),
    ("{dir}/my_family.py:two_args", "(theta, n, seed)"),
    ("{dir}/my_family.py:", "name the function"),
])
def test_estimate_family_file_errors_say_what_is_wrong(spec, message, capsys, tmp_path):
    (tmp_path / "my_family.py").write_text(FAMILY_FILE)
    out = tmp_path / "out"
    assert cli.main(["estimate", "--family", spec.format(dir=tmp_path), "--thetas=0:1:3", "--steps", "5",
                     "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    assert not out.exists()


def test_commands_that_need_no_grading_run_without_otter(tmp_path):
    """`wganlab estimate` (like train and bench) must not import otter: students install no grader."""
    code = ("import sys; sys.modules['otter'] = None; from wganlab.cli import main; "
            f"sys.exit(main(['estimate', '--family', 'parallel_lines', '--thetas=-1:1:3', '--steps', '2', "
            f"'--out', {str(tmp_path)!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "estimate.csv").is_file()


def test_user_errors_are_one_line_and_bugs_keep_their_traceback(monkeypatch, capsys):
    from wganlab import commands

    assert cli.main(["estimate", "--family", "parallel_lines", "--thetas", "nonsense", "--out", "/tmp/x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wganlab estimate: error: --thetas must look like A:B:N") and err.count("\n") == 1

    def bug(args):
        raise KeyError("an internal bug")

    monkeypatch.setattr(commands, "run_estimate", bug)
    with pytest.raises(KeyError, match="an internal bug"):
        cli.main(["estimate", "--family", "parallel_lines", "--thetas=-1:1:3", "--out", "/tmp/x"])
