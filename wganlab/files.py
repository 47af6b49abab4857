"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Callable


def atomic_write(final: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary path beside ``final``, then move it into place; return ``final``.

    An interrupted or failing ``write`` leaves ``final`` as it was (absent or the old file) and
    removes the temporary file. The temporary name keeps ``final``'s suffixes, for writers that
    look at them (``np.savez`` adds ``.npz``, Keras wants ``.weights.h5``).
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp{''.join(final.suffixes)}")
    try:
        write(tmp)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()
    return final


CACHE_ENV = "WGANLAB_CACHE"  # the one name of the prepared-data folder's variable (notebooks, classifier, grader)


def cache_dir() -> Path:
    """The folder for prepared data and the classifier's weights: ``$WGANLAB_CACHE`` if set, else ``~/.cache/wganlab``."""
    # Independent of the working folder, so a notebook (whose kernel starts in the notebook's
    # folder), `wganlab prepare-celeba` run from anywhere and the grader agree on one folder.
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "wganlab").expanduser()
