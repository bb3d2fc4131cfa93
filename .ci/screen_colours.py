"""Count the distinct colours of an X screen dump (`xwd -root`), to tell a drawn window from a blank screen.

    python .ci/screen_colours.py SCREEN.xwd [--png SCREEN.png]

Prints the count; with --png also saves the screen as a PNG to look at. Reads 24/32-bit ZPixmap dumps,
which is what Xvfb's default visual gives.
"""

from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path

from PIL import Image

HEADER_FIELDS = 25  # XWDFileHeader: 25 big-endian CARD32 fields, then the window name
ZPIXMAP = 2
COLOR_ENTRY_BYTES = 12  # XWDColor: pixel (CARD32), red, green, blue (CARD16 each), flags, pad


def screen_image(dump: bytes) -> Image.Image:
    fields = struct.unpack(f">{HEADER_FIELDS}I", dump[: HEADER_FIELDS * 4])
    header_size, _version, pixmap_format, _depth, width, height = fields[:6]
    byte_order, bits_per_pixel, bytes_per_line, ncolors = fields[7], fields[11], fields[12], fields[19]
    if pixmap_format != ZPIXMAP or bits_per_pixel not in (24, 32):
        raise SystemExit(f"unsupported screen dump: format {pixmap_format}, {bits_per_pixel} bits per pixel")
    start = header_size + ncolors * COLOR_ENTRY_BYTES
    pixels = dump[start: start + bytes_per_line * height]
    if bits_per_pixel == 32:
        raw = "BGRX" if byte_order == 0 else "XRGB"
    else:
        raw = "BGR" if byte_order == 0 else "RGB"
    return Image.frombuffer("RGB", (width, height), pixels, "raw", raw, bytes_per_line, 1)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", type=Path)
    parser.add_argument("--png", type=Path)
    args = parser.parse_args(argv)
    image = screen_image(args.dump.read_bytes())
    if args.png:
        image.save(args.png)
    colours = image.getcolors(maxcolors=image.width * image.height) or []
    print(len(colours))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
