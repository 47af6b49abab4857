"""Tests for wganlab.data (MNIST, CelebA preparation and loading) and wganlab.toys.

Every file a test needs is written under tmp_path; nothing is written into the repository.
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from wganlab import data, toys
from wganlab.data import DataError, load_celeba, load_mnist, prepare_celeba

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)


def luma(rgb) -> int:
    """PIL's RGB -> L value; red and blue have the same channel mean but different luma."""
    return Image.new("RGB", (1, 1), rgb).convert("L").getpixel((0, 0))


# ------------------------------------------------------------------------------- embedded MNIST


def test_embedded_mnist_shapes_dtype_range():
    x, y = load_mnist()
    assert x.shape == (5000, 28, 28, 1) and x.dtype == np.float32
    assert y.shape == (5000,) and y.dtype == np.int64
    assert x.min() == -1.0 and x.max() == 1.0
    pixels = (x + 1.0) * 127.5
    np.testing.assert_allclose(pixels, np.round(pixels), atol=1e-4)  # pixel/127.5 - 1 of integers
    assert np.bincount(y, minlength=10).tolist() == [500] * 10
    assert 0.1 < (x > 0).mean() < 0.3  # digits are mostly background, not all-black or noise


def test_embedded_mnist_is_cached_and_returns_copies():
    x1, y1 = load_mnist()
    x1[:] = 0.5
    y1[:] = 7
    x2, y2 = load_mnist()
    assert x2.min() == -1.0 and np.bincount(y2).tolist() == [500] * 10
    assert data._embedded_mnist.cache_info().currsize == 1
    assert data._embedded_mnist.cache_info().hits >= 1


@pytest.mark.parametrize("digits", [3, np.int64(3), [3], (3,)])
def test_select_one_digit(digits):
    x, y = load_mnist(digits)
    assert x.shape == (500, 28, 28, 1) and set(y.tolist()) == {3}
    full_x, full_y = load_mnist()
    np.testing.assert_array_equal(x, full_x[full_y == 3])


@pytest.mark.parametrize("digits", [[1, 7], (7, 1), np.array([1, 7]), range(1, 8, 6)])
def test_select_two_digits(digits):
    x, y = load_mnist(digits=digits)
    assert x.shape == (1000, 28, 28, 1)
    assert np.bincount(y, minlength=10)[[1, 7]].tolist() == [500, 500]


@pytest.mark.parametrize("digits", [10, -1, [3, 11], "3", [], 2.0, True, [1, None]])
def test_invalid_digits(digits):
    with pytest.raises(DataError, match="0..9"):
        load_mnist(digits)


def test_invalid_split():
    with pytest.raises(DataError, match="split"):
        load_mnist(split="validation")
    with pytest.raises(DataError, match="no test split"):
        load_mnist(split="test")
    assert issubclass(DataError, ValueError)


# ---------------------------------------------------------------------------- MNIST from files


def fake_mnist(n, seed):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = np.arange(n, dtype=np.uint8) % 10  # every digit present when n >= 10
    return images, labels


def write_idx(path: Path, array: np.ndarray) -> None:
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    payload = header + array.tobytes()
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)


def write_idx_folder(folder: Path, gz: bool = False, sep: str = "-") -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {"train": fake_mnist(30, 1), "test": fake_mnist(20, 2)}
    ext = ".gz" if gz else ""
    for part, prefix in (("train", "train"), ("test", "t10k")):
        write_idx(folder / f"{prefix}-images{sep}idx3-ubyte{ext}", arrays[part][0])
        write_idx(folder / f"{prefix}-labels{sep}idx1-ubyte{ext}", arrays[part][1])
    return arrays


def expected(images):
    return images.astype(np.float32)[..., None] / 127.5 - 1.0


