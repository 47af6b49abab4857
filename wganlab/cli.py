"""The ``wganlab`` command line: build, grade, gradebook, report, train, estimate, prepare-celeba, demo."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from wganlab import quiet

# The commands that train or time models, and so import Keras and its backend.
BACKEND_COMMANDS = ("train", "estimate", "demo", "bench")


def _add_build(sub) -> None:
    p = sub.add_parser("build", help="otter assign the masters: student notebooks and autograder zips")
    p.add_argument("names", nargs="*", help="assignments to build (default: all); '01' is enough")
    p.add_argument("--no-run-tests", action="store_true", help="skip grading the reference (faster, unsafe)")
    p.add_argument("--celeba", type=Path, default=None,
                   help="put this 32x32 CelebA cache into assignment 4's autograder zip, for your own course "
                        "under CelebA's terms (README); default zips carry no faces and grade on the grading "
                        "machine's WGANLAB_CELEBA, else MNIST")
    p.set_defaults(func=_build)


def _build(args) -> int:
    from wganlab.course import build

    for result in build.build(args.names or None, run_tests=not args.no_run_tests, celeba=args.celeba):
        print(f"{result.name}: {result.student_notebook} and {result.autograder_zip} ({result.seconds:.0f} s)")
    return 0


def _add_grade(sub) -> None:
    p = sub.add_parser("grade", help="grade submissions with a built autograder zip into a gradebook")
    p.add_argument("--assignment", required=True, help="e.g. 03_gan_vs_wgan_mnist ('03' is enough)")
    p.add_argument("--autograder", type=Path, default=None,
                   help="the autograder zip to use (default: dist/autograder/ASSIGNMENT.zip)")
    p.add_argument("--out", required=True, type=Path, help="folder for gradebook.csv and results/")
    p.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds per submission (default: wganlab.course.grading.DEFAULT_TIMEOUT, 900)")
    p.add_argument("--shard", default=None, metavar="K/N",
                   help="grade only part K of N (the sorted submission names dealt round-robin; "
                        "join the parts with `wganlab gradebook merge`)")
    p.add_argument("--celeba", type=Path, default=None,
                   help="32x32 CelebA cache on this machine for assignment 4's convergence question "
                        "(sets WGANLAB_CELEBA for the zip's checks; else the zip's own cache, else MNIST)")
    p.add_argument("--regrade", action="store_true",
                   help="grade every submission again (default: a rerun on the same --out grades only the "
                        "submissions whose results are missing or came from other bytes or another zip)")
    p.add_argument("submissions", nargs="+", type=Path,
                   help="notebooks, otter submission zips, or folders holding them")
    p.set_defaults(func=_grade)


def _grade(args) -> int:
    from wganlab.course import grading

    shard = grading.parse_shard(args.shard) if args.shard else None
    timeout = grading.DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    try:
        rows = grading.grade(args.assignment, args.submissions, args.out, jobs=args.jobs, timeout=timeout,
                             autograder=args.autograder, shard=shard, celeba=args.celeba, regrade=args.regrade,
                             progress=True)
    except grading.Interrupted as exc:
        print(f"wganlab grade: {exc}; the results of those are in {args.out / 'results'}: rerun the same "
              "command to grade the rest", file=sys.stderr)
        return 128 + exc.signum
    failed = sum(bool(row.error) for row in rows)
    print(f"gradebook: {args.out / 'gradebook.csv'} ({len(rows)} submissions, {failed} could not be graded)")
    return 0


def _add_gradebook(sub) -> None:
    p = sub.add_parser("gradebook", help="work with gradebooks: merge the parts of a sharded grading")
    actions = p.add_subparsers(dest="action", required=True)
    m = actions.add_parser("merge", help="join `wganlab grade --shard K/N` parts into one gradebook")
    m.add_argument("--out", required=True, type=Path, help="folder for the merged gradebook.csv and results/")
    m.add_argument("parts", nargs="+", type=Path, help="the --out folders of every shard, 1..N once each")
    m.set_defaults(func=_gradebook_merge)


def _gradebook_merge(args) -> int:
    from wganlab.course import gradebook

    count = gradebook.merge(args.parts, args.out)
    print(f"merged {count} submissions from {len(args.parts)} parts: {args.out / 'gradebook.csv'}")
    return 0


def _add_report(sub) -> None:
    p = sub.add_parser("report", help="what the class got wrong: pass rates, failure messages, a histogram, "
                                      "one HTML page")
    p.add_argument("--out", required=True, type=Path,
                   help="the --out folder of `wganlab grade` (or of `gradebook merge`); the report goes there")
    p.add_argument("--top", type=int, default=10, help="failure messages listed per question (default 10)")
    p.set_defaults(func=_report)


def _report(args) -> int:
    from wganlab.course import report

    summary, written = report.write_report(args.out, top=args.top)
    print(report.text_summary(summary))
    print("report: " + ", ".join(str(path) for path in written))
    return 0


def _add_prepare(sub) -> None:
    p = sub.add_parser("prepare-celeba", help="cache CelebA as grayscale squares in one .npz")
    p.add_argument("src", type=Path, help="img_align_celeba/ folder or its zip")
    p.add_argument("--out", type=Path, default=None,
                   help="the .npz cache to write (default: where the notebooks look, "
                        "$WGANLAB_CACHE or ~/.cache/wganlab, as celeba_gray<size>.npz)")
    p.add_argument("--n", type=int, default=30000, help="images to keep (default 30000)")
    p.add_argument("--size", type=int, default=32, choices=(32, 64),
                   help="side in pixels (default 32, what assignment 4 trains on)")
    p.set_defaults(func=_prepare)


def _prepare(args) -> int:
    from wganlab import data

    out = args.out if args.out is not None else data.celeba_cache(args.size)
    path = data.prepare_celeba(args.src, out, n=args.n, size=args.size, progress=True)
    print(f"wrote {path}")
    return 0


# The commands of modules that the students' wheel leaves out (wganlab.course.handout.INSTRUCTOR_ONLY).
INSTRUCTOR_MODULES = {"wganlab.commands": ("train", "estimate", "demo"), "wganlab.bench": ("bench",)}


def _register_or_stub(sub, module: str) -> None:
    """Add ``module``'s subcommands; where the module is absent, stubs that say so when run."""
    import importlib

    try:
        importlib.import_module(module).register(sub)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        for name in INSTRUCTOR_MODULES[module]:
            p = sub.add_parser(name, help="instructors' command (not in this wganlab)", add_help=False)
            p.set_defaults(func=_missing(exc), stub=True)


