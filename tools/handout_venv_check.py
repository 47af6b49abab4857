"""Follow a hand-out's README in a venv of its own: run, export, grade.

    python3 -m venv /tmp/student-venv
    /tmp/student-venv/bin/pip install "dist/student/01_divergences/wganlab-0.1.0-py3-none-any.whl[student]"
    cd /tmp && .venv/bin/python /path/to/tools/handout_venv_check.py 01_divergences /path/to/dist /tmp/handout-run /tmp/student-venv/bin/python

Run it with the instructors' python (this checkout's venv): the students' wheel holds no grading.
Unzips ``dist/student/NAME.zip`` into the work folder, fills the stubs from
``dist/reference/NAME.ipynb``, runs the notebook at the default schedules in a kernel of the
student venv's interpreter (STUDENT_PYTHON; wganlab as installed there, from the hand-out's wheel;
where it is not installed, the Setup cell installs the wheel beside the notebook) started in that
folder, then grades the exported zip with this checkout's ``wganlab grade``.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from wganlab.course import grading, notebook_run


def main(name: str, dist: Path, work: Path, student_python: str) -> int:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    with zipfile.ZipFile(dist / "student" / f"{name}.zip") as zf:
        zf.extractall(work)
    folder = work / name
    where = subprocess.run([student_python, "-c", "import wganlab, os; print(os.path.dirname(wganlab.__file__))"],
                           cwd=work, capture_output=True, text=True, env={k: v for k, v in os.environ.items()
                                                                          if k != "PYTHONPATH"})
    print("the student kernel imports wganlab from", where.stdout.strip() or where.stderr.strip()[-300:])
    nb = notebook_run.fill_with_reference(json.loads((folder / f"{name}.ipynb").read_text()),
                                          json.loads((dist / "reference" / f"{name}.ipynb").read_text()))
    (folder / f"{name}.ipynb").write_text(json.dumps(nb))
    start = time.perf_counter()
    ran = notebook_run.run(nb, folder, env={"WGANLAB_FAST": ""}, python=student_python)
    print(f"notebook ran in {time.perf_counter() - start:.0f} s")
    print(notebook_run.outputs_text(ran)[-800:])
    exported = sorted(folder.glob(f"{name}_*.zip"))
    print("exported", [p.name for p in exported])
    start = time.perf_counter()
    [row] = grading.grade(name, exported[-1:], work / "graded", dist=dist)
    print(f"graded in {time.perf_counter() - start:.0f} s:", row.total, row.scores, repr(row.error))
    return 0 if exported and not row.error else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]))
