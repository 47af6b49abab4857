"""``wganlab grade`` interrupted and resumed, through the real command, the real zip and otter.

A run killed with SIGKILL after its first results file landed leaves only whole results files and
no otter run behind; rerunning the same command grades only what is missing, and its gradebook
equals an uninterrupted run's (the session's grading of the same files, fixture ``corpus`` in
tests/conftest.py). ``--regrade`` grades again what a rerun skips. SIGINT and SIGTERM stop a run at
once, its otter runs included, with no results file for the submission in flight. The gradebook's
columns come from ``--assignment``, checked against the zip, whatever the zip is called.
Assignment 01 (no training) and a few submissions keep this cheap.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import submissions
from wganlab import cli
from wganlab.course import grading, results as results_file
from wganlab.course.functions import questions

ROOT = Path(__file__).resolve().parents[1]
CASES = {case.name: case for case in submissions.CASES}


def _processes_mentioning(text: str) -> list[int]:
    """Pids of live processes whose command line contains ``text``."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if text in (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    pids.append(int(proc.name))
            except OSError:
                pass
    return pids


def _wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds:.0f} s for {what}")
        time.sleep(0.2)
    return found


def _start_grade(args: list[str], log: Path) -> subprocess.Popen:
    """`python -m wganlab grade ARGS` in its own process group, output into ``log``."""
    with open(log, "w") as out:
        return subprocess.Popen([sys.executable, "-m", "wganlab", "grade", *args], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)


def _copy_cases(corpus, names, folder: Path) -> Path:
    """``folder`` with the corpus's own files of ``names`` (the same bytes it graded)."""
    folder.mkdir(parents=True)
    for name in names:
        shutil.copyfile(corpus.folder / CASES[name].file_name(), folder / CASES[name].file_name())
    return folder


@pytest.fixture
def class_folder(corpus, built, tmp_path):
    """(folder of 2 submissions from the corpus: reference, raises; a private copy of 01's zip)."""
    result = built[submissions.ASSIGNMENT]
    folder = _copy_cases(corpus, ("reference", "raises"), tmp_path / "submissions")
    zip_copy = tmp_path / "zip" / "01_divergences.zip"  # its path marks this test's otter runs in `ps`
    zip_copy.parent.mkdir()
    shutil.copyfile(result.autograder_zip, zip_copy)
    return folder, zip_copy


@pytest.mark.slow
def test_sigkill_part_way_then_resume_ends_with_the_uninterrupted_gradebook(class_folder, corpus, tmp_path, capsys):
    folder, zip_copy = class_folder
    out = tmp_path / "out"
    args = ["--assignment", "01", "--autograder", str(zip_copy), "--timeout", "300", "--out", str(out), str(folder)]
    otter = f"otter run -a {zip_copy}"
    proc = _start_grade(args, tmp_path / "first.log")  # one at a time: the kill finds one done, one in flight
    try:
        _wait_until(lambda: list((out / "results").glob("[!.]*.json")) if (out / "results").is_dir() else [],
                    300, "the first results file")
        _wait_until(lambda: _processes_mentioning(otter), 60, "the second submission's otter run")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the grader's whole group, as a killed job or a closed terminal
        proc.wait()
    # The otter runs have sessions of their own: the watchdog ends the one in flight.
    _wait_until(lambda: not _processes_mentioning(otter), 30, "the orphaned otter run to end")
    landed = [p for p in (out / "results").iterdir() if not p.name.startswith(".")]  # "." a cut-short temporary
    assert len(landed) == 1 and "wganlab" in results_file.read(landed[0]), "a missing or half-written results file"
    mtime = landed[0].stat().st_mtime_ns
    assert not (out / "gradebook.csv").exists()

    capsys.readouterr()
    assert cli.main(["grade", *args]) == 0
    printed = capsys.readouterr().out
    assert "1 of 2 submissions already graded" in printed and printed.count("[1/1] ") == 1, printed
    assert landed[0].stat().st_mtime_ns == mtime, f"{landed[0].name} was graded again"
    assert not [p.name for p in (out / "results").iterdir() if p.name.startswith(".")]
    resumed = (out / "gradebook.csv").read_text()

    # The uninterrupted run of the same two files (the corpus's, unsharded, two jobs) gave these rows.
    with open(out / "gradebook.csv", newline="") as f:
        assert list(csv.reader(f)) == corpus.gradebook_rows(["raises", "reference"])
    rows = {r["submission"]: r for r in csv.DictReader(resumed.splitlines())}
    assert sorted(rows) == ["raises", "reference"]
    assert float(rows["reference"]["total"]) == float(rows["reference"]["max_total"]) == 12
    assert float(rows["raises"]["wasserstein_1d"]) == 0 < float(rows["raises"]["total"])


