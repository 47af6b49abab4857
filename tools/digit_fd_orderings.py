"""What the digit-feature FD and pixel W1 say about reals, blurred blends of two digits, and noise.

Scores against 500 real digits (a random half of the embedded 5,000): 500 other real digits, the
blurred blends (mean of two digits of different classes, 3x3 box blur) of 500 random pairs, and
500 uniform-noise images; the same sets as tests/test_metrics.py's ordering test. Writes one JSON
object (docs/sweeps/digit_fd_orderings.json, read by docs/claims.py):

    python tools/digit_fd_orderings.py docs/sweeps/digit_fd_orderings.json
"""
import json
import sys
from pathlib import Path

import keras
import numpy as np
from scipy.ndimage import uniform_filter

from wganlab import data, metrics
from wganlab.files import atomic_write


def sets() -> dict:
    """The reference reals and the three scored sets, float32 (N, 28, 28, 1) in [-1, 1]."""
    images, labels = data.load_mnist()
    idx = np.random.default_rng(0).permutation(len(images))
    i, j = idx[1000:1500], idx[1500:2000]
    keep = labels[i] != labels[j]
    return {"reference": images[idx[500:1000]], "real": images[idx[:500]],
            "blurred_blends": uniform_filter(0.5 * (images[i] + images[j])[keep], size=(1, 3, 3, 1)),
            "noise": np.random.default_rng(1).uniform(-1, 1, (500, 28, 28, 1)).astype(np.float32)}


def main(out: Path) -> None:
    s = sets()
    ref = s.pop("reference")
    record = {"backend": keras.backend.backend(), "n_reference": len(ref)}
    for name, x in s.items():
        record[name] = {"n": len(x), "fd": metrics.digit_frechet_distance(x, ref),
                        "w1": metrics.wasserstein1(x, ref[: len(x)])}
    atomic_write(out, lambda p: p.write_text(json.dumps(record, indent=1) + "\n"))
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
