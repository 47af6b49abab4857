"""The notebooks' measured claims (docs/claims.py) hold on the committed sweeps, and the build fills them.

Fast: no training; the register reads the JSON files under docs/.
"""

import json
import shutil
import types
from pathlib import Path

import pytest

from wganlab.course import claims
from wganlab.course.functions import REPO_ROOT

REGISTER = claims.load_register()
MASTERS = sorted((REPO_ROOT / "solutions").glob("*.ipynb"))
STUDENT = sorted((REPO_ROOT / "assignments").glob("*.ipynb"))


def markdown(path: Path) -> list[tuple[int, str]]:
    """(cell index, text) of the notebook's markdown cells."""
    return [(i, "".join(c["source"])) for i, c in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"])
            if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("name", sorted(REGISTER.CLAIMS))
def test_claim_holds_on_the_committed_sweeps(name):
    holds, figures = REGISTER.evaluate(name)
    assert holds, f"{name} no longer holds on {REGISTER.CLAIMS[name].sources}: {figures}"
    assert figures and all(isinstance(v, str) and v for v in figures.values())


def test_every_claim_a_master_names_exists_and_every_claim_is_used():
    used = set()
    for master in MASTERS:
        for index, text in markdown(master):
            used |= claims.names_used(text)
            claims.fill(text, REGISTER, where=f"{master.name} cell {index}")  # unknown key or name raises
    assert used - set(REGISTER.CLAIMS) == set()
    assert set(REGISTER.CLAIMS) - used == set(), "claims no master uses: delete them or use them"


def test_sources_exist_and_are_measurements():
    for entry in REGISTER.CLAIMS.values():
        for source in entry.sources:
            assert (REPO_ROOT / "docs" / source).is_file(), f"{entry.name}: {source} is not under docs/"
            assert source.startswith("sweeps/") or source == "run_times.json"


@pytest.mark.parametrize("notebook", STUDENT, ids=lambda p: p.stem)
def test_student_notebook_has_no_placeholder_or_marker_left(notebook):
    for _, text in markdown(notebook):
        assert "{{" not in text and "<!-- claim" not in text, text[:200]


def _copy_docs(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    shutil.copytree(REPO_ROOT / "docs" / "sweeps", root / "sweeps")
    shutil.copyfile(REPO_ROOT / "docs" / "run_times.json", root / "run_times.json")
    return root


def _rewrite_rows(path: Path, change) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    path.write_text("".join(json.dumps(change(r)) + "\n" for r in rows))


def test_one_contradicting_row_fails_its_claim_and_the_build(tmp_path):
    """04's text says the penalised toy critic has the higher mode contrast in every seed."""
    root = _copy_docs(tmp_path)
    assert REGISTER.evaluate("04.toy_critics", root)[0]

    def lower_seed_2(row):
        if row["kind"] == "gp" and row["seed"] == 2:
            row["mode_contrast"] = 0.05  # below that seed's clipped critic (0.075)
        return row

    _rewrite_rows(root / "sweeps" / "toy_critics_8gaussians_3000steps_tf_cpu.jsonl", lower_seed_2)
    assert not REGISTER.evaluate("04.toy_critics", root)[0]
    against_copy = types.SimpleNamespace(CLAIMS=REGISTER.CLAIMS, evaluate=lambda n: REGISTER.evaluate(n, root))
    with pytest.raises(claims.ClaimError, match="04.toy_critics.*does not hold"):
        claims.fill("higher in {{04.toy_critics:higher}} seeds", against_copy)


def test_a_gan_that_stays_at_its_best_contradicts_late_instability(tmp_path):
    """03's text says the GAN with the WGAN's optimizer gets worse after its best checkpoint."""
    root = _copy_docs(tmp_path)

    def stays(row):
        if row.get("setting") == "gan_rmsprop" and row["digits"] == [1] and row["seed"] == 0:
            best = min(c["w1"] for c in row["checkpoints"])
            for c in row["checkpoints"][-3:]:
                c["w1"] = best
        return row

    _rewrite_rows(root / "sweeps" / "gan_wgan_2000steps_tf_cpu.jsonl", stays)
    assert REGISTER.evaluate("03.gan_late_instability")[0]
    assert not REGISTER.evaluate("03.gan_late_instability", root)[0]



@pytest.mark.parametrize("change", [
    {"confident": 0.9},  # a generator whose samples the classifier reads like real digits
    {"w1": 17.0},  # pixel W1 that did not fall after 900 steps
    {"histogram": [0.0] + [1 / 9] * 9},  # a digit never drawn
    {"seconds": 200.0},  # over three minutes
    {"load_1min": 8.0},  # timed on a loaded machine, not an idle one
])
def test_digits_that_look_otherwise_contradict_section_9(tmp_path, change):
    """04 section 9 says 38-40 % of the samples read as digits, W1 fell, every digit was drawn, within 3 idle minutes."""
    root = _copy_docs(tmp_path)
    assert REGISTER.evaluate("04.digits", root)[0]
    _rewrite_rows(root / "sweeps" / "dcgan_digits_mnist28_tf_cpu.jsonl",
                  lambda row: {**row, **change} if row["seed"] == 1 and row["steps"] == 1800 else row)
    assert not REGISTER.evaluate("04.digits", root)[0]


def test_a_digits_cell_over_three_minutes_in_the_notebook_contradicts_section_9(tmp_path):
    root = _copy_docs(tmp_path)
    times = json.loads((root / "run_times.json").read_text())
    cell = next(c for c in times["04_wgan_gp_celeba"]["cells"] if c["first_line"] == "import time")
    cell["seconds"] = 204.4  # what the 2,400-step cell took at the host's slow moment
    (root / "run_times.json").write_text(json.dumps(times))
    assert not REGISTER.evaluate("04.digits", root)[0]


def test_a_wgan_that_batch_norm_rescues_contradicts_section_5(tmp_path):
    """03 says batch norm in the generator helped the GAN's two-digit runs, not the WGAN's."""
    root = _copy_docs(tmp_path)
    assert REGISTER.evaluate("03.batch_norm", root)[0]
    both = [0.5, 0.5] + [0.0] * 8
    _rewrite_rows(root / "sweeps" / "batch_norm_2000steps_tf_cpu.jsonl",
                  lambda row: {**row, "histogram": both} if row["setting"] == "wgan_bn" and row["digits"] == [0, 1]
                  else row)
    assert not REGISTER.evaluate("03.batch_norm", root)[0]


def _fake_register(holds=True):
    entry = types.SimpleNamespace(sources=("sweeps/x.jsonl",))
    return types.SimpleNamespace(CLAIMS={"t.c": entry}, evaluate=lambda name: (holds, {"w1": "11.0–11.7"}))


def test_fill_replaces_figures_and_drops_markers():
    text = "W1 {{t.c:w1}} in every seed. <!-- claim: t.c -->\nNext line."
    assert claims.fill(text, _fake_register()) == "W1 11.0–11.7 in every seed.\nNext line."


@pytest.mark.parametrize("text, message", [
    ("{{t.nope:w1}}", "no claim named 't.nope'"),
    ("<!-- claim: t.nope -->", "no claim named 't.nope'"),
    ("{{t.c:w2}}", "has no figure 'w2'"),
    ("{{t.c w1}}", "left after filling"),
    ("<!-- claim t.c -->", "left after filling"),
])
def test_fill_refuses_what_the_register_cannot_back(text, message):
    with pytest.raises(claims.ClaimError, match=message):
        claims.fill(text, _fake_register(), where="master cell 3")


def test_fill_refuses_a_claim_that_does_not_hold():
    with pytest.raises(claims.ClaimError, match="master cell 3: claim 't.c' does not hold"):
        claims.fill("<!-- claim: t.c -->", _fake_register(holds=False), where="master cell 3")


def test_fill_notebook_fills_markdown_only(tmp_path):
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["W1 {{t.c:w1}}\n", "done"]},
                    {"cell_type": "code", "metadata": {}, "source": ["s = '{{t.c:w1}}'"], "outputs": [],
                     "execution_count": None}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "m.ipynb"
    path.write_text(json.dumps(nb))
    claims.fill_notebook(path, _fake_register())
    cells = json.loads(path.read_text())["cells"]
    assert "".join(cells[0]["source"]) == "W1 11.0–11.7\ndone"
    assert cells[1]["source"] == ["s = '{{t.c:w1}}'"]
