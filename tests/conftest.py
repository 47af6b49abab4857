import dataclasses
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Tests run the zips' test files in-process, as the guard's isolated process does; `wganlab grade`
# and the build drop this for the notebook kernel, where the convergence checks never train.
os.environ.setdefault("WGANLAB_RUN_CONVERGENCE", "1")
ROOT = Path(__file__).resolve().parents[1]
if "WGANLAB_CACHE" not in os.environ:
    # The digit classifier's cache: one per test session, never the user's home.
    import tempfile

    os.environ["WGANLAB_CACHE"] = tempfile.mkdtemp(prefix="wganlab-test-cache-")
sys.path.insert(0, str(Path(__file__).resolve().parent))
CELEBA_ZIP = ROOT.parent / "shared" / "data" / "celeba_first10k_89x109.zip"


@pytest.fixture(scope="session")
def celeba_zip():
    """The shared 10,000-image CelebA zip, or a skip where this checkout has no ../shared."""
    if not CELEBA_ZIP.exists():
        pytest.skip(f"needs {CELEBA_ZIP} (real CelebA faces; see datasets/README.md)")
    return CELEBA_ZIP


# `make test` builds the zips once, in its TensorFlow run, into this folder; its JAX and torch runs
# grade with the same zips, as graders on those backends do. Unset: each session builds its own.
SHARED_BUILD = os.environ.get("WGANLAB_TEST_BUILD", "")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """One build of every assignment into a scratch dist/ and assignments/, shared by the suite.

    The build grades each reference master with its own autograder (otter assign's run_tests),
    so a master whose tests fail stops the whole suite here, with otter's report. With
    WGANLAB_TEST_BUILD set, the first session builds into that folder and later ones reuse it.
    """
    import json

    from wganlab.course import build

    if SHARED_BUILD:
        root = Path(SHARED_BUILD)
        manifest = root / "built.json"
        if manifest.exists():
            return {r["name"]: build.BuildResult(**{k: Path(v) if k.endswith(("notebook", "zip", "handout")) and v
                                                    else v for k, v in r.items()})
                    for r in json.loads(manifest.read_text())}
        root.mkdir(parents=True, exist_ok=True)
    else:
        root = tmp_path_factory.mktemp("build")
    celeba = None
    if CELEBA_ZIP.exists():  # real faces for assignment 4's convergence question
        from wganlab import data

        celeba = data.prepare_celeba(CELEBA_ZIP, root / "celeba_gray32.npz", n=10000, size=32, progress=False)
    # otter assign runs each master top to bottom in a kernel, then grades it: here on the quick
    # training schedule, as every other notebook run of the suite (the full schedules cost minutes
    # per master and are timed by tools/cell_times.py). What the build writes does not depend on it.
    fast = os.environ.get("WGANLAB_FAST")
    os.environ["WGANLAB_FAST"] = "1"
    try:
        results = build.build(None, dist=root / "dist", assignments=root / "assignments", celeba=celeba)
    finally:
        if fast is None:
            del os.environ["WGANLAB_FAST"]
        else:
            os.environ["WGANLAB_FAST"] = fast
    if SHARED_BUILD:  # written last: a build that failed half-way is never reused
        rows = [{k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(r).items()}
                for r in results]
        manifest.write_text(json.dumps(rows, indent=1))
    return {r.name: r for r in results}


@dataclasses.dataclass(frozen=True)
class GradedCorpus:
    """01's corpus of bad submissions (tests/submissions.py) graded by one ``wganlab grade`` run."""

    folder: Path  # the submissions, as graded
    out: Path  # gradebook.csv and results/
    rows: dict  # gradebook rows by submission
    points: dict  # points per question, from the zip

    def gradebook_rows(self, names) -> list[list[str]]:
        """The gradebook's header and the rows of ``names``, in the gradebook's order, as csv fields."""
        import csv

        with open(self.out / "gradebook.csv", newline="") as f:
            header, *rows = csv.reader(f)
        return [header, *(row for row in rows if row[0] in set(names))]


@pytest.fixture(scope="session")
def corpus(built, tmp_path_factory) -> GradedCorpus:
    """The corpus graded once, uninterrupted and unsharded, with two jobs and the default timeout
    (what `wganlab grade` uses without --timeout, so that results files compare equal).

    Shared by tests/test_bad_submissions.py (each case's row), test_sharding.py (sharded runs,
    on the cluster too, merged) and test_grading_resume.py (a killed run resumed): each of those
    grades a few of these same files again and compares with this run, instead of grading them
    twice itself (a 01 grading is three Pythons with TensorFlow, ~40 CPU s).
    """
    import csv

    import submissions
    from wganlab.course import grading

    result = built[submissions.ASSIGNMENT]
    root = tmp_path_factory.mktemp("corpus")
    folder, out = root / "submissions", root / "out"
    submissions.write_corpus(folder, result.reference_notebook, result.student_notebook)
    grading.grade(submissions.ASSIGNMENT, [folder], out, jobs=2, timeout=grading.DEFAULT_TIMEOUT,
                  autograder=result.autograder_zip)
    with open(out / "gradebook.csv", newline="") as f:
        rows = {row["submission"]: row for row in csv.DictReader(f)}
    return GradedCorpus(folder, out, rows, grading.zip_points(result.autograder_zip))


@pytest.fixture(scope="session")
def test_files(built, tmp_path_factory):
    """Each assignment's autograder zip unpacked: ``{name: folder}`` with tests/ and files/."""
    import zipfile

    out = {}
    for name, result in built.items():
        folder = tmp_path_factory.mktemp(f"zip-{name}")
        with zipfile.ZipFile(result.autograder_zip) as zf:
            zf.extractall(folder)
        out[name] = folder
    return out


def pytest_collection_modifyitems(config, items):
    """Everything that needs the built zips is marked needs_build (the build alone takes minutes):
    the fast tier (`make test-fast`) leaves it out."""
    for item in items:
        if {"built", "test_files"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.needs_build)
