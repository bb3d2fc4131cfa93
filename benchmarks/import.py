"""Import speed: pages per second importing a generated production volume (default 20,000 pages).

The volume is what a producing party typically sends: a Concordance DAT (UTF-8 with BOM), an Opticon OPT,
one single-page image per page (single-strip 1-bit Group IV TIFF at 300 dpi, or PDF with --format pdf),
one TEXT file per document, and families of an email with attachments. Page images are drawn from 500
distinct ones at random (encoding 20,000 G4 pages would take longer than importing them), so no two
documents' assembled PDFs are alike and nothing is de-duplicated away. Generating the volume is not
timed; the import is, end to end (reading the load files, assembling each document's PDF, storing it,
text, ledger, page Bates, families and the search index), and then a re-import of the same volume.
OCR is off: the volume carries its text. Prints one JSON object.

    .venv/bin/python benchmarks/import.py [--pages 20000] [--pages-per-doc 4] [--format tiff|pdf]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pymupdf  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from reviewer.core.case import Case  # noqa: E402
from reviewer.core.importing.importer import ImportOptions, import_production  # noqa: E402

WORDS = ("deadline warrant motion dismiss privileged counsel investigator filing hearing docket exhibit "
         "affidavit custody evidence witness statement deposition subpoena discovery schedule").split()
SEP, Q = "\x14", "\u00fe"
PREFIX = "GOV"
TEMPLATES = 500


def page_image(label: str, image_format: str) -> bytes:
    if image_format == "pdf":
        document = pymupdf.open()
        page = document.new_page(width=612, height=792)
        page.insert_text((72, 72), f"Page {label}", fontsize=12)
        page.insert_text((460, 770), label, fontsize=10)
        data = document.tobytes()
        document.close()
        return data
    image = Image.new("1", (2550, 3300), 1)
    draw = ImageDraw.Draw(image)
    draw.text((300, 300), f"Page {label}", fill=0)
    draw.text((2100, 3200), label, fill=0)
    out = io.BytesIO()
    image.save(out, "TIFF", compression="group4", dpi=(300, 300), strip_size=1 << 30)  # one strip, as usual
    return out.getvalue()


def make_volume(root: Path, pages: int, per_doc: int, image_format: str, seed: int = 5) -> int:
    rng = random.Random(seed)
    suffix = ".pdf" if image_format == "pdf" else ".tif"
    templates = [page_image(f"{PREFIX}-{n:04d}", image_format) for n in range(min(TEMPLATES, pages))]
    dat_lines = [SEP.join(f"{Q}{name}{Q}" for name in ("BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH",
                                                        "CUSTODIAN", "SUBJECT", "TEXTPATH"))]
    opt_lines = []
    number, documents = 1, 0
    family_beg = family_end = ""
    while number <= pages:
        count = min(per_doc, pages - number + 1)
        labels = [f"{PREFIX}{n:08d}" for n in range(number, number + count)]
        folder = f"{(documents // 1000) + 1:04d}"
        for index, label in enumerate(labels):
            relative = f"IMAGES\\{folder}\\{label}{suffix}"
            target = root.joinpath(*relative.split("\\"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(rng.choice(templates))
            opt_lines.append(f"{label},VOL001,{relative},{'Y' if index == 0 else ''},,,"
                             f"{count if index == 0 else ''}")
        text_relative = f"TEXT\\{folder}\\{labels[0]}.txt"
        text_path = root.joinpath(*text_relative.split("\\"))
        text_path.parent.mkdir(parents=True, exist_ok=True)
        text_path.write_text("\f".join(" ".join(rng.choices(WORDS, k=200)) for _ in labels), encoding="utf-8")
        if documents % 3 == 0:  # an email and its two attachments make one family
            family_beg = labels[0]
            last_of_family = min(number + 3 * per_doc - 1, pages)
            family_end = f"{PREFIX}{last_of_family:08d}"
        values = [labels[0], labels[-1], family_beg, family_end, f"Custodian {documents % 7}",
                  " ".join(rng.choices(WORDS, k=6)), text_relative]
        dat_lines.append(SEP.join(f"{Q}{v}{Q}" for v in values))
        number += count
        documents += 1
    (root / "DATA").mkdir(parents=True, exist_ok=True)
    (root / "DATA" / "VOL001.dat").write_text("\ufeff" + "\r\n".join(dat_lines) + "\r\n", encoding="utf-8")
    (root / "DATA" / "VOL001.opt").write_text("\r\n".join(opt_lines) + "\r\n", encoding="ascii")
    return documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--pages-per-doc", type=int, default=4)
    parser.add_argument("--format", choices=("tiff", "pdf"), default="tiff")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reviewer-import-bench-") as scratch:
        root = Path(scratch)
        volume = root / "VOL001"
        started = time.monotonic()
        documents = make_volume(volume, args.pages, args.pages_per_doc, args.format)
        generated = time.monotonic() - started
        with Case.create(root / "case", name="Import benchmark") as case:
            started = time.monotonic()
            report = import_production(case, volume, ImportOptions(ocr=False))
            seconds = time.monotonic() - started
            again_started = time.monotonic()
            again = import_production(case, volume, ImportOptions(ocr=False))
            again_seconds = time.monotonic() - again_started
    print(json.dumps({
        "pages": args.pages, "documents": documents, "image_format": args.format,
        "added": report.added, "problems": len(report.findings),
        "import_seconds": round(seconds, 2), "pages_per_second": round(args.pages / seconds, 1),
        "reimport_seconds": round(again_seconds, 2), "reimport_added": again.added,
        "generate_seconds": round(generated, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
