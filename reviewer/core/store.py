"""The evidence store (originals by SHA-256, written once, read-only) and the extracted-text store.

Writes are atomic (temporary file + rename), so a kill at any moment leaves either nothing or a
complete file, and storing the same content twice is a no-op: that is what makes ingest resumable.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


@dataclass(frozen=True)
class Hashes:
    md5: str
    sha1: str
    sha256: str
    size: int


def hash_stream(stream: BinaryIO, copy_to: BinaryIO | None = None) -> Hashes:
    md5, sha1, sha256 = hashlib.md5(), hashlib.sha1(), hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        md5.update(chunk)
        sha1.update(chunk)
        sha256.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return Hashes(md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest(), size)


def hash_bytes(data: bytes) -> Hashes:
    return Hashes(hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest(),
                  hashlib.sha256(data).hexdigest(), len(data))


def _atomic_write(target: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write through a temporary file that is fsync'd before it is renamed into place, so the target is
    either absent or complete and on disk. The folder entry is made durable by `sync_folder`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_file(source: Path, target: Path, read_only: bool = False) -> str:
    """Copy a file atomically and durably (its folder entry aside, see `sync_folder`); the SHA-256 of the
    bytes read, to check the copy against. `read_only` for originals, like the evidence store's own."""
    digest = hashlib.sha256()

    def copy(out: BinaryIO) -> None:
        with source.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)

    _atomic_write(target, copy)
    if read_only:
        _make_read_only(target)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sync_folder(folder: Path) -> None:
    """Make renames into `folder` durable, where the file system lets a folder be fsync'd (not Windows)."""
    if os.name == "nt":  # pragma: no cover - Windows has no directory fsync
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some network file systems refuse it; the file itself is already durable
        pass
    finally:
        os.close(fd)


class EvidenceStore:
    """Originals, content-addressed: natives/ab/abcdef….bin. Never modified once written."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.bin"

    def add_file(self, source: Path) -> tuple[Hashes, Path]:
        """Hash a file and copy it in (once); returns its hashes and stored path."""
        with source.open("rb") as stream:
            hashes = hash_stream(stream)
        target = self.path_for(hashes.sha256)
        if not target.exists():
            def copy(out: BinaryIO) -> None:
                with source.open("rb") as stream:
                    while chunk := stream.read(CHUNK):
                        out.write(chunk)

            _atomic_write(target, copy)
            _make_read_only(target)
            sync_folder(target.parent)
        return hashes, target

    def add_bytes(self, data: bytes) -> tuple[Hashes, Path]:
        hashes = hash_bytes(data)
        target = self.path_for(hashes.sha256)
        if not target.exists():
            _atomic_write(target, lambda out: out.write(data))
            _make_read_only(target)
            sync_folder(target.parent)
        return hashes, target

    def verify(self, sha256: str) -> str | None:
        """None when the stored original matches its hash, else a sentence saying what is wrong."""
        path = self.path_for(sha256)
        if not path.is_file():
            return "its original is missing from the evidence store"
        with path.open("rb") as stream:
            if hash_stream(stream).sha256 != sha256:
                return "its stored original no longer matches the SHA-256 taken at ingest"
        return None


def _make_read_only(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


class TextStore:
    """Extracted text per document, UTF-8: text/0001/DOC-000123.txt (1,000 documents a folder)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, control: str, doc_id: int) -> Path:
        return self.root / f"{doc_id // 1000:04d}" / f"{control}.txt"

    def write(self, control: str, doc_id: int, text: str) -> Path:
        """Store a document's text, durably but for its folder entry; returns the folder to sync."""
        target = self.path_for(control, doc_id)
        _atomic_write(target, lambda out: out.write(text.encode("utf-8")))
        return target.parent

    def read(self, control: str, doc_id: int) -> str:
        path = self.path_for(control, doc_id)
        return path.read_text(encoding="utf-8") if path.is_file() else ""
