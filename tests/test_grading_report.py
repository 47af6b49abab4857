"""The parts of class grading that need no otter run: results files and when they are current, the
watchdog, the progress lines, and ``wganlab report`` on a folder of results written here."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import subprocess
import sys
import time

import pytest

from wganlab import cli
from wganlab.course import grading, progress, report, results, watchdog

INPUTS = results.Inputs("a" * 64, "b" * 64, None, 600.0)


def test_results_are_current_only_for_the_same_bytes_zip_and_faces(tmp_path):
    path = tmp_path / "alice.json"
    results.write(path, {"tests": [{"name": "q - 1", "score": 2, "max_score": 3}]}, INPUTS, "")
    saved = results.read(path)
    assert results.is_current(saved, INPUTS)
    assert results.row_from(saved, "alice") == results.Row("alice", {"q": 2.0}, "")
    for changed in ({"submission_sha256": "c" * 64}, {"autograder_sha256": "c" * 64}, {"celeba_sha256": "c" * 64}):
        assert not results.is_current(saved, results.Inputs(**{**INPUTS.__dict__, **changed})), changed
    assert not results.is_current(saved, results.Inputs(None, "b" * 64, None, 600.0))  # the file is gone
    assert not results.is_current({"tests": []}, INPUTS)  # graded before results recorded their inputs
    assert not results.is_current(None, INPUTS)
    assert results.is_current(saved, results.Inputs(**{**INPUTS.__dict__, "timeout": 9000.0}))


def test_a_timed_out_result_is_stale_under_a_longer_timeout_only(tmp_path):
    path = tmp_path / "bob.json"
    results.write(path, results.error_results("timed out after 600 s while running code cell 3 of 9"), INPUTS,
                  "timed out after 600 s while running code cell 3 of 9")
    saved = results.read(path)
    assert results.row_from(saved, "bob").error.startswith("timed out") and results.row_from(saved, "bob").total == 0
    assert results.is_current(saved, INPUTS)
    assert not results.is_current(saved, results.Inputs(**{**INPUTS.__dict__, "timeout": 1200.0}))


def test_unreadable_results_read_as_none(tmp_path):
    (tmp_path / "cut.json").write_text('{"tests": [')
    (tmp_path / "list.json").write_text("[]")
    assert results.read(tmp_path / "cut.json") is None and results.read(tmp_path / "list.json") is None
    assert results.read(tmp_path / "absent.json") is None


def test_orphan_temporaries_of_dead_writers_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp_path / f".alice.json.{dead.pid}.0123abcd.tmp.json"
    live = tmp_path / f".bob.json.{1}.89abcdef.tmp.json"  # pid 1 is alive
    for path in (orphan, live, tmp_path / "carol.json"):
        path.write_text("{}")
    grading._remove_orphan_temporaries(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, "carol.json"])


def test_watchdog_kills_the_groups_still_listed_when_its_input_ends():
    sleepers = [subprocess.Popen(["sleep", "60"], start_new_session=True) for _ in range(2)]
    try:
        killed = watchdog.watch([f"+{sleepers[0].pid}\n", f"+{sleepers[1].pid}\n", f"-{sleepers[1].pid}\n", "noise\n"])
        assert killed == {sleepers[0].pid}
        assert sleepers[0].wait(timeout=10) == -9
        assert sleepers[1].poll() is None
    finally:
        for proc in sleepers:
            proc.kill()
            proc.wait()


def test_children_watchdog_outlives_a_sigkilled_grader():
    """A grader killed with SIGKILL runs no code: its watchdog still ends the otter run it had started."""
    code = ("import subprocess, sys, time\n"
            "from wganlab.course.watchdog import Children\n"
            "children = Children()\n"
            "proc = subprocess.Popen(['sleep', '60'], start_new_session=True)\n"
            "children.started(proc)\n"
            "print(proc.pid, flush=True)\n"
            "time.sleep(60)\n")
    grader = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    sleeper = int(grader.stdout.readline())
    grader.kill()
    grader.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(sleeper):
        time.sleep(0.1)
    assert not _alive(sleeper), "the otter run outlived its grader"


def _alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_progress_prints_one_line_per_submission_and_no_bar_off_a_terminal():
    out, bar = io.StringIO(), io.StringIO()
    with progress.Progress(2, 12, skipped=3, out=out, bar=bar) as p:
        p.finished(results.Row("alice", {"q": 12.0}, "", 46.2))
        p.finished(results.Row("bob", {}, "timed out after 600 s", 600.4))
    assert out.getvalue().splitlines() == ["[1/2] alice: 12/12 in 46 s",
                                           "[2/2] bob: 0/12 in 600 s, error: timed out after 600 s"]
    assert bar.getvalue() == "" and (p.done, p.failures) == (2, 1)
    quiet = io.StringIO()
    with progress.Progress(1, 12, show=False, out=quiet, bar=quiet) as p:
        p.finished(results.Row("carol", {}, "", 1.0))
    assert quiet.getvalue() == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_shows_done_total_failures_and_eta():
    bar = _Terminal()
    with progress.Progress(4, 12, out=io.StringIO(), bar=bar) as p:
        p.finished(results.Row("alice", {}, "crashed", 1.0))
    drawn = bar.getvalue()
    assert "1/4" in drawn and "failed=1" in drawn and re.search(r"<\d\d:\d\d", drawn), drawn


OTTER_OUTPUT = """wasserstein_1d results:
    wasserstein_1d - 1 result:
        \u274c Test case failed
        Error at line 22 in test wasserstein_1d:
              got = w1([0.0, 1.0, 3.0], [5.0, 6.0, 8.0])
        AssertionError: W1 case 0 (5 vs 5 points): expected {expected}, got {got}

    wasserstein_1d - 2 result:
        \u2705 Test case passed
