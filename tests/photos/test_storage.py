"""Tests for app.photos.storage with real Pillow-generated images on disk."""

from __future__ import annotations

import hashlib
import io
import zlib
from pathlib import Path

import pytest
from PIL import Image

from app.photos.storage import (
    ALLOWED_TYPES,
    PhotoRejected,
    PhotoStore,
    StoredPhoto,
    sniff_image_type,
)


def make_image(fmt: str, size: tuple[int, int] = (64, 48), **save_kwargs: object) -> bytes:
    """Return bytes of a real image in the given Pillow format."""
    mode = "RGBA" if fmt == "PNG" else "RGB"
    img = Image.new(mode, size, (200, 30, 30, 255) if mode == "RGBA" else (200, 30, 30))
    out = io.BytesIO()
    img.save(out, fmt, **save_kwargs)
    return out.getvalue()


def exif_jpeg(size: tuple[int, int], orientation: int) -> bytes:
    """Return a JPEG carrying an EXIF orientation tag and a GPS IFD."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SurveyCam"
    exif.get_ifd(0x8825)[2] = (35.0, 41.0, 0.0)  # GPSLatitude
    return make_image("JPEG", size, exif=exif.tobytes())


@pytest.fixture
def store(tmp_path: Path) -> PhotoStore:
    return PhotoStore(tmp_path / "photos")


def rejected(store: PhotoStore, data: bytes, **kwargs: str) -> str:
    with pytest.raises(PhotoRejected) as info:
        store.inspect(data, **kwargs)
    assert str(info.value)  # human message present
    return info.value.code


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")],
)
def test_accepts_allowed_types(store: PhotoStore, fmt: str, content_type: str) -> None:
    data = make_image(fmt, (64, 48))
    assert sniff_image_type(data) == content_type
    sha, ctype, width, height = store.inspect(data)
    assert (sha, ctype, width, height) == (hashlib.sha256(data).hexdigest(), content_type, 64, 48)

    photo = store.save(data)
    assert photo == StoredPhoto(sha, content_type, len(data), 64, 48, True)
    path = store.path_for(sha)
    assert path is not None
    assert path == store.root / sha[:2] / sha[2:4] / f"{sha}.{ALLOWED_TYPES[content_type]}"
    assert path.read_bytes() == data
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    assert store.has(sha)
    assert store.content_type_for(sha) == content_type


@pytest.mark.parametrize(
    "data",
    [
        b"hello, this is a text file pretending to be a photo\n",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        make_image("GIF"),
        make_image("BMP"),
        b"",
        b"RIFF\x00\x00\x00\x00WAVEfmt ",
    ],
    ids=["text", "pdf", "gif", "bmp", "empty", "riff-wave"],
)
def test_refuses_unsupported_even_named_jpg(store: PhotoStore, tmp_path: Path, data: bytes) -> None:
    named = tmp_path / "photo.jpg"
    named.write_bytes(data)
    assert sniff_image_type(named.read_bytes()) is None
    assert rejected(store, named.read_bytes()) == "unsupported_type"
    with pytest.raises(PhotoRejected):
        store.save(data)
    assert not store.root.exists() or not any(store.root.rglob("*"))


def test_truncated_jpeg_is_corrupt(store: PhotoStore) -> None:
    data = make_image("JPEG", (200, 150), quality=95)
    assert rejected(store, data[: len(data) // 2]) == "corrupt"  # cut inside the headers
    out = io.BytesIO()
    Image.effect_noise((400, 300), 64).convert("RGB").save(out, "JPEG", quality=95)
    noisy = out.getvalue()
    with Image.open(io.BytesIO(noisy[: len(noisy) // 2])) as img:
        assert img.size == (400, 300)  # headers intact: only a full decode notices
    assert rejected(store, noisy[: len(noisy) // 2]) == "corrupt"
    assert rejected(store, noisy[: len(noisy) // 2] + b"garbage" * 200) == "corrupt"
    assert rejected(store, b"\xff\xd8\xff" + b"garbage" * 50) == "corrupt"


def test_png_with_bad_crc_is_corrupt(store: PhotoStore) -> None:
    data = bytearray(make_image("PNG"))
    data[-20] ^= 0xFF  # flip a byte inside the IDAT payload
    assert rejected(store, bytes(data)) == "corrupt"


def test_too_large(tmp_path: Path) -> None:
    data = make_image("PNG")
    store = PhotoStore(tmp_path, max_bytes=len(data) - 1)
    assert rejected(store, data) == "too_large"
    assert PhotoStore(tmp_path, max_bytes=len(data)).inspect(data)[1] == "image/png"


def test_hash_mismatch(store: PhotoStore) -> None:
    data = make_image("JPEG")
    assert rejected(store, data, expected_sha256="0" * 64) == "hash_mismatch"
    good = hashlib.sha256(data).hexdigest()
    assert store.save(data, expected_sha256=good).sha256 == good


def test_decompression_bomb_with_low_limit(tmp_path: Path) -> None:
    data = make_image("PNG", (10_000, 10_000), optimize=True)
    assert len(data) < 1024 * 1024
    store = PhotoStore(tmp_path, max_pixels=1_000_000)
    assert rejected(store, data) == "too_many_pixels"
    assert not tmp_path.joinpath("thumbs").exists()


def _crafted_png(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header declares huge dimensions."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_crafted_bomb_beyond_pillow_limit(tmp_path: Path) -> None:
    data = _crafted_png(100_000, 100_000)
    assert len(data) < 200
    # Limit above Pillow's own: exercises the DecompressionBombError/Warning mapping.
    store = PhotoStore(tmp_path, max_pixels=10**12)
    assert rejected(store, data) == "too_many_pixels"
    assert rejected(PhotoStore(tmp_path), data) == "too_many_pixels"


def test_idempotent_save(store: PhotoStore) -> None:
    data = make_image("JPEG")
    first = store.save(data)
    assert first.created
    path, thumb = store.path_for(first.sha256), store.thumb_path_for(first.sha256)
    assert path is not None and thumb is not None
    mtimes = (path.stat().st_mtime_ns, thumb.stat().st_mtime_ns)
    second = store.save(data)
    assert not second.created
    assert second.sha256 == first.sha256 and second.size_bytes == first.size_bytes
    assert (path.stat().st_mtime_ns, thumb.stat().st_mtime_ns) == mtimes


def test_thumbnail_is_small_jpeg_without_exif(store: PhotoStore) -> None:
    data = exif_jpeg((1000, 600), orientation=1)
    photo = store.save(data)
    thumb = store.thumb_path_for(photo.sha256)
    assert thumb == store.root / "thumbs" / photo.sha256[:2] / f"{photo.sha256}.jpg"
    with Image.open(thumb) as img:
        assert img.format == "JPEG"
        assert img.mode == "RGB"
        assert max(img.size) <= store.thumb_px
        assert img.size == (320, 192)
        assert not img.getexif()
        assert "exif" not in img.info
    assert b"Exif" not in thumb.read_bytes()
    # The original keeps its EXIF untouched.
    assert store.path_for(photo.sha256).read_bytes() == data  # type: ignore[union-attr]


def test_thumbnail_applies_exif_orientation(store: PhotoStore) -> None:
    photo = store.save(exif_jpeg((400, 200), orientation=6))
    assert (photo.width, photo.height) == (400, 200)  # stored as encoded
    with Image.open(store.thumb_path_for(photo.sha256)) as img:  # type: ignore[arg-type]
        assert img.size == (160, 320)


def test_transparent_png_thumbnail_is_rgb(store: PhotoStore) -> None:
    img = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    out = io.BytesIO()
    img.save(out, "PNG")
    photo = store.save(out.getvalue())
    with Image.open(store.thumb_path_for(photo.sha256)) as thumb:  # type: ignore[arg-type]
        assert thumb.mode == "RGB"
        assert thumb.getpixel((25, 25)) == (255, 255, 255)


@pytest.mark.parametrize(
    "bad",
    [
        "../etc/passwd",
        "A" * 64,
        "a" * 63,
        "a" * 65,
        "g" * 64,
        "",
        "../" + "a" * 61,
        "a" * 64 + "\n",
    ],
    ids=["traversal", "upper", "short", "long", "non-hex", "empty", "traversal-64", "newline"],
)
def test_lookups_reject_malformed_hash(store: PhotoStore, bad: str) -> None:
    for lookup in (store.path_for, store.thumb_path_for, store.content_type_for, store.has):
        with pytest.raises(ValueError):
            lookup(bad)


def test_lookups_for_unknown_hash(store: PhotoStore) -> None:
    missing = "ab" * 32
    assert store.path_for(missing) is None
    assert store.thumb_path_for(missing) is None
    assert store.content_type_for(missing) is None
    assert not store.has(missing)


def test_no_temp_files_left_behind(store: PhotoStore) -> None:
    for fmt in ("JPEG", "PNG", "WEBP"):
        store.save(make_image(fmt))
    files = sorted(p.name for p in store.root.rglob("*") if p.is_file())
    assert len(files) == 6
    assert not [name for name in files if name.startswith(".tmp-")]
    assert all(len(Path(name).stem) == 64 for name in files)
