"""ZIP archives: each member becomes a child, unless it is unsafe, encrypted, or would expand too far.

Archives in a production are untrusted. Member paths are never used to write anywhere, but they still
matter (the pipeline shows them and may export them), and sizes in the headers can lie, so every member
is read through a meter that stops at the configured limits. Members are handed over one at a time, and
a large one is spooled to a file in the scratch folder rather than held in memory.
"""

from __future__ import annotations

import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from reviewer.core.ingest.extracted import (
    Child,
    ExtractContext,
    Extraction,
    ExtractionFailed,
    Flag,
    Limits,
    Reason,
)
from reviewer.core.ingest.formats.plain import check_not_empty

_CHUNK = 1024 * 1024
# Members larger than this go to a scratch file instead of memory.
SPOOL_BYTES = 16 * 1024 * 1024
# Small members compress extremely well when they are mostly blank; the ratio test only matters above this.
_RATIO_FLOOR = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_AES = 99  # WinZip AES: zipfile cannot decrypt it
_MEMBER_TOO_LARGE = "The archive member is larger than the size limit for one item and was not extracted."
_TOTAL_TOO_LARGE = "The archive expands beyond the total size limit; this member was not extracted."
_BOMB = "The archive member expands far more than real files do (a possible zip bomb) and was not extracted."
_UNKNOWN_METHOD = "The archive member is compressed with a method Reviewer cannot read."
_MEMBER_DAMAGED = "The archive member is damaged and could not be extracted."
_AES_ENCRYPTED = "The archive member is encrypted with AES, which Reviewer cannot open."
_NO_PASSWORD = "The archive member is password-protected and none of the supplied passwords opened it."
_LINK = "The archive member is a link to another location and was not extracted."


class _Meter:
    """Bytes expanded so far across the whole archive."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0


def _unsafe_reason(name: str) -> str | None:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")):
        return "an absolute path"
    if _DRIVE.match(name):
        return "a drive letter"
    if ".." in parts:
        return 'a ".." component that points outside the archive'
    return None


def _too_large(detail: str) -> ExtractionFailed:
    return ExtractionFailed(Reason.TOO_LARGE, detail)


def _size_failure(size: int, compressed: int, meter: _Meter) -> ExtractionFailed | None:
    limits = meter.limits
    if size > limits.max_member_bytes:
        return _too_large(_MEMBER_TOO_LARGE)
    if meter.total + size > limits.max_total_expanded_bytes:
        return _too_large(_TOTAL_TOO_LARGE)
    if size > _RATIO_FLOOR and size > limits.max_compression_ratio * max(compressed, 1):
        return _too_large(_BOMB)
    return None


def _read_capped(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, password: bytes | None, meter: _Meter, scratch: Path
) -> Child:
    """The member, counted as it expands rather than trusted from the header: as bytes, or spooled."""
    chunks: list[bytes] = []
    spool = None
    size = 0
    try:
        with archive.open(info, pwd=password) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                failure = _size_failure(size, info.compress_size, meter)
                if failure is not None:
                    raise failure
                if spool is None and size > SPOOL_BYTES:
                    spool = tempfile.NamedTemporaryFile(dir=scratch, prefix="member-", delete=False)
                    spool.writelines(chunks)
                    chunks = []
                if spool is not None:
                    spool.write(chunk)
                else:
                    chunks.append(chunk)
    except BaseException:
        if spool is not None:
            spool.close()
            Path(spool.name).unlink(missing_ok=True)
        raise
    meter.total += size
    if spool is not None:
        spool.close()
        return Child(info.filename, spooled=Path(spool.name))
    return Child(info.filename, b"".join(chunks))


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, context: ExtractContext, meter: _Meter
) -> Child:
    name = info.filename
    unsafe = _unsafe_reason(name)
    if unsafe:
        return Child(
            name,
            failure=ExtractionFailed(
                Reason.UNSAFE, f"The archive member has an unsafe path ({unsafe}) and was not extracted."
            ),
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        return Child(name, failure=ExtractionFailed(Reason.UNSAFE, _LINK))
    # The header sizes are checked first so that an obvious bomb is refused without expanding anything;
    # the same checks run again on the bytes actually produced, since headers can lie.
    failure = _size_failure(info.file_size, info.compress_size, meter)
    if failure is not None:
        return Child(name, failure=failure)
    if info.flag_bits & 0x1:
        return _read_encrypted(archive, info, context, meter)
    try:
        return _read_capped(archive, info, None, meter, context.scratch)
    except ExtractionFailed as failure:
        return Child(name, failure=failure)
    except NotImplementedError:
        return Child(name, failure=ExtractionFailed(Reason.UNSUPPORTED, _UNKNOWN_METHOD))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError):
        return Child(name, failure=ExtractionFailed(Reason.DAMAGED, _MEMBER_DAMAGED))


def _read_encrypted(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, context: ExtractContext, meter: _Meter
) -> Child:
    if info.compress_type == _AES:
        return Child(info.filename, failure=ExtractionFailed(Reason.ENCRYPTED, _AES_ENCRYPTED))
    for password in context.passwords:
        try:
            return _read_capped(archive, info, password.encode("utf-8"), meter, context.scratch)
        except ExtractionFailed as failure:
            return Child(info.filename, failure=failure)
        except (RuntimeError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError):
            # A wrong password fails the check byte (RuntimeError) or, 1 time in 256, the CRC or inflate.
            continue
    return Child(info.filename, failure=ExtractionFailed(Reason.ENCRYPTED, _NO_PASSWORD))


def _members(
    archive: zipfile.ZipFile, files: list[zipfile.ZipInfo], context: ExtractContext
) -> Iterator[Child]:
    meter = _Meter(context.limits)
    limit = context.limits.max_members
    try:
        for info in files[:limit]:
            yield _read_member(archive, info, context, meter)
        if len(files) > limit:
            rest = len(files) - limit
            detail = f"The archive has more than {limit} members; the other {rest} were not extracted."
            yield Child(f"({rest} more members)", failure=_too_large(detail))
    finally:
        archive.close()


def extract_zip(path: Path, context: ExtractContext) -> Extraction:
    check_not_empty(path)
    try:
        archive = zipfile.ZipFile(path)
        files = [info for info in archive.infolist() if not info.is_dir()]
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        OSError,
        ValueError,
        EOFError,
    ) as error:
        raise ExtractionFailed(
            Reason.DAMAGED, "The ZIP archive is damaged and could not be opened."
        ) from error
    listing = "\n".join(info.filename for info in files)
    text = f"ZIP archive with {len(files)} file{'s' if len(files) != 1 else ''}\n\n{listing}".strip()
    return Extraction(
        text=text,
        mime="application/zip",
        flags=[Flag.CONTAINER],
        # The archive stays open while the pipeline pulls the members; the generator closes it when done.
        children=_members(archive, files, context),
    )