def test_a_rerun_skips_what_is_graded_and_regrade_grades_it_again(corpus, built, tmp_path, capsys):
    """Two submissions refused before otter runs (cheap), each with its results file: a rerun
    reads them, ``--regrade`` writes them again; the gradebook is the same each time."""
    folder = _copy_cases(corpus, ("not_a_notebook", "zip_without_notebook"), tmp_path / "submissions")
    out = tmp_path / "out"
    args = ["grade", "--assignment", "01", "--autograder", str(built[submissions.ASSIGNMENT].autograder_zip),
            "--out", str(out), str(folder)]
    assert cli.main(args) == 0
    first = (out / "gradebook.csv").read_text()
    landed = sorted((out / "results").glob("*.json"))
    assert [p.name for p in landed] == ["not_a_notebook.json", "zip_without_notebook.json"]
    mtimes = [p.stat().st_mtime_ns for p in landed]
    capsys.readouterr()
    time.sleep(0.01)  # a rewrite gets another modification time

    assert cli.main(args) == 0
    printed = capsys.readouterr().out
    assert "2 of 2 submissions already graded" in printed and "[1/" not in printed, printed
    assert [p.stat().st_mtime_ns for p in landed] == mtimes, "a rerun graded them again"
    assert (out / "gradebook.csv").read_text() == first

    assert cli.main([*args, "--regrade"]) == 0
    printed = capsys.readouterr().out
    assert "already graded" not in printed and printed.count("[2/2] ") == 1, printed
    assert all(p.stat().st_mtime_ns != m for p, m in zip(landed, mtimes)), "--regrade did not grade them again"
    assert (out / "gradebook.csv").read_text() == first
    with open(out / "gradebook.csv", newline="") as f:
        assert list(csv.reader(f)) == corpus.gradebook_rows(["not_a_notebook", "zip_without_notebook"])


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_sigint_and_sigterm_stop_the_otter_runs_and_write_nothing_for_them(built, tmp_path, signum):
    result = built[submissions.ASSIGNMENT]
    folder = tmp_path / "submissions"
    folder.mkdir()
    CASES["infinite_loop"].write(folder, json.loads(result.reference_notebook.read_text()),
                                             json.loads(result.student_notebook.read_text()))
    zip_copy = tmp_path / "01_divergences.zip"
    shutil.copyfile(result.autograder_zip, zip_copy)
    out = tmp_path / "out"
    proc = _start_grade(["--assignment", "01", "--autograder", str(zip_copy), "--timeout", "300", "--out", str(out),
                         str(folder)], tmp_path / "log")
    try:
        _wait_until(lambda: _processes_mentioning(f"otter run -a {zip_copy}"), 120, "otter to start")
        started = time.monotonic()
        proc.send_signal(signum)
        assert proc.wait(timeout=60) == 128 + signum
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    log = (tmp_path / "log").read_text()
    assert f"interrupted by {signal.Signals(signum).name} after grading 0 of 1" in log, log
    assert "rerun the same command" in log and "Traceback" not in log, log
    assert time.monotonic() - started < 60
    assert not _processes_mentioning(str(zip_copy))
    assert list((out / "results").iterdir()) == [] and not (out / "gradebook.csv").exists()


def _renamed(zip_path: Path, to: Path) -> Path:
    shutil.copyfile(zip_path, to)
    return to


def test_gradebook_columns_follow_the_assignment_whatever_the_zip_is_called(built, tmp_path):
    """Issue 22: the order came from the zip's file name, so a renamed zip sorted them alphabetically."""
    renamed = _renamed(built[submissions.ASSIGNMENT].autograder_zip, tmp_path / "course-2026-hw1.zip")
    essay = tmp_path / "essay.txt"  # refused before otter runs: the gradebook is still written
    essay.write_text("not a submission")
    grading.grade("01", [essay], tmp_path / "out", autograder=renamed)
    with open(tmp_path / "out" / "gradebook.csv") as f:
        header = next(csv.reader(f))
    assert header == [*grading.BASE_COLUMNS, *questions(submissions.ASSIGNMENT)]
    assert header[4:] != sorted(header[4:])  # the alphabetical order would differ


def test_an_assignment_that_disagrees_with_the_zip_is_refused(built, tmp_path, capsys):
    renamed = _renamed(built[submissions.ASSIGNMENT].autograder_zip, tmp_path / "hw.zip")
    essay = tmp_path / "essay.txt"
    essay.write_text("x")
    assert cli.main(["grade", "--assignment", "02", "--autograder", str(renamed), "--out", str(tmp_path / "out"),
                     str(essay)]) == 2
    err = capsys.readouterr().err
    assert "--assignment 02_critic_estimator grades critic_loss, clip_weights, estimator" in err, err
    assert "example1_distances, js_divergence, kl_divergence, wasserstein_1d" in err and "another assignment" in err
    assert not (tmp_path / "out").exists()
    extra = tmp_path / "extra.zip"  # 01's zip with one more test file: no longer 01's questions
    with zipfile.ZipFile(renamed) as src, zipfile.ZipFile(extra, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("tests/bonus.py", src.read("tests/kl_divergence.py"))
    with pytest.raises(grading.GradingError, match="holds tests for bonus, "):
        grading.grade("01", [essay], tmp_path / "out", autograder=extra)


def test_a_mistyped_folder_is_refused_before_anything_is_written(built, tmp_path, capsys):
    assert cli.main(["grade", "--assignment", "01", "--autograder", str(built[submissions.ASSIGNMENT].autograder_zip),
                     "--out", str(tmp_path / "out"), str(tmp_path / "submisions")]) == 2
    assert "no such folder or submission: " in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
