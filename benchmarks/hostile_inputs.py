"""Hostile inputs bounded in time and memory (issue 14): HTML text of deeply nested pages, and a pixel-bomb
PNG reduced to the OCR pixel budget. Each measurement runs in a fresh process so its peak memory (max RSS,
that process and its tesseract child) is its own. Prints one JSON object.

    .venv/bin/python benchmarks/hostile_inputs.py [--depths 40000,100000,1000000] [--side 19000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _measure_html(depth: int) -> dict[str, float]:
    from reviewer.core.ingest.formats.html import html_to_text

    markup = "<html><body>" + "<div>x" * depth + "</div>" * depth + "</body></html>"
    started = time.perf_counter()
    html_to_text(markup)
    return {"depth": depth, "bytes": len(markup), "seconds": round(time.perf_counter() - started, 2)}


def _measure_png(side: int, folder: Path) -> dict[str, float | str]:
    from reviewer.core.ingest.extracted import ExtractContext
    from reviewer.core.ingest.formats import image
    from tests.hostile_files import huge_png

    path = huge_png(folder / "bomb.png", side)
    started = time.perf_counter()
    result = image.extract(path, ExtractContext(scratch=folder))
    seconds = round(time.perf_counter() - started, 2)
    flags = "; ".join(result.flags)
    return {"side": side, "file_bytes": path.stat().st_size, "seconds": seconds, "flags": flags}


def _child(kind: str, value: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        figures = _measure_html(value) if kind == "html" else _measure_png(value, Path(scratch))
    peak_kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({**figures, "peak_mb": round(peak_kib / 1024)}))


def _run(kind: str, value: int) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", kind, str(value)], capture_output=True,
                            text=True, check=True, cwd=ROOT).stdout
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", default="40000,100000,1000000")
    parser.add_argument("--side", type=int, default=19_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return
    print(json.dumps({
        "html_nested": [_run("html", int(depth)) for depth in args.depths.split(",")],
        "png_pixel_bomb": _run("png", args.side),
    }, indent=2))


if __name__ == "__main__":
    main()