"""


def _write_class(folder, rows):
    """A grading's folder: gradebook.csv and results/ for ``rows`` of (name, score of q out of 4, error, got)."""
    (folder / "results").mkdir(parents=True)
    with open(folder / "gradebook.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*grading.BASE_COLUMNS, "wasserstein_1d", "kl_divergence"])
        for name, score, error, got in rows:
            writer.writerow([name, score + (0 if error else 1), 5, error, score, 0 if error else 1])
            if error:
                body = results.error_results(error)
            else:
                output = OTTER_OUTPUT.format(expected=5.0, got=got) if got is not None else "all passed"
                body = {"tests": [{"name": "wasserstein_1d", "score": score, "max_score": 4, "output": output},
                                  {"name": "kl_divergence", "score": 1, "max_score": 1, "output": ""}]}
            results.write(folder / "results" / f"{name}.json", body, INPUTS, error)


def test_report_counts_pass_rates_scores_and_groups_messages_whatever_their_numbers(tmp_path):
    _write_class(tmp_path, [("a", 4, "", None), ("b", 2, "", 4.1), ("c", 2, "", 3.9), ("d", 0, "", 0.5),
                            ("e", 0, "timed out after 600 s while running code cell 3 of 9", None)])
    summary = report.summarise(tmp_path)
    w1, kl = summary.questions
    assert (w1.name, w1.max_points, w1.pass_rate) == ("wasserstein_1d", 4.0, 0.2)
    assert w1.distribution == ((0.0, 2), (2.0, 2), (4.0, 1)) and w1.mean == pytest.approx(1.6)
    assert w1.failures == (report.Failure("AssertionError: W1 case # (# vs # points): expected #, got #", 3,
                                          "AssertionError: W1 case 0 (5 vs 5 points): expected 5.0, got 4.1"),)
    assert (kl.pass_rate, kl.failures) == (0.8, ())
    assert summary.not_graded == 1 and summary.errors[0].count == 1
    assert summary.totals == (5.0, 3.0, 3.0, 1.0, 0.0) and summary.max_total == 5.0


def test_report_page_is_self_contained_with_the_histogram_inline(tmp_path):
    _write_class(tmp_path, [("a", 4, "", None), ("b<script>", 2, "", 4.1)])
    assert cli.main(["report", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "report.html").read_text()
    png = (tmp_path / "report_totals.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    inlined = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert inlined and base64.b64decode(inlined.group(1)) == png
    assert not re.search(r"""(src|href)=["'](?!data:|#)""", page) and "<link" not in page  # nothing fetched
    assert "hidden tests" in page and "50 %" in page and "got #" in page
    assert "<script>" not in page  # text from submissions is escaped


@pytest.mark.parametrize("setup, message", [
    (lambda d: None, "gradebook.csv: run `wganlab grade --out"),
    (lambda d: (d / "gradebook.csv").write_text("a,b\n1,2\n"), "is not a wganlab gradebook"),
    (lambda d: (d / "gradebook.csv").write_text("submission,total,max_total,error,q\n"), "holds no submissions"),
    (lambda d: (d / "gradebook.csv").write_text("submission,total,max_total,error,q\nann,1,1,,1\n"),
     "results/ann.json is missing"),
])
def test_report_says_what_is_missing(tmp_path, capsys, setup, message):
    setup(tmp_path)
    assert cli.main(["report", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    assert not (tmp_path / "report.html").exists()


def test_failure_messages_keep_the_exception_and_its_hint():
    output = OTTER_OUTPUT.format(expected=1, got=2).replace("got 2", "got 2\n        Hint: is its body still the stub")
    assert report.failure_messages(output) == [
        "AssertionError: W1 case 0 (5 vs 5 points): expected 1, got 2 Hint: is its body still the stub"]
    assert report.mask_numbers("shape (64, 1) at 1e-3, x2 and w1") == "shape (#, #) at #, x2 and w1"


def test_results_files_written_by_grade_are_plain_json(tmp_path):
    results.write(tmp_path / "x.json", {"tests": []}, INPUTS, "")
    assert json.loads((tmp_path / "x.json").read_text())["wganlab"]["submission_sha256"] == "a" * 64


def test_a_mistake_counts_once_per_submission_with_or_without_its_hint():
    grouped = report.group_failures([["TypeError: not callable Hint: `f` was deleted", "TypeError: not callable"],
                                     ["TypeError: not callable"], ["ValueError: got 3"]], top=10)
    assert grouped == (report.Failure("TypeError: not callable", 2, "TypeError: not callable Hint: `f` was deleted"),
                       report.Failure("ValueError: got #", 1, "ValueError: got 3"))
    assert report.group_failures([["a"], ["b"], ["b"]], top=1) == (report.Failure("b", 2, "b"),)


def test_a_class_where_nothing_could_be_graded_reports_no_passes(tmp_path):
    _write_class(tmp_path, [("a", 0, "the notebook file is not a valid notebook", None),
                            ("b", 0, "timed out after 600 s", None)])
    summary = report.summarise(tmp_path)
    assert [q.pass_rate for q in summary.questions] == [0.0, 0.0] and summary.not_graded == 2
    assert [f.count for f in summary.errors] == [1, 1]
    assert "could not be graded" in report.render_html(summary, report.histogram_png(summary))
