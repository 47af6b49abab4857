"""The command line: outputs of the cheap commands and clear errors for bad input."""

import csv
import os
import re
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


def test_train_reads_celeba_from_where_prepare_celeba_writes_it(tmp_path, monkeypatch):
    """Without --out and --celeba, `prepare-celeba` and `train --data celeba` agree on one file."""
    from PIL import Image

    from wganlab import commands

    src = tmp_path / "img_align_celeba"
    src.mkdir()
    for i in range(3):
        Image.new("RGB", (89, 109), (40 * i, 90, 200)).save(src / f"{i + 1:06d}.jpg")
    monkeypatch.setenv("WGANLAB_CACHE", str(tmp_path / "cache"))
    assert cli.main(["prepare-celeba", str(src), "--n", "3"]) == 0
    assert (tmp_path / "cache" / "celeba_gray32.npz").is_file()
    seen = {}
    monkeypatch.setattr(commands, "train_and_report", lambda kind, real, *rest: seen.setdefault("real", real))
    assert cli.main(["train", "--data", "celeba", "--out", str(tmp_path / "out")]) == 0
    assert seen["real"].shape == (3, 32, 32, 1)


@pytest.mark.parametrize("data", ["mnist", "8gaussians"])
def test_train_summary_reports_w1_and_on_digits_the_feature_fd(data, tmp_path, monkeypatch, capsys):
    """`wganlab train` prints pixel W1 beside the classifier-feature FD of the same 500 samples (digits only)."""
    from wganlab import metrics

    scored = []

    def fd(fake, real, classifier=None):  # the metric itself is tested in test_metrics.py
        scored.append((fake.shape, real.shape))
        return 12.345

    monkeypatch.setattr(metrics, "digit_frechet_distance", fd)
    out = tmp_path / "out"
    assert cli.main(["train", "--kind", "wgan", "--data", data, "--steps", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "exact W1(500 generated, 500 real) = " in printed and (out / "samples.png").is_file()
    if data == "mnist":
        assert scored == [((500, 28, 28, 1), (500, 28, 28, 1))]
        assert "digit-feature FD = 12.35;" in printed
    else:
        assert scored == [] and "FD" not in printed


# What TensorFlow's C++ logging and absl print (e.g. "I0000 00:00:17... cudart_stub.cc:31] Could not find cuda drivers").
CPP_LOG = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d|absl::InitializeLog|cuInit|cpu_feature_guard", re.MULTILINE)


@pytest.mark.slow
def test_demo_prints_no_tensorflow_cpp_log_lines(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}  # conftest sets it
    env["KERAS_BACKEND"] = "tensorflow"
    proc = subprocess.run([sys.executable, "-m", "wganlab", "demo", "--train-only", "--steps", "2",
                           "--out", str(tmp_path)], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "wgan_gp: 2 steps" in proc.stdout
    found = CPP_LOG.search(proc.stdout + proc.stderr)
    assert found is None, found.group(0)
