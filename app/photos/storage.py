"""Content-addressed on-disk storage for survey photos (pure: no Flask, no database)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, ImageOps

ALLOWED_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_PIL_FORMATS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
RejectCode = Literal["too_large", "unsupported_type", "corrupt", "hash_mismatch", "too_many_pixels"]


class PhotoRejected(Exception):
    """An upload that cannot be stored; `code` is machine-readable, `message` is English."""

    def __init__(self, code: RejectCode, message: str) -> None:
        super().__init__(message)
        self.code: RejectCode = code
        self.message = message


def sniff_image_type(data: bytes) -> str | None:
    """Return the allowed content type from magic bytes alone, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True)
class StoredPhoto:
    """Result of a save; `created` is False when the photo was already held."""

    sha256: str
    content_type: str
    size_bytes: int
    width: int
    height: int
    created: bool


def _check_sha256(sha256: str) -> str:
    """Return sha256 if it is 64 lowercase hex characters, else raise ValueError."""
    if not isinstance(sha256, str) or not _SHA256_RE.fullmatch(sha256):
        raise ValueError("sha256 must be 64 lowercase hex characters")
    return sha256


def _atomic_write(path: Path, data: bytes) -> None:
    """Write data to path via a same-directory temp file, fsync and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o644)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # persist the rename itself (POSIX only)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class PhotoStore:
    """Originals at root/ab/cd/<sha256>.<ext>, JPEG thumbnails at root/thumbs/ab/<sha256>.jpg."""

    def __init__(
        self,
        root: Path,
        max_bytes: int = 10 * 1024 * 1024,
        thumb_px: int = 320,
        max_pixels: int = 50_000_000,
    ) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.thumb_px = thumb_px
        self.max_pixels = max_pixels

    def _decode(
        self, data: bytes, expected_sha256: str | None
    ) -> tuple[str, str, int, int, Image.Image]:
        """Validate data fully and return (sha256, content_type, width, height, decoded image)."""
        if len(data) > self.max_bytes:
            raise PhotoRejected("too_large", f"Photo is larger than {self.max_bytes} bytes.")
        sha256 = hashlib.sha256(data).hexdigest()
        if expected_sha256 is not None and expected_sha256.lower() != sha256:
            raise PhotoRejected("hash_mismatch", "Photo bytes do not match the expected SHA-256.")
        content_type = sniff_image_type(data)
        if content_type is None:
            raise PhotoRejected("unsupported_type", "Only JPEG, PNG and WebP photos are accepted.")
        formats = [f for f, t in _PIL_FORMATS.items() if t == content_type and f != "MPO"]
        bomb = "Photo has too many pixels."
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data), formats=formats) as probe:
                    fmt, (width, height) = probe.format, probe.size
                    if _PIL_FORMATS.get(fmt or "") != content_type:
                        raise PhotoRejected("corrupt", "Photo content does not match its type.")
                    if width * height > self.max_pixels:
                        raise PhotoRejected("too_many_pixels", bomb)
                    probe.verify()
                img = Image.open(io.BytesIO(data), formats=formats)
                if content_type == "image/jpeg":
                    img.draft("RGB", (self.thumb_px, self.thumb_px))  # faster, still full parse
                img.load()
        except PhotoRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoRejected("too_many_pixels", bomb) from exc
        except Exception as exc:
            raise PhotoRejected("corrupt", "Photo could not be decoded.") from exc
        return sha256, content_type, width, height, img

    def inspect(self, data: bytes, expected_sha256: str | None = None) -> tuple[str, str, int, int]:
        """Validate data and return (sha256, content_type, width, height) or raise PhotoRejected."""
        sha256, content_type, width, height, img = self._decode(data, expected_sha256)
        img.close()
        return sha256, content_type, width, height

    def _original_path(self, sha256: str, content_type: str) -> Path:
        """Return where the original with this hash and type lives."""
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.{ALLOWED_TYPES[content_type]}"

    def _make_thumb(self, img: Image.Image) -> bytes:
        """Return JPEG bytes of an upright RGB thumbnail with no metadata."""
        img = ImageOps.exif_transpose(img)
        if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
            rgba = img.convert("RGBA")
            img = Image.new("RGB", rgba.size, (255, 255, 255))
            img.paste(rgba, mask=rgba.getchannel("A"))
        else:
            img = img.convert("RGB")
        img.thumbnail((self.thumb_px, self.thumb_px), Image.Resampling.LANCZOS)
        img.info = {}  # never carry EXIF/GPS, XMP or comments into the thumbnail
        out = io.BytesIO()
        img.save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue()

    def save(self, data: bytes, expected_sha256: str | None = None) -> StoredPhoto:
        """Validate and store data idempotently, writing the thumbnail before the original."""
        sha256, content_type, width, height, img = self._decode(data, expected_sha256)
        with img:
            path = self._original_path(sha256, content_type)
            thumb = self.root / "thumbs" / sha256[:2] / f"{sha256}.jpg"
            if not thumb.exists():
                _atomic_write(thumb, self._make_thumb(img))
        created = not path.exists()
        if created:
            _atomic_write(path, data)
        return StoredPhoto(sha256, content_type, len(data), width, height, created)

    def path_for(self, sha256: str) -> Path | None:
        """Return the stored original's path, or None; raise ValueError on a malformed hash."""
        _check_sha256(sha256)
        for content_type in ALLOWED_TYPES:
            path = self._original_path(sha256, content_type)
            if path.is_file():
                return path
        return None

    def delete(self, sha256: str) -> int:
        """Remove the original and its thumbnail (whichever exist); return the bytes freed."""
        freed = 0
        paths = [self._original_path(_check_sha256(sha256), t) for t in ALLOWED_TYPES]
        for path in [*paths, self.root / "thumbs" / sha256[:2] / f"{sha256}.jpg"]:
            if path.is_file():
                freed += path.stat().st_size
                path.unlink(missing_ok=True)
        return freed

    def has(self, sha256: str) -> bool:
        """Return True when the original for sha256 is stored."""
        return self.path_for(sha256) is not None

    def thumb_path_for(self, sha256: str) -> Path | None:
        """Return the thumbnail's path, or None; raise ValueError on a malformed hash."""
        path = self.root / "thumbs" / _check_sha256(sha256)[:2] / f"{sha256}.jpg"
        return path if path.is_file() else None

    def content_type_for(self, sha256: str) -> str | None:
        """Return the stored original's content type, or None."""
        path = self.path_for(sha256)
        if path is None:
            return None
        return next(t for t, ext in ALLOWED_TYPES.items() if path.suffix == f".{ext}")
