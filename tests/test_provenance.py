"""04's convergence question says what it trained on as information, never as a failed test case."""

from __future__ import annotations

import json
import os
import shutil
import zipfile

import pytest
from otter_tests import forget_checks

from wganlab.course import grading, protocol

ASSIGNMENT = "04_wgan_gp_celeba"
CACHE = "files/celeba_gray32.npz"


def _checks(folder, monkeypatch):
    monkeypatch.syspath_prepend(str(folder / "files"))
    forget_checks()
    import wganlab_checks

    return wganlab_checks


def test_faces_come_from_the_grading_machine_then_the_zip_then_mnist(test_files, tmp_path, monkeypatch):
    folder = test_files[ASSIGNMENT]
    checks = _checks(folder, monkeypatch)
    monkeypatch.delenv(checks.FACES_ENV, raising=False)
    shipped = (folder / CACHE).is_file()
    images, label = checks.faces_data()
    assert label == ("celeba" if shipped else "mnist") and images.shape[1:] == (32, 32, 1)
    if shipped:
        monkeypatch.setenv(checks.FACES_ENV, str(folder / CACHE))
        assert checks.faces_data()[1] == "celeba"
        snapshot = {"tests/wgan_gp_convergence.py": b""}
        note = protocol.faces_note(snapshot, {checks.FACES_ENV: str(folder / CACHE)})
        assert "from the grading machine's cache" in note and " 10000 " in note, note
    monkeypatch.setenv(checks.FACES_ENV, str(tmp_path / "missing.npz"))
    with pytest.raises(FileNotFoundError, match="names no file"):
        checks.faces_data()
    assert "names no file" in protocol.faces_note({"tests/wgan_gp_convergence.py": b""}, dict(os.environ))
    assert "trained on MNIST digits" in protocol.faces_note({"tests/wgan_gp_convergence.py": b""}, {})
    forget_checks()


def test_reference_graded_without_faces_fails_no_case_and_says_it_trained_on_digits(built, tmp_path, monkeypatch):
    monkeypatch.setenv("WGANLAB_FAST", "1")
    monkeypatch.delenv("WGANLAB_CELEBA", raising=False)
    result = built[ASSIGNMENT]
    no_faces = tmp_path / "no_faces.zip"
    with zipfile.ZipFile(result.autograder_zip) as src, zipfile.ZipFile(no_faces, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != CACHE:
                dst.writestr(item, src.read(item))
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copyfile(result.reference_notebook, folder / "reference.ipynb")
    rows = grading.grade(ASSIGNMENT, [folder], tmp_path / "out", timeout=900, autograder=no_faces)
    assert rows[0].error == "" and rows[0].total == sum(grading.zip_points(no_faces).values()), rows[0]
    results = json.loads((tmp_path / "out" / "results" / "reference.json").read_text())
    assert all(t.get("status", "passed") == "passed" and "❌" not in t.get("output", "") for t in results["tests"]), results
    assert "wgan_gp_convergence trained on MNIST digits" in results["output"]