def test_mnist_npz_round_trip(tmp_path):
    (xtr, ytr), (xte, yte) = fake_mnist(12, 1), fake_mnist(8, 2)
    path = tmp_path / "mnist.npz"
    np.savez_compressed(path, x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)

    x, y = load_mnist(path=path)
    np.testing.assert_allclose(x, expected(xtr), atol=1e-6)
    assert x.dtype == np.float32 and y.dtype == np.int64 and y.tolist() == ytr.tolist()

    x, y = load_mnist(path=str(path), split="test")
    np.testing.assert_allclose(x, expected(xte), atol=1e-6)

    x, y = load_mnist(path=path, split="all")
    assert x.shape == (20, 28, 28, 1) and y.tolist() == ytr.tolist() + yte.tolist()

    x, y = load_mnist([2, 5], path=path)
    np.testing.assert_allclose(x, expected(xtr[np.isin(ytr, [2, 5])]), atol=1e-6)
    assert set(y.tolist()) == {2, 5}


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(x_train=np.zeros((5, 28, 27), np.uint8)), r"\(N, 28, 28\)"),
        (dict(x_train=np.zeros((5, 784), np.uint8)), r"\(N, 28, 28\)"),
        (dict(y_train=np.zeros((4,), np.uint8)), "5 images but 4 labels"),
        (dict(y_train=np.full((5,), 10, np.uint8)), "labels in 0..9"),
        (dict(x_train=np.full((5, 28, 28), 300.0)), "pixels in 0..255"),
        (dict(x_train=None), "x_train"),
    ],
)
def test_mnist_npz_bad_content(tmp_path, change, message):
    arrays = dict(x_train=np.zeros((5, 28, 28), np.uint8), y_train=np.zeros((5,), np.uint8))
    arrays.update(change)
    path = tmp_path / "mnist.npz"
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    with pytest.raises(DataError, match=message):
        load_mnist(path=path)


