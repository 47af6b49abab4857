"""Grade the corpus of bad submissions (tests/submissions.py) with ``wganlab grade`` and the real zip.

One ``grade`` call grades the whole corpus (the session fixture ``corpus`` in tests/conftest.py,
also used by the sharding and resume tests; two jobs, a generous limit per submission; the
infinite loop costs only its question's own limit); each case then checks its own row: the questions it breaks score zero, every
other question keeps its full points, the error column and the "Public Tests" output say what
went wrong, and nothing a student sees quotes the hidden tests, the check module or the expected
values, decoded from base64, hex, zlib or reversed. The same guarded cases graded with the guard plugin removed from the zip show that
the corpus is a real threat: there the patched numpy earns points and the hidden text leaks.
"""

from __future__ import annotations

import base64
import binascii
import csv
import json
import re
import zipfile
import zlib
from pathlib import Path

import pytest

import submissions
from wganlab.course import grading
from wganlab.course.build import GUARD_PLUGIN

# Three Pythons with TensorFlow (the public process, the kernel, the hidden process) and the
# infinite loop's question limit: 180 s was too short on a loaded machine.
TIMEOUT = 900.0
CASES = {case.name: case for case in submissions.CASES}


def _gradebook(path: Path) -> dict[str, dict]:
    with open(path, newline="") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def _visible(results_file: Path) -> str:
    """Every field of a results file a student sees: the top-level output and the visible entries."""
    results = json.loads(results_file.read_text())
    return "\n".join([str(results.get("output") or "")] + [
        f"{t.get('name', '')}\n{t.get('output', '')}" for t in results["tests"] if t.get("visibility") == "visible"])


def _hidden_entries(results_file: Path) -> str:
    results = json.loads(results_file.read_text())
    return "\n".join(t.get("output", "") for t in results["tests"] if t.get("visibility") != "visible")


def decoded(text: str) -> list[str]:
    """``text`` and every reading of it a leak could use: base64, hex and zlib-in-base64 runs decoded, reversed."""
    out = [text, text[::-1]]
    for run in re.findall(r"[A-Za-z0-9+/]{40,}={0,2}", text):
        try:
            data = base64.b64decode(run + "=" * (-len(run) % 4))
        except (binascii.Error, ValueError):
            continue
        out.append(data.decode("utf-8", errors="replace"))
        try:
            out.append(zlib.decompress(data).decode("utf-8", errors="replace"))
        except zlib.error:
            pass
    for run in re.findall(r"(?:[0-9a-f]{2}){20,}", text):
        out.append(bytes.fromhex(run).decode("utf-8", errors="replace"))
    return out


def hidden_lines(zip_path: Path) -> list[str]:
    """Distinctive lines a student must never see: hidden test cases and the shipped files."""
    from wganlab.course.hidden_text import split_test_file

    lines, public = [], set()
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            if name.startswith("tests/") and name.endswith(".py"):
                text, shown = split_test_file(zf.read(name).decode())
                public.update(line.strip() for line in shown.splitlines())
            elif name.startswith("files/") and name.endswith((".py", ".json")):
                text = zf.read(name).decode()
            else:
                continue
            lines += [line.strip() for line in text.splitlines() if len(line.strip()) >= 25]
    return [line for line in lines if line not in public]  # a line a public test also holds is not hidden


