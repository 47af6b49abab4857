import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
CELEBA_ZIP = ROOT.parent / "shared" / "data" / "celeba_first10k_89x109.zip"


@pytest.fixture(scope="session")
def celeba_zip():
    """The shared 10,000-image CelebA zip, or a skip where this checkout has no ../shared."""
    if not CELEBA_ZIP.exists():
        pytest.skip(f"needs {CELEBA_ZIP} (real CelebA faces; see datasets/README.md)")
    return CELEBA_ZIP