def test_mnist_npz_not_an_archive(tmp_path):
    text = tmp_path / "mnist.npz"
    text.write_text("not numpy")
    with pytest.raises(DataError, match="mnist.npz"):
        load_mnist(path=text)
    npy = tmp_path / "mnist.npy"
    np.save(npy, np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(DataError, match="single .npy array"):
        load_mnist(path=npy)


def test_mnist_missing_path_is_named(tmp_path):
    missing = tmp_path / "nowhere" / "mnist.npz"
    with pytest.raises(DataError, match="does not exist") as info:
        load_mnist(path=missing)
    assert str(missing) in str(info.value)
    assert "datasets/README.md" in str(info.value)


@pytest.mark.parametrize("gz, sep", [(False, "-"), (True, "-"), (False, ".")])
def test_mnist_idx_round_trip(tmp_path, gz, sep):
    arrays = write_idx_folder(tmp_path / "idx", gz=gz, sep=sep)
    x, y = load_mnist(path=tmp_path / "idx")
    np.testing.assert_allclose(x, expected(arrays["train"][0]), atol=1e-6)
    assert y.tolist() == arrays["train"][1].tolist() and y.dtype == np.int64
    x, y = load_mnist(path=tmp_path / "idx", split="test")
    np.testing.assert_allclose(x, expected(arrays["test"][0]), atol=1e-6)
    x, y = load_mnist(4, path=tmp_path / "idx", split="all")
    assert x.shape == (5, 28, 28, 1) and set(y.tolist()) == {4}


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_idx_truncated(tmp_path, gz):
    write_idx_folder(tmp_path, gz=gz)
    name = "train-images-idx3-ubyte" + (".gz" if gz else "")
    raw = (tmp_path / name).read_bytes()
    (tmp_path / name).write_bytes(raw[: len(raw) - 100])
    with pytest.raises(DataError, match="truncated") as info:
        load_mnist(path=tmp_path)
    assert name in str(info.value)


def test_mnist_idx_bad_magic_and_mismatch(tmp_path):
    write_idx_folder(tmp_path)
    labels = tmp_path / "train-labels-idx1-ubyte"
    good = labels.read_bytes()
    labels.write_bytes(bytes([0, 0, 8, 3]) + good[4:])  # an images header on a labels file
    with pytest.raises(DataError, match="magic number 0x00000801"):
        load_mnist(path=tmp_path)
    write_idx(labels, np.zeros(29, np.uint8))  # 30 images, 29 labels
    with pytest.raises(DataError, match="30 images but 29 labels"):
        load_mnist(path=tmp_path)


def test_mnist_idx_missing_file(tmp_path):
    write_idx_folder(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    load_mnist(path=tmp_path)  # the train split does not need the test files
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte"):
        load_mnist(path=tmp_path, split="all")


# ---------------------------------------------------------------------------------- CelebA


def face(width, height, left=RED, right=BLUE) -> Image.Image:
    """White margins outside the centre square; inside it, `left` and `right` halves."""
    im = Image.new("RGB", (width, height), WHITE)
    side = min(width, height)
    x0, y0 = (width - side) // 2, (height - side) // 2
    im.paste(left, (x0, y0, x0 + side // 2, y0 + side))
    im.paste(right, (x0 + side // 2, y0, x0 + side, y0 + side))
    return im


# Official size, half size, and a landscape image (crop from the sides instead).
SIZES = [(178, 218), (89, 109), (120, 80)]


def encode(im: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return buf.getvalue()


def make_folder(folder: Path, fmt="PNG") -> list[tuple]:
    """Write 000001..000003 in reverse order; image 2 has its colours swapped."""
    folder.mkdir(parents=True, exist_ok=True)
    ext = ".png" if fmt == "PNG" else ".jpg"
    halves = [(RED, BLUE), (BLUE, RED), (RED, BLUE)]
    for i in reversed(range(3)):
        (folder / f"{i + 1:06d}{ext}").write_bytes(encode(face(*SIZES[i], *halves[i]), fmt))
    (folder / "list_attr_celeba.txt").write_text("not an image")
    return halves


def make_zip(path: Path, fmt="JPEG") -> list[tuple]:
    """An archive in the official layout, members out of order, plus macOS junk."""
    halves = [(RED, BLUE), (BLUE, RED), (RED, BLUE)]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("img_align_celeba/", b"")
        for i in reversed(range(3)):
            zf.writestr(f"img_align_celeba/{i + 1:06d}.jpg", encode(face(*SIZES[i], *halves[i]), fmt))
        zf.writestr("__MACOSX/img_align_celeba/._000001.jpg", b"resource fork")
    return halves


def check_pattern(images, halves, tol):
    size = images.shape[1]
    margin = size // 8  # keep clear of resampling ringing at the colour edge
    for img, (left, right) in zip(images, halves):
        assert abs(img[:, : size // 2 - margin].astype(int) - luma(left)).max() <= tol
        assert abs(img[:, size // 2 + margin :].astype(int) - luma(right)).max() <= tol
        # White margins would show up if the crop were off-centre or the image were squashed.
        assert img.max() < max(luma(left), luma(right)) + 20


@pytest.mark.parametrize("size", [64, 32])
def test_prepare_celeba_from_folder(tmp_path, size):
    halves = make_folder(tmp_path / "img_align_celeba")
    out = tmp_path / "cache" / "nested" / f"celeba{size}.npz"  # parents are created
    assert prepare_celeba(tmp_path / "img_align_celeba", out, n=3, size=size, progress=False) == out
    with np.load(out) as npz:
        images = npz["images"]
        assert int(npz["size"]) == size and str(npz["source"]) == "img_align_celeba"
        assert int(npz["version"]) == data.CELEBA_FORMAT_VERSION
    assert images.shape == (3, size, size) and images.dtype == np.uint8
    assert luma(RED) - luma(BLUE) > 40  # the fixture distinguishes luma from a channel mean
    check_pattern(images, halves, tol=1)
    loaded = load_celeba(out)
    assert loaded.shape == (3, size, size, 1) and loaded.dtype == np.float32
    np.testing.assert_allclose(loaded[..., 0], images / 127.5 - 1.0, atol=1e-6)
    assert not [p for p in out.parent.iterdir() if p != out]  # no temp file left behind


def test_prepare_celeba_from_zip_matches_folder(tmp_path):
    halves = make_zip(tmp_path / "img_align_celeba.zip")
    out = prepare_celeba(tmp_path / "img_align_celeba.zip", tmp_path / "z.npz", n=3, progress=False)
    with np.load(out) as npz:
        zipped, source = npz["images"], str(npz["source"])
    assert source == "img_align_celeba.zip" and zipped.shape == (3, 64, 64)
    check_pattern(zipped, halves, tol=4)  # JPEG noise
    # The same JPEG bytes in a folder give identical arrays; the folder holding
    # img_align_celeba/ is accepted as well.
    with zipfile.ZipFile(tmp_path / "img_align_celeba.zip") as zf:
        zf.extractall(tmp_path / "unzipped", members=[m for m in zf.namelist() if "MACOSX" not in m])
    out2 = prepare_celeba(tmp_path / "unzipped", tmp_path / "f.npz", n=3, progress=False)
    with np.load(out2) as npz:
        np.testing.assert_array_equal(npz["images"], zipped)


def test_prepare_celeba_takes_first_n_sorted(tmp_path):
    halves = make_folder(tmp_path / "imgs")
    out = prepare_celeba(tmp_path / "imgs", tmp_path / "c.npz", n=2, size=32, progress=False)
    images = np.load(out)["images"]
    assert images.shape == (2, 32, 32)
    check_pattern(images, halves[:2], tol=1)


def test_prepare_celeba_too_few(tmp_path):
    make_zip(tmp_path / "c.zip")
    with pytest.raises(DataError, match="found 3") as info:
        prepare_celeba(tmp_path / "c.zip", tmp_path / "c.npz", n=5, progress=False)
    assert "--n 3" in str(info.value)
    assert not (tmp_path / "c.npz").exists()
    out = prepare_celeba(tmp_path / "c.zip", tmp_path / "c.npz", n=5, progress=False, allow_fewer=True)
    assert np.load(out)["images"].shape == (3, 64, 64)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_prepare_celeba_corrupt_image_named(tmp_path, damage):
    make_folder(tmp_path / "imgs", fmt="JPEG")
    victim = tmp_path / "imgs" / "000002.jpg"
    raw = victim.read_bytes()
    broken = {"garbage": b"\xff\xd8 not a jpeg" * 10, "truncated": raw[: len(raw) // 3], "empty": b""}
    victim.write_bytes(broken[damage])
    with pytest.raises(DataError, match="000002.jpg"):
        prepare_celeba(tmp_path / "imgs", tmp_path / "c.npz", n=3, progress=False)
    assert not (tmp_path / "c.npz").exists()


def test_prepare_celeba_corrupt_zip_member_named(tmp_path):
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as zf:
        zf.writestr("img_align_celeba/000001.jpg", encode(face(89, 109), "JPEG"))
        zf.writestr("img_align_celeba/000002.jpg", b"broken")
    with pytest.raises(DataError, match="img_align_celeba/000002.jpg"):
        prepare_celeba(tmp_path / "c.zip", tmp_path / "c.npz", n=2, progress=False)


@pytest.mark.parametrize(
    "kwargs, message",
    [(dict(size=48), "size must be one of"), (dict(size=64.0), "size must be"), (dict(n=0), "positive")],
)
def test_prepare_celeba_bad_arguments(tmp_path, kwargs, message):
    make_folder(tmp_path / "imgs")
    with pytest.raises(DataError, match=message):
        prepare_celeba(tmp_path / "imgs", tmp_path / "c.npz", progress=False, **{"n": 3, **kwargs})


def test_prepare_celeba_bad_sources(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        prepare_celeba(tmp_path / "missing", tmp_path / "c.npz")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataError, match="folder or .zip"):
        prepare_celeba(tmp_path / "notes.txt", tmp_path / "c.npz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="found 0"):
        prepare_celeba(tmp_path / "empty", tmp_path / "c.npz", allow_fewer=True)


def test_prepare_celeba_progress_goes_to_stderr(tmp_path, capsys):
    make_folder(tmp_path / "imgs")
    prepare_celeba(tmp_path / "imgs", tmp_path / "c.npz", n=3, progress=True)
    captured = capsys.readouterr()
    assert "3/3" in captured.err and captured.out == ""


@pytest.fixture
def good_cache(tmp_path):
    """A folder with a valid cache in it, and a snapshot to prove it is left untouched."""
    make_folder(tmp_path / "imgs")
    out = prepare_celeba(tmp_path / "imgs", tmp_path / "cache" / "c.npz", n=2, size=32, progress=False)
    return out, out.read_bytes(), sorted(os.listdir(out.parent))


def test_interrupt_while_decoding_keeps_old_cache(tmp_path, monkeypatch, good_cache):
    out, before, listing = good_cache
    real_decode, calls = data._decode_image, []

    def decode_then_interrupt(*args):
        calls.append(args[1])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_decode(*args)

    monkeypatch.setattr(data, "_decode_image", decode_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        prepare_celeba(tmp_path / "imgs", out, n=3, size=64, progress=False)
    assert len(calls) == 2
    assert sorted(os.listdir(out.parent)) == listing and out.read_bytes() == before
    calls.clear()
    with pytest.raises(KeyboardInterrupt):  # a fresh target is not created either
        prepare_celeba(tmp_path / "imgs", out.parent / "new.npz", n=3, progress=False)
    assert sorted(os.listdir(out.parent)) == listing


@pytest.mark.parametrize("error", [KeyboardInterrupt(), OSError("disk full")], ids=["interrupt", "oserror"])
def test_interrupt_while_writing_removes_temp_file(tmp_path, monkeypatch, good_cache, error):
    out, before, listing = good_cache
    written = []

    def write_half_then_fail(fh, **arrays):
        fh.write(b"PK\x03\x04 half an archive")
        fh.flush()
        written.append(fh.name)
        assert Path(fh.name).parent == out.parent and Path(fh.name).exists()
        raise error

    monkeypatch.setattr(data, "_write_npz", write_half_then_fail)
    with pytest.raises(type(error)):
        prepare_celeba(tmp_path / "imgs", out, n=3, progress=False)
    assert written and not Path(written[0]).exists()
    assert sorted(os.listdir(out.parent)) == listing and out.read_bytes() == before


def test_load_celeba_errors(tmp_path):
    with pytest.raises(DataError, match="wganlab prepare-celeba") as info:
        load_celeba(tmp_path / "missing.npz")
    assert "missing.npz" in str(info.value)

    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(DataError, match="prepare-celeba"):
        load_celeba(tmp_path / "text.npz")
    np.save(tmp_path / "bare.npy", np.zeros((2, 8, 8), np.uint8))
    with pytest.raises(DataError, match="single .npy"):
        load_celeba(tmp_path / "bare.npy")

    cases = {
        "nokey": dict(pixels=np.zeros((2, 8, 8), np.uint8)),
        "float": dict(images=np.zeros((2, 8, 8), np.float32)),
        "ndim": dict(images=np.zeros((2, 8, 8, 1), np.uint8)),
        "oblong": dict(images=np.zeros((2, 8, 9), np.uint8)),
        "future": dict(images=np.zeros((2, 8, 8), np.uint8), version=np.int64(99)),
    }
    for name, arrays in cases.items():
        np.savez(tmp_path / f"{name}.npz", **arrays)
        with pytest.raises(DataError):
            load_celeba(tmp_path / f"{name}.npz")

    np.savez(tmp_path / "ok.npz", images=np.arange(3 * 64, dtype=np.uint8).reshape(3, 8, 8))
    assert load_celeba(tmp_path / "ok.npz", n=2).shape == (2, 8, 8, 1)
    with pytest.raises(DataError, match="holds 3"):
        load_celeba(tmp_path / "ok.npz", n=4)
    with pytest.raises(DataError, match="positive"):
        load_celeba(tmp_path / "ok.npz", n=0)


@pytest.mark.celeba
@pytest.mark.parametrize("size", [64, 32])
def test_prepare_real_celeba(tmp_path, celeba_zip, size):
    # celeba_zip (conftest.py) is ../shared/data/celeba_first10k_89x109.zip, or a skip saying so.
    assert celeba_zip == Path(__file__).resolve().parents[2] / "shared/data/celeba_first10k_89x109.zip"
    out = prepare_celeba(celeba_zip, tmp_path / "celeba.npz", n=200, size=size, progress=False)
    images = load_celeba(out)
    assert images.shape == (200, size, size, 1) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert images.min() < -0.8 and images.max() > 0.8  # uses the range, not a constant grey
    assert images.reshape(200, -1).std(axis=1).min() > 0.05  # every image has content
    assert len({img.tobytes() for img in images}) == 200  # and they all differ
    # Aligned, centred faces average to a face-like image, not to a flat grey.
    assert images.mean(axis=0).std() > 0.05


# -------------------------------------------------------------------------------------- toys

TOYS = [toys.parallel_lines, toys.eight_gaussians, toys.twenty_five_gaussians, toys.swiss_roll]


@pytest.mark.parametrize("fn", TOYS, ids=lambda f: f.__name__)
def test_toy_shapes_and_seeds(fn):
    assert getattr(data, fn.__name__) is fn  # re-exported by wganlab.data
    a = fn(257)
    assert a.shape == (257, 2) and a.dtype == np.float32 and np.isfinite(a).all()
    np.testing.assert_array_equal(a, fn(257, seed=0))
    assert not np.array_equal(fn(257, seed=1), a)
    assert fn(0).shape == (0, 2)
    for bad in (-1, 2.5, True):
        with pytest.raises(DataError):
            fn(bad)


@pytest.mark.parametrize("theta", [0.0, 1.5, -0.7])
def test_parallel_lines(theta):
    p = toys.parallel_lines(1000, theta=theta, seed=3)
    assert (p[:, 0] == np.float32(theta)).all()
    assert p[:, 1].min() >= 0.0 and p[:, 1].max() <= 1.0
    assert p[:, 1].std() > 0.25  # spread over the segment, not a point


def test_eight_gaussians_modes():
    p = toys.eight_gaussians(4000, seed=1, radius=2.0, std=0.02).astype(np.float64)
    angles = np.arange(8) * np.pi / 4
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    dist = np.linalg.norm(p[:, None, :] - centres[None], axis=2)
    assert dist.min(axis=1).max() < 0.02 * 6
    assert np.bincount(dist.argmin(axis=1), minlength=8).min() > 400


def test_twenty_five_gaussians_modes():
    p = toys.twenty_five_gaussians(5000, seed=2, std=0.05)
    nearest = np.round(p)
    assert np.abs(p - nearest).max() < 0.05 * 6
    assert len({tuple(c) for c in nearest.tolist()}) == 25
    assert nearest.min() == -2 and nearest.max() == 2


def test_swiss_roll():
    p = toys.swiss_roll(3000, seed=4)
    assert np.abs(p).max() < 2.5 and p.std() > 0.5
    exact = toys.swiss_roll(500, seed=4, noise=0.0).astype(np.float64) * 7.5
    t = np.linalg.norm(exact, axis=1)  # points (t cos t, t sin t), t in [1.5 pi, 4.5 pi]
    assert t.min() >= 1.5 * np.pi - 1e-3 and t.max() <= 4.5 * np.pi + 1e-3
    np.testing.assert_allclose(np.arctan2(exact[:, 1], exact[:, 0]) % (2 * np.pi), t % (2 * np.pi), atol=1e-3)