def test_corpus_has_every_kind_of_failure():
    kinds = {"syntax_error", "missing_function", "raises", "returns_nan", "wrong_shape", "infinite_loop",
             "prints_megabytes", "calls_exit", "reseeds_and_patches", "overwrites_names", "reads_hidden_tests",
             "encodes_hidden_files", "lingering_daemon", "pickles_to_the_log_receiver", "pickles_into_the_results_file"}
    assert kinds <= set(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_case_is_graded_as_expected(corpus, name):
    rows, results, points = corpus.rows, corpus.out / "results", corpus.points
    case, row = CASES[name], rows[name]
    assert list(points) and float(row["max_total"]) == pytest.approx(sum(points.values()))
    for question, full in points.items():
        want = 0.0 if question in case.zero else full
        assert float(row[question]) == pytest.approx(want), (question, row)
    if case.error:
        assert case.error in row["error"], row["error"]
    else:
        assert row["error"] == "", row["error"]
    visible = _visible(results / f"{name}.json")  # error rows get a results file too
    for text in case.public:
        assert text in visible, f"{text!r} not in what the student sees:\n{visible}"
    if case.error:
        assert case.error in visible


def test_no_hidden_text_reaches_what_students_see(built, corpus):
    results = corpus.out / "results"
    lines = hidden_lines(built[submissions.ASSIGNMENT].autograder_zip)
    assert len(lines) > 50
    for path in sorted(results.glob("*.json")):
        visible = "\n".join(decoded(_visible(path)))
        quoted = [line for line in lines if line in visible]
        assert not quoted, f"{path.stem}: students would see {quoted[:3]}"
    # The leaking case did read the hidden files: its hidden entries (instructors only) quote them.
    assert any(line in _hidden_entries(results / "reads_hidden_tests.json") for line in lines)


def test_hidden_files_sent_out_encoded_reach_no_student_visible_field(built, corpus):
    """The encoding submission read what it could and sent it out base64, hex, reversed and zlib'd,
    through its public message, stdout, shared files, the environment and the check package:
    decoded every way, no field a student sees holds a line of hidden text."""
    results = corpus.out / "results"
    lines = hidden_lines(built[submissions.ASSIGNMENT].autograder_zip)
    path = results / "encodes_hidden_files.json"
    visible = "\n".join(decoded(_visible(path)))
    assert "ValueError" in visible and len(visible) > 1000, "the public case did not send its message"
    quoted = [line for line in lines if line in visible]
    assert not quoted, f"students would see {quoted[:3]}"
    # Control: the hidden process, which had the checks, did leak into the instructors' entries,
    # so the attack reads real hidden files and the decoding finds them.
    assert any(line in "\n".join(decoded(_hidden_entries(path))) for line in lines)


def test_code_left_running_or_sent_to_the_grader_changes_nothing_a_student_sees(corpus):
    """A daemon that outlives the grading processes, and code pickled to otter's grader process by
    the kernel (log receiver, results file), each meant to write its marker and the hidden files into
    the results: the grader kills the daemon (wganlab.course.reaper) and never unpickles code from
    the kernel (wganlab.course.kernel_channels). Their scores are checked by the corpus cases above."""
    results = corpus.out / "results"
    for name, marker in (("lingering_daemon", "LINGERED"), ("pickles_to_the_log_receiver", "PICKLED"),
                         ("pickles_into_the_results_file", "PICKLED")):
        assert marker not in (results / f"{name}.json").read_text(), name


def test_without_the_guard_the_corpus_cheats_leaks_and_dies(built, tmp_path):
    """Control: the same zip minus the guard plugin, so the guarded cases above are real threats."""
    result = built[submissions.ASSIGNMENT]
    unguarded = tmp_path / "unguarded.zip"
    with zipfile.ZipFile(result.autograder_zip) as src, zipfile.ZipFile(unguarded, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "otter_config.json":
                config = json.loads(data)
                config["plugins"] = [p for p in config.get("plugins", []) if p != GUARD_PLUGIN]
                data = json.dumps(config).encode()
            dst.writestr(item, data)
    folder = tmp_path / "submissions"
    folder.mkdir()
    ref = json.loads(Path(result.reference_notebook).read_text())
    stu = json.loads(Path(result.student_notebook).read_text())
    for name in ("reads_hidden_tests", "reseeds_and_patches", "calls_exit", "lingering_daemon"):
        CASES[name].write(folder, ref, stu)
    out = tmp_path / "out"
    grading.grade(submissions.ASSIGNMENT, [folder], out, jobs=2, timeout=TIMEOUT, autograder=unguarded)
    book = _gradebook(out / "gradebook.csv")
    visible = _visible(out / "results" / "reads_hidden_tests.json")
    assert any(line in visible for line in hidden_lines(result.autograder_zip)), "the leak did not happen"
    assert float(book["reseeds_and_patches"]["wasserstein_1d"]) > 0, "patching math did not earn points"
    assert "died" in book["calls_exit"]["error"], "exit() did not stop the kernel"
    assert float(book["lingering_daemon"]["wasserstein_1d"]) > 0, "the daemon did not forge results.json"


def test_errors_before_otter_runs_are_explained(tmp_path, built):
    result = built[submissions.ASSIGNMENT]
    bad = tmp_path / "essay.txt"
    bad.write_text("not a submission")
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    rows = grading.grade(submissions.ASSIGNMENT, [bad, damaged, tmp_path / "missing.ipynb"], tmp_path / "out",
                         autograder=result.autograder_zip)
    errors = {row.submission: row.error for row in rows}
    assert "not a notebook or otter submission zip" in errors["essay"]
    assert "damaged" in errors["damaged"]
    assert "no such file" in errors["missing"]
    book = _gradebook(tmp_path / "out" / "gradebook.csv")
    max_total = sum(grading.zip_points(result.autograder_zip).values())
    assert max_total > 0 and {float(r["max_total"]) for r in book.values()} == {max_total}  # from the zip, though nothing ran
    assert {float(r["total"]) for r in book.values()} == {0.0}


def test_grade_rejects_a_folder_without_submissions(tmp_path, built):
    (tmp_path / "empty").mkdir()
    with pytest.raises(grading.GradingError, match="holds no .ipynb"):
        grading.grade(submissions.ASSIGNMENT, [tmp_path / "empty"], tmp_path / "out",
                      autograder=built[submissions.ASSIGNMENT].autograder_zip)


def test_grade_rejects_a_zip_that_is_not_an_autograder(tmp_path):
    fake = tmp_path / "fake.zip"
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(grading.GradingError, match="holds no tests"):
        grading.grade(submissions.ASSIGNMENT, [fake], tmp_path / "out", autograder=fake)


def test_grade_command_takes_a_folder_a_prefix_and_a_zip(tmp_path, built, capsys):
    from wganlab import cli

    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.ipynb").write_text("{ damaged")
    (folder / "notes.txt").write_text("not a submission, not picked up from a folder")
    status = cli.main(["grade", "--assignment", "01", "--autograder", str(built[submissions.ASSIGNMENT].autograder_zip),
                       "--out", str(tmp_path / "out"), str(folder)])
    assert status == 0
    book = _gradebook(tmp_path / "out" / "gradebook.csv")
    assert list(book) == ["alice"] and "not a valid notebook" in book["alice"]["error"]
    printed = capsys.readouterr().out  # one line per finished submission, as it finishes
    assert "[1/1] alice: 0/12 in " in printed and ", error: the notebook file is not a valid notebook" in printed


def test_progress_text_a_submission_wrote_never_reaches_the_error_column(tmp_path):
    """The kernel (student code) can write the progress file: only the guard's own forms are quoted."""
    path = tmp_path / "progress.txt"
    for text in ("code cell 11 of 13: thetas = np.linspace(-1, 1, 21)",
                 "checking question wgan_gp_convergence (hidden grading process)"):
        path.write_text(text)
        assert grading._progress(path) == text
    for text in ("def check_kl_divergence(kl_divergence): ...", "code cell 1 of 2: " + "x" * 200):
        path.write_text(text)
        assert grading._progress(path) == ""
