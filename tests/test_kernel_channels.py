"""The grader reads the kernel as data only (kernel_channels) and kills what student code leaves running (reaper).

Each test runs its scenario in a fresh Python, so the patches to otter and the subreaper flag stay
out of the test process, and each has its control: the same attack on unpatched otter, or on a
process that is not a subreaper, does reach its target.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

ATTACK = textwrap.dedent("""
    import os, pickle, socket, struct, sys, tempfile, time
    FLAG = sys.argv[1]
    CLOSE = sys.argv[2] == "close"

    class Evil:
        def __reduce__(self):
            return (exec, ("open(%r, 'w').write('ran')" % FLAG,))

    from wganlab.course import kernel_channels
    if CLOSE:
        kernel_channels.close()
    import otter.execute as execute
    from otter.execute.logging import start_server
    from otter.test_files import GradingResults
    out = {}

    # 1. A log record sent to otter's receiver, as a kernel cell can.
    (host, port), stop = start_server()
    data = pickle.dumps(Evil())
    with socket.create_connection((host, port)) as s:
        s.sendall(struct.pack(">L", len(data)) + data)
    time.sleep(2.5)  # the receiver polls once a second
    stop()
    out["log"] = os.path.exists(FLAG)
    if out["log"]:
        os.remove(FLAG)

    # 2. The results file, as a kernel that patched pickle.dump writes it; read as grade_notebook reads it.
    with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as f:
        pickle.dump(Evil(), f)
    try:
        with open(f.name, "rb") as fh:
            got = execute.pickle.load(fh)
        out["results_type"] = type(got).__name__
        out["results_empty"] = isinstance(got, GradingResults) and not got.results
    except Exception as e:
        out["results_type"] = type(e).__name__
    out["results"] = os.path.exists(FLAG)

    # 3. An empty results file (the kernel died before otter's last cell) still fails as pickle.load does.
    open(f.name, "wb").close()
    try:
        with open(f.name, "rb") as fh:
            execute.pickle.load(fh)
        out["empty"] = "returned"
    except EOFError:
        out["empty"] = "EOFError"
    print(json.dumps(out))
""").replace("import os,", "import json, os,")


def _attack(tmp_path, mode: str) -> dict:
    flag = tmp_path / f"ran-{mode}"
    proc = subprocess.run([sys.executable, "-c", ATTACK, str(flag), mode], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_pickles_from_the_kernel_run_no_code_in_the_grader(tmp_path):
    closed = _attack(tmp_path, "close")
    assert closed["log"] is False and closed["results"] is False, closed
    assert closed["results_type"] == "GradingResults" and closed["results_empty"], closed
    assert closed["empty"] == "EOFError", closed


def test_control_unpatched_otter_runs_the_kernels_code(tmp_path):
    opened = _attack(tmp_path, "open")
    assert opened["log"] is True and opened["results"] is True, opened


def test_plain_loads_keeps_a_log_record_and_refuses_code():
    import logging
    import logging.handlers
    import pickle

    from wganlab.course.kernel_channels import plain_loads

    record = logging.LogRecord("otter.x", logging.INFO, __file__, 1, "hello %s", ("there",), None)
    data = logging.handlers.SocketHandler("localhost", 0).makePickle(record)[4:]  # drop the length prefix
    got = plain_loads(data)
    assert got["msg"] == "hello there" and got["name"] == "otter.x"
    with pytest.raises(pickle.UnpicklingError, match="builtins.exec"):
        plain_loads(pickle.dumps(type("Evil", (), {"__reduce__": lambda self: (exec, ("1",))})()))


DAEMON = textwrap.dedent("""
    import json, os, sys, time
    from wganlab.course import reaper
    subreaper = sys.argv[1] == "subreaper"
    if subreaper:
        assert reaper.become_subreaper()
    r, w = os.pipe()
    child = os.fork()
    if child == 0:  # a student's function: double fork and a new session, then linger
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.write(w, str(os.getpid()).encode())
                time.sleep(120)
            os._exit(0)
        os._exit(0)
    os.waitpid(child, 0)
    daemon = int(os.read(r, 32))
    time.sleep(0.3)  # its parent has exited: it is someone's orphan now
    adopted = daemon in reaper.children()
    killed = reaper.reap() if subreaper else []
    if not subreaper:
        os.kill(daemon, 9)  # the control leaves nothing behind either
    time.sleep(0.2)
    try:  # a zombie (killed, not yet waited for by init) is not alive
        alive = open(f"/proc/{daemon}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        alive = False
    print(json.dumps({"adopted": adopted, "killed": daemon in killed, "alive": alive}))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child subreaper is Linux's")
@pytest.mark.parametrize("mode", ["subreaper", "control"])
def test_a_daemon_that_left_its_session_is_adopted_and_killed(mode):
    proc = subprocess.run([sys.executable, "-c", DAEMON, mode], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    if mode == "subreaper":
        assert got == {"adopted": True, "killed": True, "alive": False}
    else:  # without the subreaper the orphan goes to init: the grader could not find it by its parent
        assert got["adopted"] is False and got["alive"] is False
