"""The question registry in wganlab.course.functions agrees with the masters it describes.

The masters (solutions/*.ipynb) are the source of the questions; the registry names them for
the loader, the gradebook's column order and the tests. This keeps the two from drifting.
"""

import json

import pytest
import yaml

from wganlab.course.functions import ASSIGNMENTS, CONVERGENCE_QUESTIONS, REPO_ROOT, questions


def _master_questions(name: str) -> tuple[list[str], list[str]]:
    """(autograded, manual) question names of a master, in notebook order."""
    nb = json.loads((REPO_ROOT / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8"))
    graded, manual = [], []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "raw" and source.startswith("# BEGIN QUESTION"):
            config = yaml.safe_load(source.split("\n", 1)[1])
            (manual if config.get("manual") else graded).append(config["name"])
    return graded, manual


@pytest.mark.parametrize("name", list(ASSIGNMENTS))
def test_registry_lists_exactly_the_masters_autograded_questions(name):
    graded, _ = _master_questions(name)
    assert sorted(questions(name)) == sorted(graded), (
        f"wganlab/course/functions.py and solutions/{name}.ipynb disagree on the autograded questions: "
        f"registry {sorted(questions(name))}, master {sorted(graded)}")
    # A student function is graded by the question of the same name (the gradebook column).
    assert set(ASSIGNMENTS[name]) <= set(graded)
    assert not set(ASSIGNMENTS[name]) & set(CONVERGENCE_QUESTIONS[name])


def test_every_master_is_registered():
    masters = sorted(p.stem for p in (REPO_ROOT / "solutions").glob("*.ipynb"))
    assert masters == sorted(ASSIGNMENTS)
