"""End to end: ``wganlab grade`` runs the real ``otter run`` on real notebooks, per assignment.

Two submissions per assignment, graded in one call with two jobs: the reference (full marks) and
the untouched student notebook (zero on every function, and still a clean gradebook row, no
crash). Training cells run with WGANLAB_FAST so each assignment takes seconds.
"""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from otter.test_files import ExceptionTestFile

from wganlab.course import grading
from wganlab.course.functions import ASSIGNMENTS, questions as assignment_questions


def _points(folder, question):
    return sum(tc.points for tc in ExceptionTestFile.from_file(str(folder / "tests" / f"{question}.py")).test_cases)


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_grade_reference_and_student_notebook(assignment, built, test_files, tmp_path, monkeypatch):
    monkeypatch.setenv("WGANLAB_FAST", "1")
    result = built[assignment]
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    reference = shutil.copyfile(result.reference_notebook, submissions / "reference.ipynb")
    student = shutil.copyfile(result.student_notebook, submissions / "student.ipynb")
    out = tmp_path / "out"
    dist = result.autograder_zip.parent.parent

    # A generous ceiling: three Pythons with TensorFlow per submission, on a loaded machine.
    grading.grade(assignment, [reference, student], out, jobs=2, timeout=900, dist=dist)

    with open(out / "gradebook.csv", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, {row["submission"]: row for row in reader}
    questions = list(assignment_questions(assignment))
    assert header == ["submission", "total", "max_total", "error", *questions]
    assert set(rows) == {"reference", "student"}
    max_total = sum(_points(test_files[assignment], q) for q in questions)

    ref = rows["reference"]
    assert ref["error"] == "", ref["error"]
    assert float(ref["max_total"]) == pytest.approx(max_total)
    assert float(ref["total"]) == pytest.approx(max_total), ref
    for q in questions:
        assert float(ref[q]) == pytest.approx(_points(test_files[assignment], q)), (q, ref)

    stu = rows["student"]
    assert stu["error"] == "", stu["error"]
    assert float(stu["max_total"]) == pytest.approx(max_total)
    assert float(stu["total"]) == 0.0, stu
    for q in questions:
        assert float(stu[q]) == 0.0, (q, stu)

    for label in ("reference", "student"):
        path = out / "results" / f"{label}.json"
        assert path.is_file(), f"no otter results for {label} under {out / 'results'}"
        assert json.loads(path.read_text())["tests"], f"{path} lists no tests"
