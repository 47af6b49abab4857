"""The grading protocol's one owner (wganlab.course.protocol): names written once, the classifier
cache's names following its version, the snapshot's public part, the processes' environment, and
the masters listing only their own autograder files. Cheap: no build, no otter run."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import pytest
import yaml

from wganlab import classifier
from wganlab.course import build, protocol
from wganlab.files import CACHE_ENV

ROOT = Path(__file__).resolve().parents[1]
# Each name, and the one file allowed to spell it.
OWNERS = {
    protocol.TRAIN_ENV: "wganlab/course/protocol.py",
    protocol.FACES_ENV: "wganlab/course/protocol.py",
    protocol.PROGRESS_ENV: "wganlab/course/protocol.py",
    protocol.PROGRESS_FILE: "wganlab/course/protocol.py",
    protocol.CHECKS_PACKAGE: "wganlab/course/protocol.py",
    protocol.EXPECTED_FILE: "wganlab/course/protocol.py",
    protocol.GUARD_PLUGIN: "wganlab/course/protocol.py",
    protocol.PROCESS_MODULE: "wganlab/course/protocol.py",
    protocol.PROGRESS_LAST: "wganlab/course/protocol.py",
    protocol.FACES_CACHE: "wganlab/data.py",
    CACHE_ENV: "wganlab/files.py",
    ".cache": "wganlab/files.py",
}
PREFIXES = {"digit_classifier_": "wganlab/classifier.py", "celeba_gray": "wganlab/data.py"}
TEST_FILE = '''from otter.test_files import test_case

@test_case(points=1)
def test_public(f):
    assert f(1) == 1

@test_case(points=2, hidden=True)
def test_hidden(f):
    assert f(2) == 2
'''


def literals(path: Path) -> list[tuple[int, str]]:
    """(line, value) of the string constants in one module that spell a protocol name, docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if node.value in OWNERS or node.value.startswith(tuple(PREFIXES)):
                found.append((node.lineno, node.value))
    return found


def _owner(value: str) -> str:
    return OWNERS.get(value) or next(owner for prefix, owner in PREFIXES.items() if value.startswith(prefix))


def test_each_protocol_name_is_spelled_only_by_its_owner():
    """The guard, the processes, the checks, the build and `wganlab grade` import the names."""
    sources = [*(ROOT / "wganlab").rglob("*.py"), *(ROOT / "autograder" / "wganlab_checks").rglob("*.py")]
    assert len(sources) > 40
    stray = [f"{path.relative_to(ROOT)}:{line}: {value!r}" for path in sources for line, value in literals(path)
             if path.relative_to(ROOT).as_posix() != _owner(value)]
    assert stray == []


def test_the_literal_scan_finds_a_copied_name(tmp_path):
    module = tmp_path / "copy.py"
    module.write_text('"""Mentions WGANLAB_CELEBA in prose."""\nimport os\n'
                      'faces = os.environ.get("WGANLAB_CELEBA")\nname = f"digit_classifier_{3}.json"\n')
    assert literals(module) == [(3, "WGANLAB_CELEBA"), (4, "digit_classifier_")]


