"""``wganlab bench``: it runs, and its CSV keeps the contract. No timing assertions: speed belongs
in the benchmark (NOTES.md), not in tests on a shared machine."""

import csv
import math

import keras
import pytest

from wganlab import bench, cli

CONTRACT = ["workload", "backend", "variant", "batch", "steps_per_s"]
VARIANTS = ["compiled", "eager", "keras_fit_baseline"]


# 27 s on a quiet 2-core CPU, the slowest test of `make test-fast`: the TensorFlow stage of
# `make test` (CI) still runs it.
@pytest.mark.slow
def test_bench_writes_the_contract_csv(tmp_path, capsys):
    # The CLI end to end on every workload with a tiny schedule: 2 warm-up steps, one
    # calibration step and one timed repeat of about one step per variant.
    out = tmp_path / "bench" / "bench.csv"
    status = cli.main(["bench", "--out", str(out), "--batch", "8", "--repeats", "1", "--seconds", "0.01",
                       "--celeba-size", "32", "--variants", ",".join(VARIANTS)])
    assert status == 0
    printed = capsys.readouterr().out
    assert "compiled/eager" in printed and "compiled/baseline" in printed
    assert "random uniform images" in printed  # no --celeba cache: the table says so

    with open(out, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [dict(zip(header, values)) for values in reader]
    assert header[:5] == CONTRACT
    assert [(r["workload"], r["variant"]) for r in rows] == [
        (w, v) for w in bench.WORKLOADS for v in VARIANTS]
    for r in rows:
        assert r["backend"] == keras.backend.backend()
        assert r["batch"] == "8"
        rate = float(r["steps_per_s"])
        assert math.isfinite(rate) and rate > 0, r
    assert {r["image_size"] for r in rows if r["workload"] == "celeba_wgan_gp"} == {"32"}
    assert sorted(p.name for p in out.parent.iterdir()) == ["bench.csv"]  # no temporary left


def test_unmeasured_cells_are_nan_with_a_reason_and_ratios_use_the_same_run(tmp_path):
    rows = [bench.Row("mnist_wgan_gp", "jax", "compiled", 64, 120.0, 110.0, 125.0, 200, 5, 28, "d"),
            bench.Row("mnist_wgan_gp", "jax", "eager", 64, 3.0, 2.9, 3.1, 6, 5, 28, "d"),
            bench.Row("mnist_wgan_gp", "jax", "keras_fit_baseline", 64, math.nan, note="not measured: why")]
    path = bench.write_csv(rows, tmp_path / "b.csv")
    with open(path, newline="") as f:
        written = list(csv.DictReader(f))
    assert [r["steps_per_s"] for r in written] == ["120", "3", "nan"]
    assert written[2]["note"] == "not measured: why"
    table = bench.format_table(rows)
    ratios = [line.split() for line in table.splitlines() if line.startswith("mnist_wgan_gp ")]
    assert ["mnist_wgan_gp", "64", "40", "nan", "nan"] in ratios  # compiled/eager = 120 / 3
    assert "not measured: why" in table


@pytest.mark.parametrize("argv", [["--workloads", "imagenet"], ["--variants", "compiled,jitted"]])
def test_unknown_workloads_and_variants_are_refused(tmp_path, argv):
    with pytest.raises(SystemExit) as exc:
        cli.main(["bench", "--out", str(tmp_path / "x.csv"), *argv])
    assert exc.value.code == 2
    assert not (tmp_path / "x.csv").exists()
