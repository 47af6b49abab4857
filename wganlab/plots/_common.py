"""What every figure shares: colours, input checks and saving."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from wganlab.arrays import to_numpy

REAL_COLOR = "#1f77b4"
FAKE_COLOR = "#d62728"
EXACT_COLOR = "black"


def save(fig: Figure, path) -> Figure:
    if path is not None:
        path = Path(path).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    return fig


def finish(fig: Figure, path, title: str | None = None, ax=None) -> Figure:
    """Title (over ``ax`` at 11 pt if given, else over the figure at 12 pt), constrained layout, then :func:`save`."""
    if title and ax is not None:
        ax.set_title(title, fontsize=11)
    elif title:
        fig.suptitle(title, fontsize=12)
    fig.set_layout_engine("constrained")
    return save(fig, path)


def array(x, name: str) -> np.ndarray:
    """``x`` as a float64 numpy array (any shape); a ValueError naming ``name`` if it holds no numbers."""
    return to_numpy(x, name).astype(np.float64)


def curve(x, name: str, n: int | None = None) -> np.ndarray:
    arr = array(x, name)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, found shape {arr.shape}.")
    if n is not None and arr.size != n:
        raise ValueError(f"{name} has {arr.size} values but thetas has {n}; they must match.")
    return arr


def points(x, name: str) -> np.ndarray:
    arr = array(x, name)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
        raise ValueError(f"{name} must be 2-D points of shape (N, 2) with N >= 1, found {arr.shape}.")
    return arr