def test_classifier_cache_names_follow_the_classifier_version(monkeypatch, tmp_path):
    """A version bump changes what the snapshot copies and what the processes are pointed at."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    for name in protocol.classifier_files():  # the current version's cache, as a grader has it
        (tmp_path / "cache" / name).write_bytes(b"v-now")
    assert protocol.has_classifier(protocol.take_snapshot(tmp_path, None))

    monkeypatch.setattr(classifier, "_CLASSIFIER_VERSION", "v99")
    assert protocol.classifier_files() == ("digit_classifier_v99.weights.h5", "digit_classifier_v99.json")
    assert not protocol.has_classifier(protocol.take_snapshot(tmp_path, None))  # stale files are not taken
    for name in protocol.classifier_files():
        (tmp_path / "cache" / name).write_bytes(b"v99")
    snapshot = protocol.take_snapshot(tmp_path, None)
    assert {n for n in snapshot if n.startswith(protocol.CACHE)} == {
        "cache/digit_classifier_v99.weights.h5", "cache/digit_classifier_v99.json"}
    assert set(protocol.public_snapshot(snapshot)) == set(snapshot)  # public: a student may see the weights
    env = protocol.process_environment(tmp_path / "snap", "public", snapshot, {})
    assert env[CACHE_ENV] == str(tmp_path / "snap" / "cache")


def test_public_snapshot_holds_the_notebook_public_cases_and_configs_only():
    snapshot = {"submission.ipynb": b"{}", "tests/q1.py": TEST_FILE.encode(), "files/wganlab_checks/x.py": b"x",
                "files/expected.json": b"{}", "keras/keras.json": b"{}", "elsewhere/x": b"x"}
    public = protocol.public_snapshot(snapshot)
    assert set(public) == {"submission.ipynb", "tests/q1.py", "keras/keras.json"}
    assert "test_public" in public["tests/q1.py"].decode() and "hidden" not in public["tests/q1.py"].decode()
    assert protocol.case_flags(TEST_FILE, "public") == [False] and protocol.case_flags(TEST_FILE, "hidden") == [True]
    assert protocol.questions_of(snapshot) == ["q1"]


@pytest.mark.parametrize("role", protocol.ROLES)
def test_only_the_hidden_process_trains(role, tmp_path):
    env = protocol.process_environment(tmp_path, role, {}, {protocol.TRAIN_ENV: "1", CACHE_ENV: "/home/x"})
    assert env.get(protocol.TRAIN_ENV) == ("1" if role == "hidden" else None)
    assert env[CACHE_ENV] == "/home/x"  # no classifier in the snapshot: the grader's own folder
    assert env["KERAS_HOME"] == str(tmp_path / "keras") and env["PYTHONHASHSEED"] == "0"


def test_the_protocols_module_names_resolve():
    module, _, name = protocol.GUARD_PLUGIN.rpartition(".")
    from wganlab.course.guard import GradingGuard

    assert getattr(importlib.import_module(module), name) is GradingGuard
    assert callable(importlib.import_module(protocol.PROCESS_MODULE).main)


def test_every_progress_form_the_grader_writes_is_one_wganlab_grade_quotes():
    written = [protocol.PROGRESS_CELL.format(index=3, total=12, first="x" * 60),
               protocol.PROGRESS_QUESTION.format(question="wgan_gp_convergence", role="hidden"),
               protocol.PROGRESS_QUESTION.format(question="kl_divergence", role="public"), protocol.PROGRESS_LAST]
    assert all(protocol.PROGRESS_FORMS.fullmatch(text) for text in written)
    for planted in ("code cell 1 of 2: " + "x" * 61, "checking question q (kernel grading process)", "hidden: 0.123"):
        assert not protocol.PROGRESS_FORMS.fullmatch(planted), planted


def _config(notebook: dict) -> dict:
    source = "".join(notebook["cells"][0]["source"])
    return yaml.safe_load(source.split("\n", 1)[1]) or {}


@pytest.mark.parametrize("master", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.stem[:2])
def test_masters_list_only_their_own_autograder_files_and_the_build_adds_its_own(master, tmp_path):
    own = _config(json.loads(master.read_text(encoding="utf-8"))).get("autograder_files", [])
    assert not set(own) & set(protocol.BUILD_FILES)
    staged = tmp_path / master.name
    staged.write_text(master.read_text(encoding="utf-8"), encoding="utf-8")
    build._configure(staged, ["wganlab-0-py3-none-any.whl"])
    config = _config(json.loads(staged.read_text(encoding="utf-8")))
    assert config["autograder_files"] == [*own, *protocol.BUILD_FILES, "wganlab-0-py3-none-any.whl"]
    assert config["plugins"] == [protocol.GUARD_PLUGIN]


def test_a_master_that_lists_a_build_file_is_refused(tmp_path):
    master = sorted((ROOT / "solutions").glob("*.ipynb"))[0]
    nb = json.loads(master.read_text(encoding="utf-8"))
    config = "".join(nb["cells"][0]["source"])
    nb["cells"][0]["source"] = config + f"\nautograder_files:\n  - {protocol.EXPECTED_FILE}\n"
    staged = tmp_path / master.name
    staged.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(build.BuildError, match="only the master's own files"):
        build._configure(staged, [])
