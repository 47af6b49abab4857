"""The build: student notebooks in sync with the masters, and nothing hidden in them."""

import json
import re
import zipfile
from pathlib import Path

import pytest

from wganlab.course.functions import ASSIGNMENTS, REPO_ROOT, questions

NAMES = list(ASSIGNMENTS)


@pytest.mark.parametrize("name", NAMES)
def test_committed_student_notebook_is_what_the_build_writes(built, name):
    committed = REPO_ROOT / "assignments" / f"{name}.ipynb"
    assert committed.is_file(), f"{committed} is missing: run `wganlab build` and commit assignments/"
    assert built[name].student_notebook.read_bytes() == committed.read_bytes(), (
        f"assignments/{name}.ipynb is out of sync with solutions/{name}.ipynb: run `wganlab build` "
        "and commit the regenerated notebook")


def _solution_lines(master: Path) -> list[str]:
    """Distinctive lines of the master's solutions: code inside BEGIN/END SOLUTION and the
    text of written answers."""
    nb = json.loads(master.read_text())
    lines, inside, answer = [], False, False
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "raw":
            answer = source.strip() == "# BEGIN SOLUTION"
            continue
        if cell["cell_type"] == "markdown" and answer:
            lines += [s.strip() for s in source.splitlines()]
            continue
        for line in source.splitlines():
            if line.strip().startswith("# BEGIN SOLUTION"):
                inside = True
            elif line.strip().startswith("# END SOLUTION"):
                inside = False
            elif inside:
                lines.append(line.strip())
    return [s for s in lines if len(s) > 25]


@pytest.mark.parametrize("name", NAMES)
def test_student_distribution_holds_no_solution_or_hidden_test(built, name):
    student = built[name].student_notebook.read_text()
    solutions = _solution_lines(REPO_ROOT / "solutions" / f"{name}.ipynb")
    assert solutions, "the master should have solution code"
    leaked = [s for s in solutions if s in student]
    assert not leaked, f"solution lines reached the student notebook: {leaked[:3]}"
    for marker in ("wganlab_checks", "hidden=True", "hidden: true", "BEGIN SOLUTION", "expected.json"):
        assert marker not in student, f"{marker!r} reached the student notebook of {name}"
    # otter copies `files` next to the student notebook; hidden material goes to autograder_files.
    student_dir = built[name].autograder_zip.parents[1] / "build" / name / "result" / "student"
    assert student_dir.is_dir(), f"otter assign wrote no student folder at {student_dir}"
    assert sorted(p.name for p in student_dir.iterdir()) == [f"{name}.ipynb"]


@pytest.mark.parametrize("name", NAMES)
def test_every_student_function_is_a_question_with_public_and_hidden_tests(built, name):
    with zipfile.ZipFile(built[name].autograder_zip) as zf:
        tests = {Path(n).stem: zf.read(n).decode() for n in zf.namelist() if n.startswith("tests/")}
        names = zf.namelist()
    assert sorted(tests) == sorted(questions(name))
    for question, source in tests.items():
        assert re.search(r"hidden=True", source), f"{question} has no hidden test"
        assert re.search(r"hidden=False", source), f"{question} has no public test"
    package = {f"files/wganlab_checks/{p.name}" for p in (REPO_ROOT / "autograder" / "wganlab_checks").glob("*.py")}
    assert package <= set(names) and "files/expected.json" in names, sorted(package - set(names))
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    public = json.loads(built[name].student_notebook.read_text())["metadata"]["otter"]["tests"]
    assert sorted(public) == sorted(questions(name))


@pytest.mark.parametrize("name", NAMES)
def test_gradescope_environment_installs_wganlab_on_python_311(built, name):
    with zipfile.ZipFile(built[name].autograder_zip) as zf:
        env = zf.read("environment.yml").decode()
        names = zf.namelist()
    # TensorFlow 2.21 has no wheels for otter's default Python 3.13+ on every platform it needs.
    assert "python=3.11" in env
    wheels = [n for n in names if n.startswith("files/wganlab-") and n.endswith(".whl")]
    assert len(wheels) == 1, names
    assert f"/autograder/source/{wheels[0]}" in env and "tensorflow==2.21" in env
