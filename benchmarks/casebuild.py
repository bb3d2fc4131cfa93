"""The chronology and the exports an attorney files, at size: N facts (fuzzy dates, issues, page cites)
written through the core API, the chronology read back with its cites, exported as Word, Excel and CSV;
and an exhibit binder of M PDFs. Prints one JSON object.

Baselines, in the same run: the chronology read and its rows written with Python's csv module alone
(what the Word writer is compared with), and the binder's PDF pages drawn into one file with PyMuPDF's
show_pdf_page, as the binder draws them, but without rendering, cleaning or stamping. (insert_pdf of 500
files into one document took 658 s: not a fair floor.)

    .venv/bin/python benchmarks/casebuild.py --facts 5000 --exhibits 500
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pymupdf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.core.case import Case  # noqa: E402
from reviewer.core.casebuild import binder, exhibits, facts, issues  # noqa: E402
from reviewer.core.casebuild.exports import export_chronology  # noqa: E402
from reviewer.core.ingest.pipeline import IngestOptions, ingest  # noqa: E402
from reviewer.core.models import Document  # noqa: E402

MADE = date(2026, 12, 1)
WORDS = ("detective", "reporter", "sealed", "indictment", "grand", "jury", "leak", "prosecutor", "office",
         "statement", "press", "conference", "warrant", "deadline", "motion", "dismiss", "grudge")


def make_pdfs(folder: Path, count: int, pages: int, rng: random.Random) -> None:
    folder.mkdir(parents=True)
    for number in range(count):
        pdf = pymupdf.open()
        for _ in range(pages):
            page = pdf.new_page(width=612, height=792)
            for line in range(30):
                page.insert_text((72, 90 + line * 20), " ".join(rng.choices(WORDS, k=10)), fontsize=11)
        pdf.set_metadata({"title": f"Memo {number:05d}"})
        pdf.save(folder / f"memo-{number:05d}.pdf")
        pdf.close()


def fuzzy_date(rng: random.Random) -> str:
    year, month, day = rng.randint(2017, 2022), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}",
                       f"~{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}-{day:02d} to {year}-12-31",
                       f"{year}-{month:02d}-{day:02d} {rng.randint(0, 23)}:30"])


def add_random_fact(case: Case, rng: random.Random, controls: list[str], issue_numbers: list[str],
                    pages: int) -> float:
    """Add one fact through the core API; how long it took, in milliseconds."""
    sources = [facts.SourceRef(control=rng.choice(controls), page=rng.randint(1, pages))
               for _ in range(rng.randint(1, 3))]
    date_text, text = fuzzy_date(rng), " ".join(rng.choices(WORDS, k=25))
    chosen, key = rng.sample(issue_numbers, 2), rng.random() < 0.1
    status = rng.choice(["undisputed", "unsure"])
    started = time.perf_counter()
    facts.add_fact(case, date_text, text, issues=chosen, sources=sources, key=key, status=status)
    return (time.perf_counter() - started) * 1000


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return round(time.perf_counter() - started, 3), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=5000)
    parser.add_argument("--exhibits", type=int, default=500)
    parser.add_argument("--pages", type=int, default=2, help="pages per exhibit PDF")
    args = parser.parse_args()
    rng = random.Random(12)
    report: dict[str, Any] = {"facts": args.facts, "exhibits": args.exhibits, "pages_per_exhibit": args.pages}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_pdfs(root / "files", args.exhibits, args.pages, rng)
        with Case.create(root / "case", name="Benchmark matter") as case:
            report["ingest_s"], _ = timed(lambda: ingest(case, [root / "files"], IngestOptions(jobs=2)))
            with case.db.reader() as session:
                controls = [c for (c,) in session.query(Document.control).order_by(Document.id)]
            for number in range(1, 4):
                issues.add_issue(case, f"Sub-issue {number}", parent=str(number))
            names = [issue.number for issue in issues.list_issues(case)]
            add_ms = [add_random_fact(case, rng, controls, names, args.pages) for _ in range(args.facts)]
            report["fact_add_ms"] = {"p50": round(statistics.median(add_ms), 1),
                                     "p95": round(statistics.quantiles(add_ms, n=20)[-1], 1)}
            report["chronology_read_s"], chronology = timed(lambda: facts.list_facts(case))
            rows = [[f.date, f.text, f.cites, "; ".join(f.issues), f.status_label] for f in chronology]
            report["baseline_csv_module_s"], _ = timed(lambda: csv.writer(io.StringIO()).writerows(rows))
            for kind in ("csv", "docx", "xlsx"):
                out = root / f"chronology.{kind}"
                report[f"export_{kind}_s"], _ = timed(lambda: export_chronology(case, out, made=MADE))  # noqa: B023
                report[f"export_{kind}_mb"] = round(out.stat().st_size / 1e6, 2)
            report["ratio_docx_to_read_plus_csv"] = round(
                report["export_docx_s"] / (report["chronology_read_s"] + report["baseline_csv_module_s"]), 2)

            with case.db.reader() as session:
                ids = [i for (i,) in session.query(Document.id).order_by(Document.id)]
            report["exhibit_list_numbering_s"], numbered = timed(lambda: exhibits.number_exhibits(case, ids))
            report["exhibit_list_docx_s"], _ = timed(lambda: exhibits.export_exhibit_list(
                case, numbered, root / "exhibits.docx", MADE))
            out = root / "binder.pdf"
            report["binder_s"], made = timed(lambda: binder.make_binder(case, numbered, out, MADE))
            report["binder_pages"] = made.pages
            report["binder_pages_per_s"] = round(made.pages / report["binder_s"], 1)
            report["binder_mb"] = round((root / "binder.pdf").stat().st_size / 1e6, 2)

            def copy_only() -> None:
                """Every page drawn onto a page of one PDF as the binder does, without making the pages
                ready (rendering, cleaning, redactions) or stamping them."""
                out = pymupdf.open()
                for path in sorted((root / "files").glob("*.pdf")):
                    with pymupdf.open(path) as pdf:
                        for page in pdf:
                            out.new_page(width=page.rect.width, height=page.rect.height).show_pdf_page(
                                page.rect, pdf, page.number)
                out.save(root / "copied.pdf", garbage=3, deflate=True)
                out.close()

            report["baseline_binder_copy_s"], _ = timed(copy_only)
            report["ratio_binder_to_copy"] = round(report["binder_s"] / report["baseline_binder_copy_s"], 1)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
