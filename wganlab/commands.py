"""The training-side commands: ``wganlab train`` and ``wganlab demo``."""

from __future__ import annotations

import argparse
import csv
import dataclasses
from pathlib import Path

from wganlab.errors import UsageError

KINDS = ("gan", "wgan", "wgan_gp")
DATASETS = ("mnist", "celeba", "8gaussians", "25gaussians", "swissroll")


def register(sub) -> None:
    """Add the training-side subcommands to the ``wganlab`` parser."""
    p = sub.add_parser("train", help="train a GAN, WGAN or WGAN-GP and save samples and curves")
    p.add_argument("--kind", choices=KINDS, default="wgan_gp")
    p.add_argument("--data", choices=DATASETS, default="mnist")
    p.add_argument("--digits", default="1", help="MNIST classes, comma separated (default 1)")
    p.add_argument("--mnist", type=Path, default=None, help="full MNIST: mnist.npz or IDX folder")
    p.add_argument("--celeba", type=Path, default=None,
                   help="cache written by `wganlab prepare-celeba` (default: the file it writes without --out, "
                        "celeba_gray32.npz in $WGANLAB_CACHE or ~/.cache/wganlab)")
    p.add_argument("--steps", type=int, default=1000, help="generator steps (default 1000)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--functions", type=Path, default=None,
                   help="notebook or .py defining the loss functions (default: the reference masters)")
    p.add_argument("--out", type=Path, required=True, help="folder for samples.png, losses.png, history.csv")
    p.set_defaults(func=run_train)

    e = sub.add_parser("estimate", help="estimate W with trained critics for a family f_theta against the exact W")
    e.add_argument("--family", required=True,
                   help="parallel_lines, shifted_gaussian, scaled_gaussian, unequal_supports, or your own "
                        "path/to/file.py:function taking (theta, n, seed) and returning an (n, d) array")
    e.add_argument("--theta0", type=float, default=0.0)
    e.add_argument("--thetas", required=True, help="A:B:N, N values from A to B (write --thetas=-1:1:11 when A < 0)")
    e.add_argument("--critic", choices=("clip", "gp"), default="clip")
    e.add_argument("--clip", type=float, default=0.01, help="weight clipping constant c (--critic clip)")
    e.add_argument("--steps", type=int, default=500, help="critic steps per theta")
    e.add_argument("--functions", type=Path, default=None,
                   help="notebook or .py defining critic_loss (and clip_weights); default: the reference")
    e.add_argument("--out", type=Path, required=True, help="folder for estimate.png, estimate.csv and critics.png")
    e.set_defaults(func=run_estimate)

    d = sub.add_parser("demo", help="a short WGAN-GP on one MNIST digit with the reference losses")
    d.add_argument("--out", type=Path, default=Path("out/demo"))
    d.add_argument("--steps", type=int, default=600)
    d.add_argument("--train-only", action="store_true", help="skip building and grading")
    d.set_defaults(func=run_demo)


def objectives_for(kind: str, functions: Path | None):
    """Objectives of ``kind`` from a user's notebook/file, or from the reference masters."""
    from wganlab.course import functions as fn
    from wganlab import train

    names = {"gan": ("discriminator_loss", "generator_loss"),
             "wgan": ("critic_loss", "wgan_generator_loss", "clip_weights"),
             "wgan_gp": ("critic_loss_gp", "wgan_generator_loss")}[kind]
    if functions is not None:
        ns = fn.load_functions(functions, names)
    elif kind == "wgan_gp":
        gp = fn.reference_functions("04_wgan_gp_celeba")
        ns = argparse.Namespace(critic_loss_gp=gp.critic_loss_gp,
                                wgan_generator_loss=fn.reference_functions("03_gan_vs_wgan_mnist").wgan_generator_loss)
    else:
        ns = fn.reference_functions("03_gan_vs_wgan_mnist")
    if kind == "gan":
        return train.gan_objectives(ns.discriminator_loss, ns.generator_loss)
    if kind == "wgan":
        return train.wgan_objectives(ns.critic_loss, ns.wgan_generator_loss, ns.clip_weights)
    return train.wgan_gp_objectives(ns.critic_loss_gp, ns.wgan_generator_loss)


def _dataset(args):
    from wganlab import data, toys

    if args.data == "mnist":
        digits = [int(d) for d in str(args.digits).split(",") if d.strip()]
        return data.load_mnist(digits=digits, path=args.mnist)[0]
    if args.data == "celeba":
        return data.load_celeba(args.celeba if args.celeba is not None else data.celeba_cache())
    sampler = {"8gaussians": toys.eight_gaussians, "25gaussians": toys.twenty_five_gaussians,
               "swissroll": toys.swiss_roll}[args.data]
    return sampler(10000, seed=args.seed)


