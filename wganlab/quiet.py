"""Keeping TensorFlow's C++ start-up lines out of a terminal or a notebook cell.

TensorFlow 2.21 writes "oneDNN custom operations are on", "Could not find cuda drivers" and the
absl banner from C++ while it is imported, before its logging is set up, whatever
TF_CPP_MIN_LOG_LEVEL says; they go to file descriptor 2, so Python's ``sys.stderr`` cannot catch
them. Importing Keras (which imports its backend) with that descriptor muted is the one way.
"""

from __future__ import annotations

import os
import sys


def import_keras() -> None:
    """Import Keras and its backend with file descriptor 2 sent to /dev/null meanwhile (no-op once imported)."""
    if "keras" in sys.modules:
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import keras  # noqa: F401  (imports the backend)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
