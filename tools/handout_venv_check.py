"""Follow a hand-out's README in a venv of its own: run, export, grade (run with that venv's python).

    python3 -m venv /tmp/student-venv
    /tmp/student-venv/bin/pip install "dist/student/01_divergences/wganlab-0.1.0-py3-none-any.whl[student]"
    cd /tmp && env -u PYTHONPATH /tmp/student-venv/bin/python /path/to/tools/handout_venv_check.py 01_divergences /path/to/dist /tmp/handout-run

Unzips ``dist/student/NAME.zip`` into the work folder, fills the stubs from
``dist/reference/NAME.ipynb``, runs the notebook at the default schedules in a kernel of this
interpreter started in that folder (wganlab as installed in the venv; where it is not installed,
the Setup cell installs the wheel beside the notebook), then grades the exported zip with the
venv's ``wganlab grade``.
"""

import json
import shutil
import sys
import time
import zipfile
from pathlib import Path

import wganlab
from wganlab.course import grading, notebook_run


def main(name: str, dist: Path, work: Path) -> int:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    with zipfile.ZipFile(dist / "student" / f"{name}.zip") as zf:
        zf.extractall(work)
    folder = work / name
    print("this process imports wganlab from", wganlab.__file__)
    nb = notebook_run.fill_with_reference(json.loads((folder / f"{name}.ipynb").read_text()),
                                          json.loads((dist / "reference" / f"{name}.ipynb").read_text()))
    (folder / f"{name}.ipynb").write_text(json.dumps(nb))
    start = time.perf_counter()
    ran = notebook_run.run(nb, folder, env={"WGANLAB_FAST": ""})
    print(f"notebook ran in {time.perf_counter() - start:.0f} s")
    print(notebook_run.outputs_text(ran)[-800:])
    exported = sorted(folder.glob(f"{name}_*.zip"))
    print("exported", [p.name for p in exported])
    start = time.perf_counter()
    [row] = grading.grade(name, exported[-1:], work / "graded", dist=dist)
    print(f"graded in {time.perf_counter() - start:.0f} s:", row.total, row.scores, repr(row.error))
    return 0 if exported and not row.error else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))