def _models(real, seed: int):
    from wganlab import models

    shape = real.shape[1:]
    if len(shape) == 3 and shape[0] in (32, 64) and shape[0] == shape[1]:
        return models.dcgan_pair(size=shape[0], seed=seed)
    return models.mlp_pair(shape, seed=seed)


def train_and_report(kind, real, objectives, config, out: Path) -> dict:
    """Train the default models for ``real`` and write samples.png, losses.png, history.csv.

    Returns and prints steps, seconds, steps/s, the exact pixel W1 of 500 samples against 500 real
    ones and, for 28x28 digits, their classifier-feature Frechet distance ``fd`` (else None).
    """
    import numpy as np

    from wganlab import metrics, plots, train

    generator, critic = _models(real, config.seed)
    result = train.train(generator, critic, real, objectives, config)
    out.mkdir(parents=True, exist_ok=True)
    fake = train.generate(generator, 500, seed=config.seed)
    if real.ndim == 2:
        plots.scatter_2d(real[:2000], fake, path=out / "samples.png", title=f"{kind}: real and generated")
    else:
        plots.sample_grid(fake[:64], path=out / "samples.png", title=f"{kind}: {result.steps} generator steps")
    plots.loss_curves(result.history, path=out / "losses.png", title=kind)
    with open(out / "history.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["step", *result.history])
        for i, values in enumerate(zip(*result.history.values())):
            writer.writerow([i + 1, *values])
    rng = np.random.default_rng(config.seed)
    sample = real[rng.choice(len(real), size=min(500, len(real)), replace=False)]
    w1 = metrics.wasserstein1(fake[: len(sample)], sample)
    # Pixel W1 can rank blurred blends of digits above clean ones; on digits the classifier's
    # feature space can tell them apart, so report both.
    fd = metrics.digit_frechet_distance(fake[: len(sample)], sample) if real.shape[1:] == (28, 28, 1) else None
    summary = {"steps": result.steps, "seconds": result.seconds, "steps_per_s": result.steps_per_s, "w1": w1, "fd": fd}
    feature = "" if fd is None else f", digit-feature FD = {fd:.2f}"
    print(f"{kind}: {result.steps} steps in {result.seconds:.1f} s ({result.steps_per_s:.1f}/s), "
          f"exact W1(500 generated, 500 real) = {w1:.2f}{feature}; wrote {out}/samples.png, losses.png, history.csv")
    return summary


def run_train(args) -> int:
    """``wganlab train``."""
    from wganlab import train

    preset = {"gan": train.gan_config, "wgan": train.wgan_config, "wgan_gp": train.wgan_gp_config}[args.kind]
    config = preset(steps=args.steps, batch_size=args.batch_size, seed=args.seed)
    train_and_report(args.kind, _dataset(args), objectives_for(args.kind, args.functions), config, args.out)
    return 0


def run_demo(args) -> int:
    """``wganlab demo``: a short WGAN-GP on one digit, then build and grade every assignment."""
    from wganlab import data, train
    from wganlab.course import build, grading

    real = data.load_mnist(digits=[1])[0]
    config = dataclasses.replace(train.wgan_gp_config(), steps=args.steps)
    train_and_report("wgan_gp", real, objectives_for("wgan_gp", None), config, args.out / "train")
    if args.train_only:
        return 0
    for result in build.build():
        print(f"built {result.name} ({result.seconds:.0f} s): the reference scored full marks at build time")
        out = args.out / "grades" / result.name
        reference = out / "submissions" / "reference.ipynb"
        untouched = out / "submissions" / "untouched.ipynb"
        reference.parent.mkdir(parents=True, exist_ok=True)
        reference.write_bytes(result.reference_notebook.read_bytes())
        untouched.write_bytes(result.student_notebook.read_bytes())
        grading.grade(result.name, [reference, untouched], out, jobs=2)
        print((out / "gradebook.csv").read_text())
    return 0


def parse_thetas(text: str):
    """'A:B:N' -> N evenly spaced values from A to B (numpy array)."""
    import numpy as np

    try:
        a, b, n = text.split(":")
        values = np.linspace(float(a), float(b), int(n))
    except ValueError:
        raise UsageError(f"--thetas must look like A:B:N (e.g. -1:1:11), got {text!r}") from None
    if len(values) < 2:
        raise UsageError(f"--thetas needs N >= 2 values, got {text!r}")
    return values


def _load_family_file(path_text: str, attr: str):
    """The function ``attr`` of the Python file ``path_text``, with errors that say what is missing."""
    import importlib.util

    path = Path(path_text).expanduser()
    if not path.is_file():
        raise UsageError(f"--family: no such file {str(path)!r} (give path/to/file.py:function)")
    spec = importlib.util.spec_from_file_location(f"wganlab_user_family_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not attr:
        raise UsageError(f"--family: name the function after the file, e.g. {path_text}:my_family")
    if not hasattr(module, attr):
        found = sorted(k for k, v in vars(module).items() if callable(v) and not k.startswith("_"))
        raise UsageError(f"--family: {str(path)!r} defines no {attr!r}; its functions: {', '.join(found) or 'none'}")
    fn = getattr(module, attr)
    if not callable(fn):
        raise UsageError(f"--family: {attr!r} in {str(path)!r} is a {type(fn).__name__}, not a function")
    return fn


def _family(name: str, theta0: float = 0.0):
    """A built-in family's name, or a user's function from ``file.py:function`` or ``module:function``.

    A user's function is called once on (theta0, 8, 0) so that a wrong signature or return
    shape fails here, with a message, rather than inside training.
    """
    from wganlab import estimator

    if name in estimator.FAMILIES:
        return name
    if ":" not in name:
        raise UsageError(f"unknown family {name!r}: choose from {', '.join(estimator.FAMILIES)} "
                         "or give path/to/file.py:function (or module:function)")
    source, _, attr = name.rpartition(":")
    if source.endswith(".py") or Path(source).expanduser().is_file():
        fn = _load_family_file(source, attr)
    else:  # an importable module
        import importlib

        try:
            fn = getattr(importlib.import_module(source), attr)
        except (ImportError, AttributeError) as exc:
            raise UsageError(f"--family: cannot load {name!r} ({exc}); give path/to/file.py:function") from None
    try:
        out = fn(float(theta0), 8, 0)
    except TypeError as exc:
        raise UsageError(f"--family: {attr} must take (theta, n, seed): calling {attr}({theta0}, 8, 0) "
                         f"raised {exc}") from None
    import numpy as np

    try:
        shape = np.asarray(out, dtype=np.float64).shape
    except (TypeError, ValueError):
        raise UsageError(f"--family: {attr}({theta0}, 8, 0) must return a numeric array of shape (8, d), "
                         f"got {type(out).__name__}") from None
    if len(shape) not in (1, 2) or shape[0] != 8:
        raise UsageError(f"--family: {attr}(theta, n, seed) must return n samples as an array of shape (n, d); "
                         f"{attr}({theta0}, 8, 0) returned shape {shape}")
    return fn


def _critic_figure(est, family, theta0: float, config, label: str, path: Path) -> bool:
    """Contours of three of the trained critics with their samples (2-D families only); False if not 2-D."""
    from wganlab import estimator, plots

    try:
        panels = estimator.critic_surfaces(est, family, theta0, seed=config.seed)
    except ValueError:  # samples that are not 2-D have no plane to draw
        return False
    plots.critic_contours(*panels, path=path, title=f"{label}: learned critics (blue real, red generated)")
    return True


def run_estimate(args) -> int:
    """``wganlab estimate``: one critic per theta, a PNG of estimate against exact W and a CSV."""
    from wganlab import estimator, plots
    from wganlab.course import functions

    thetas = parse_thetas(args.thetas)
    names = ("critic_loss", "clip_weights") if args.critic == "clip" else ("critic_loss",)
    ns = (functions.load_functions(args.functions, names) if args.functions
          else functions.reference_functions("02_critic_estimator"))
    config = estimator.CriticConfig(kind=args.critic, clip=args.clip, steps=args.steps)
    if args.critic == "clip":
        objective = estimator.clipped_objective(ns.critic_loss)
        constraint = lambda critic: ns.clip_weights(critic, args.clip)  # noqa: E731
    else:
        objective, constraint = estimator.penalised_objective(ns.critic_loss), None
    family = _family(args.family, args.theta0)
    est = estimator.estimate_curve(family, thetas, args.theta0, objective, config, constraint)
    args.out.mkdir(parents=True, exist_ok=True)
    label = f"{args.critic} critic" + (f" (c = {args.clip})" if args.critic == "clip" else "")
    drew = _critic_figure(est, family, args.theta0, config, label, args.out / "critics.png")
    plots.w_versus_theta(thetas, {label: est.estimates}, est.exact, path=args.out / "estimate.png",
                         title=f"{args.family}, theta0 = {args.theta0}", rescale=args.critic == "clip")
    with open(args.out / "estimate.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["theta", "estimate", "exact"])
        writer.writerows(zip(thetas.tolist(), est.estimates.tolist(), est.exact.tolist()))
    wrote = "estimate.png, estimate.csv" + (" and critics.png" if drew else " (no critics.png: samples are not 2-D)")
    print(f"kappa = {est.kappa:.4g}, correlation = {est.pearson:.3f}; wrote {args.out}/: {wrote}")
    return 0
