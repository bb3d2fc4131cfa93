"""Production speed: imaging + stamping pages per second, against a raw PyMuPDF page copy of the same pages.

The baseline copies each page of each PDF into a single-page PDF file (insert_pdf + save): the least any
single-page PDF production must do. The measured work is what a production does per page: render the
document (PDFs as they are, emails and text laid out), flatten annotations, check for hidden text, stamp
the page into a new single-page PDF (or a 1-bit G4 TIFF) and save it. Redacting is measured separately,
on the same PDFs with a phrase redaction in each. Last, a whole `produce` run (QC with re-hashing, load
files, read-back check) over everything. The documents are synthetic unless --corpus adds the public
corpus' PDFs. Ingest is not timed. Prints one JSON object.

    .venv/bin/python benchmarks/produce.py --pdfs 40 --pages 10 --emails 100 [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pymupdf  # noqa: E402

from reviewer.core import inventory, review  # noqa: E402
from reviewer.core.case import Case  # noqa: E402
from reviewer.core.ingest.pipeline import IngestOptions, ingest  # noqa: E402
from reviewer.core.produce import pages, redact  # noqa: E402
from reviewer.core.produce.facts import DocumentFacts, load_facts  # noqa: E402
from reviewer.core.produce.production import ProductionSettings, produce  # noqa: E402
from reviewer.core.produce.stamping import ImageFormat, write_page  # noqa: E402

WORDS = ("deadline warrant motion dismiss privileged counsel investigator filing hearing docket exhibit "
         "affidavit custody evidence witness statement deposition subpoena discovery schedule meeting "
         "report draft review agreement contract invoice payment account transfer budget forecast").split()


def make_collection(folder: Path, pdfs: int, pages_each: int, emails: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    for n in range(pdfs):
        pdf = pymupdf.open()
        for _ in range(pages_each):
            text = "\n".join(" ".join(rng.choices(WORDS, k=12)) for _ in range(45))
            page = pdf.new_page(width=612, height=792)
            page.insert_textbox(pymupdf.Rect(54, 54, 558, 760), f"Merger memo {n}\n{text}", fontsize=10)
        pdf.save(folder / f"memo{n:04d}.pdf")
    for n in range(emails):
        message = EmailMessage()
        message["From"], message["To"] = f"person{n}@firm.example", "counsel@law.example"
        message["Subject"] = " ".join(rng.choices(WORDS, k=5))
        message["Date"] = "Tue, 05 Mar 2024 14:30:00 +0000"
        lines = rng.randint(10, 120)
        message.set_content("\n".join(" ".join(rng.choices(WORDS, k=14)) for _ in range(lines)))
        (folder / f"mail{n:05d}.eml").write_bytes(message.as_bytes())


def copyable(case: Case, facts: DocumentFacts) -> bool:
    """Whether PyMuPDF can copy every page of the PDF (damaged corpus files cannot be): only those are
    measured, on both sides."""
    try:
        with pymupdf.open(case.natives.path_for(facts.sha256)) as source, pymupdf.open() as target:
            target.insert_pdf(source)
            return not source.needs_pass
    except (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase):
        return False


def baseline(case: Case, documents: list[DocumentFacts], out: Path) -> tuple[int, float]:
    """Each PDF page copied into a single-page PDF file with PyMuPDF and nothing else."""
    out.mkdir()
    count, started = 0, time.perf_counter()
    for facts in documents:
        with pymupdf.open(case.natives.path_for(facts.sha256)) as source:
            for number in range(source.page_count):
                single = pymupdf.open()
                single.insert_pdf(source, from_page=number, to_page=number)
                single.save(out / f"{count:08d}.pdf", garbage=3, deflate=True)
                single.close()
                count += 1
    return count, time.perf_counter() - started


def imaging(case: Case, documents: list[DocumentFacts], out: Path, image_format: ImageFormat,
            redacted: bool = False) -> tuple[int, float]:
    """The production's own per-page work: prepare the document, stamp and write each page."""
    out.mkdir()
    count, started = 0, time.perf_counter()
    for facts in documents:
        prepared = pages.prepare(case, facts, redacted=redacted)
        for page in prepared.pages:
            target = out / f"{count:08d}.{image_format}"
            write_page(page, f"BENCH{count:08d}", "CONFIDENTIAL", image_format, target)
            count += 1
        prepared.close()
    return count, time.perf_counter() - started


def rate(measure: Callable[[], tuple[int, float]]) -> dict[str, float]:
    count, seconds = measure()
    return {"pages": count, "seconds": round(seconds, 2), "pages_per_second": round(count / seconds, 1)}


def main() -> None:
    pymupdf.set_messages(stream=sys.stderr)  # standard output is for the JSON
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=int, default=40)
    parser.add_argument("--pages", type=int, default=10, help="pages per synthetic PDF")
    parser.add_argument("--emails", type=int, default=100)
    parser.add_argument("--corpus", type=Path, help="also the public corpus' PDFs (its pdf/ folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reviewer-bench-produce-") as scratch:
        root = Path(scratch)
        (root / "collection").mkdir()
        make_collection(root / "collection", args.pdfs, args.pages, args.emails)
        with Case.create(root / "case") as case:
            sources = [root / "collection"] + ([args.corpus / "pdf"] if args.corpus else [])
            ingest(case, sources, IngestOptions(jobs=2, ocr=False))
            rows = inventory.document_rows(case)
            ids = review.resolve_controls(case, [row["control"] for row in rows])
            facts = load_facts(case, ids)
            pdfs = [f for f in facts.values() if f.kind == "pdf" and f.pages and copyable(case, f)]
            emails = [f for f in facts.values() if f.is_email]
            copy = rate(lambda: baseline(case, pdfs, root / "baseline"))
            pdf_pages = rate(lambda: imaging(case, pdfs, root / "pdf", "pdf"))
            tiff_pages = rate(lambda: imaging(case, pdfs[:10], root / "tiff", "tiff"))
            email_pages = rate(lambda: imaging(case, emails, root / "email", "pdf"))
            redact.add_phrase(case, [f.id for f in pdfs], "merger memo", "PII")
            marked = list(load_facts(case, [f.id for f in pdfs]).values())
            redacted_pages = rate(lambda: imaging(case, marked, root / "redacted", "pdf", redacted=True))
            started = time.perf_counter()
            settings = ProductionSettings(name="Benchmark", prefix="BENCH-", out_dir=root / "out",
                                          split_families="produce-others")
            result = produce(case, ids, settings)
            whole = time.perf_counter() - started
    print(json.dumps({
        "documents": {"pdf": len(pdfs), "email": len(emails), "all": len(ids)},
        "baseline_raw_page_copy": copy,
        "imaging_and_stamping_pdf": pdf_pages,
        "ratio_to_baseline": round(pdf_pages["pages_per_second"] / copy["pages_per_second"], 3),
        "imaging_and_stamping_tiff_g4": tiff_pages,
        "emails_rendered_and_stamped": email_pages,
        "redacted_pdf": redacted_pages,
        "produce_whole_run": {"pages": result.pages, "documents": result.documents,
                              "seconds": round(whole, 2), "pages_per_second": round(result.pages / whole, 1)},
    }, indent=2))


if __name__ == "__main__":
    main()
