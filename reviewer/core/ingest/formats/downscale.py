"""Images reduced to a pixel budget for OCR, with memory bounded whatever the image claims to be.

A 1 MB PNG can declare 19,000 × 19,000 pixels; decoded whole it takes over a gigabyte, and tesseract needs
about ten bytes a pixel on top. So the size is read from the header first, and a larger image is reduced
before OCR: PNG band by band as it is inflated (each band decoded on its own, so only one band is ever in
memory), JPEG by the decoder's own scaling, anything else only when decoding it whole stays within a
fixed limit.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from PIL import Image

# About a letter page at 700 dpi; tesseract then stays near half a gigabyte.
OCR_PIXEL_BUDGET = 40_000_000
# Formats read whole (TIFF, GIF, BMP) are decoded only up to this many bytes (four a pixel).
MAX_WHOLE_DECODE_BYTES = 512 * 1024**2
# Pixels per band when a PNG is reduced band by band.
_BAND_PIXELS = 2_000_000
# Beyond this, even reducing takes too long (inflating 1 GB of pixels is seconds of work per 100 million).
MAX_REDUCED_PIXELS = 400_000_000

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by colour type


class TooLargeToReduce(Exception):
    """The image cannot be brought within the budget without decoding more than the limit allows."""


def reduction_factor(width: int, height: int, budget: int = OCR_PIXEL_BUDGET) -> int:
    """The smallest whole factor that brings width × height within `budget` (1: it already fits)."""
    if width * height <= budget:
        return 1
    factor = math.ceil(math.sqrt(width * height / budget))
    while math.ceil(width / factor) * math.ceil(height / factor) > budget:
        factor += 1
    return factor


def image_size(path: Path) -> tuple[int, int]:
    """Width and height from the file's header, without decoding its pixels."""
    with path.open("rb") as stream:
        header = _png_header(stream)
    if header is not None:
        return header[0], header[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as image:
            return image.size


def reduced_png(path: Path, factor: int) -> bytes:
    """The image in grey, each side divided by `factor`, as PNG bytes for tesseract."""
    with path.open("rb") as stream:
        header = _png_header(stream)
    if header is not None and header[0] * header[1] > MAX_REDUCED_PIXELS:
        raise TooLargeToReduce(f"{header[0]} × {header[1]} pixels")
    if header is not None and _png_in_bands_supported(header):
        reduced = _reduce_png_in_bands(path, header, factor)
    else:
        reduced = _reduce_whole(path, factor)
    buffer = io.BytesIO()
    reduced.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _reduce_whole(path: Path, factor: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if image.format == "JPEG":
                    # The JPEG decoder scales by 1/2, 1/4 or 1/8 as it decodes: memory near the target size.
                    image.draft("L", (math.ceil(width / factor), math.ceil(height / factor)))
                elif width * height * 4 > MAX_WHOLE_DECODE_BYTES:
                    raise TooLargeToReduce(f"{width} × {height} pixels")
                grey = image.convert("L")
    except Image.DecompressionBombError as error:
        raise TooLargeToReduce(str(error)) from error
    target = (max(1, math.ceil(width / factor)), max(1, math.ceil(height / factor)))
    return grey.resize(target, Image.Resampling.BOX) if grey.size != target else grey


# --- PNG, band by band -----------------------------------------------------------------------------------

_PngHeader = tuple[int, int, int, int, int]  # width, height, bit depth, colour type, interlace


def _png_header(stream: BinaryIO) -> _PngHeader | None:
    head = stream.read(8 + 8 + 13)
    if not head.startswith(_PNG_SIGNATURE) or head[12:16] != b"IHDR" or len(head) < 29:
        return None
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", head[16:29])
    return width, height, depth, colour, interlace


def _png_in_bands_supported(header: _PngHeader) -> bool:
    _width, _height, depth, colour, interlace = header
    return depth == 8 and colour in _PNG_CHANNELS and interlace == 0


def _png_chunks(path: Path) -> Iterator[tuple[bytes, bytes]]:
    with path.open("rb") as stream:
        stream.seek(len(_PNG_SIGNATURE))
        while True:
            head = stream.read(8)
            if len(head) < 8:
                return
            length, kind = struct.unpack(">I4s", head)
            data = stream.read(length)
            stream.read(4)  # CRC: a damaged chunk shows as a decoding error below
            yield kind, data
            if kind == b"IEND":
                return


def _scanlines(path: Path, row_bytes: int, rows_per_band: int) -> Iterator[tuple[bytes, bytes]]:
    """(PLTE, filtered scanlines of one band) as IDAT data inflates, never more than one band at once."""
    inflater = zlib.decompressobj()
    band_bytes = row_bytes * rows_per_band
    pending = bytearray()
    palette = b""
    for kind, data in _png_chunks(path):
        if kind == b"PLTE":
            palette = data
        if kind != b"IDAT":
            continue
        while data:
            pending += inflater.decompress(data, band_bytes)
            data = inflater.unconsumed_tail
            while len(pending) >= band_bytes:
                yield palette, bytes(pending[:band_bytes])
                del pending[:band_bytes]
    pending += inflater.flush()
    whole_rows = len(pending) - len(pending) % row_bytes
    if whole_rows:
        yield palette, bytes(pending[:whole_rows])


def _band_png(width: int, rows: int, colour: int, palette: bytes, scanlines: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(data, zlib.crc32(kind))
        return b"".join((struct.pack(">I", len(data)), kind, data, struct.pack(">I", crc)))

    header = struct.pack(">IIBBBBB", width, rows, 8, colour, 0, 0, 0)
    parts = [_PNG_SIGNATURE, chunk(b"IHDR", header)]
    if palette:
        parts.append(chunk(b"PLTE", palette))
    # Level 0 only frames the bytes: this PNG lives for one decode.
    parts += [chunk(b"IDAT", zlib.compress(scanlines, 0)), chunk(b"IEND", b"")]
    return b"".join(parts)


def _reduce_png_in_bands(path: Path, header: _PngHeader, factor: int) -> Image.Image:
    """Each band becomes a small PNG of its own, led by the row above it (unfiltered), because PNG filters
    refer to the previous row; the decoded band is reduced and pasted, and the next band starts."""
    width, height, _depth, colour, _interlace = header
    row_bytes = 1 + width * _PNG_CHANNELS[colour]
    rows_per_band = factor * max(1, _BAND_PIXELS // (width * factor))
    reduced = Image.new("L", (math.ceil(width / factor), math.ceil(height / factor)), 255)
    previous_row = b""  # the last row of the band before, filter byte 0 ("none")
    top = 0
    for palette, scanlines in _scanlines(path, row_bytes, rows_per_band):
        rows = len(scanlines) // row_bytes + (1 if previous_row else 0)
        png = _band_png(width, rows, colour, palette, previous_row + scanlines)
        carried = bool(previous_row)
        with Image.open(io.BytesIO(png)) as band:
            band.load()
            previous_row = b"\x00" + band.crop((0, rows - 1, width, rows)).tobytes()
            grey = (band.crop((0, 1, width, rows)) if carried else band).convert("L")
        part = grey.reduce(factor)
        reduced.paste(part, (0, top // factor))
        top += grey.height
    return reduced