def _missing(exc: ModuleNotFoundError):
    def run(args):
        raise exc

    return run


def _absent_module(exc: ImportError) -> str | None:
    """The wganlab module whose absence raised ``exc``; None for any other import error (a bug)."""
    import importlib.util

    # `from wganlab.course import build` raises ImportError naming the package, not the module.
    found = re.search(r"cannot import name '(\w+)'", str(exc))
    missing = f"{exc.name}.{found.group(1)}" if found and not isinstance(exc, ModuleNotFoundError) else exc.name
    if not (missing or "").startswith("wganlab."):
        return None
    parts = missing.split(".")
    for end in range(2, len(parts) + 1):
        name = ".".join(parts[:end])
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except ImportError:  # a parent is a module, not a package: a name missing from it, a bug
            return None
    return None


def _instructors_only(command: str, missing: str) -> str:
    return (f"wganlab {command}: error: this is an instructors' command, and this wganlab (the students' "
            f"wheel from a hand-out) leaves out {missing}: run it where wganlab is installed from the "
            "course repository (pip install -e .)")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    parser = argparse.ArgumentParser(prog="wganlab", description=__doc__)
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of user errors too (internal errors always show theirs)")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_build, _add_grade, _add_gradebook, _add_report, _add_prepare):
        add(sub)
    for module in INSTRUCTOR_MODULES:
        _register_or_stub(sub, module)
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "stub", False):  # a stub takes any arguments: it only says where to run
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command in BACKEND_COMMANDS and not getattr(args, "stub", False):
        # Before anything imports TensorFlow: its C++ log lines (CUDA probes, oneDNN) are noise in
        # a terminal. A user who sets TF_CPP_MIN_LOG_LEVEL keeps the later lines they asked for.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        quiet.import_keras()
    # Only errors a user can fix become one line; anything else is a bug and keeps its traceback.
    # Importing nothing else here keeps the commands that need no grading free of otter.
    from wganlab.errors import UserError

    try:
        return args.func(args)
    except (UserError, FileNotFoundError) as exc:
        if args.debug:
            raise
        print(f"wganlab {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        # Only a wganlab module that is not there: a missing third-party package is a broken install.
        missing = _absent_module(exc)
        if args.debug or missing is None:
            raise
        print(_instructors_only(args.command, missing), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"wganlab {args.command}: interrupted", file=sys.stderr)
        return 130
