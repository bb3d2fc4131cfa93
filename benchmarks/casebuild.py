"""Building the motion, at size. Two parts, each printing one JSON object (both: {"chronology": …,
"people": …}):

    .venv/bin/python benchmarks/casebuild.py --part chronology --facts 5000 --exhibits 500
    .venv/bin/python benchmarks/casebuild.py --part people --emails 100000

The chronology and the exports an attorney files: N facts (fuzzy dates, issues, page cites) written
through the core API, the chronology read back with its cites, exported as Word, Excel and CSV; and an
exhibit binder of M PDFs. Baselines, in the same run: the chronology read and its rows written with
Python's csv module alone (what the Word writer is compared with), and the binder's PDF pages drawn into
one file with PyMuPDF's show_pdf_page, as the binder draws them, but without rendering, cleaning or
stamping. (insert_pdf of 500 files into one document took 658 s: not a fair floor.)

People and communications on N generated emails written straight into a case (ingesting them would
measure ingest); each figure is the wall time of one core call, the builds run in a child process of
their own so that their peak memory is theirs alone:
- build: people and communications from nothing (read every document, group, count, keep per month);
  its baseline is the least work giving the same pair counts: the same address fields parsed and every
  message's sender → recipient pairs counted in a dictionary, no database (ratio = build / baseline);
- incremental: --more emails added, then building again;
- view: what the Communications view asks for the whole case — the busiest people (or organisations)
  with the mail between them (aim: under 1 s) — and a range of three months, a query's documents (one in
  ten), every pair listed; baseline: the pairs counted straight from who is on each message (a GROUP BY
  without the kept totals);
- graph: the busiest 300 laid out; merge two people and undo it.
The mail is fictional: invented names at .example domains. Senders are skewed (a few write most), and
each person writes mostly to a circle of their own, as real mail does.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MADE = date(2026, 12, 1)

# --- the chronology ---------------------------------------------------------------------------------------
WORDS = ("detective", "reporter", "sealed", "indictment", "grand", "jury", "leak", "prosecutor", "office",
         "statement", "press", "conference", "warrant", "deadline", "motion", "dismiss", "grudge")


def make_pdfs(folder: Path, count: int, pages: int, rng: random.Random) -> None:
    import pymupdf

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


def add_random_fact(case: Any, rng: random.Random, controls: list[str], issue_numbers: list[str],
                    pages: int) -> float:
    """Add one fact through the core API; how long it took, in milliseconds."""
    from reviewer.core.casebuild import facts

    sources = [facts.SourceRef(control=rng.choice(controls), page=rng.randint(1, pages))
               for _ in range(rng.randint(1, 3))]
    date_text, text = fuzzy_date(rng), " ".join(rng.choices(WORDS, k=25))
    chosen, key = rng.sample(issue_numbers, 2), rng.random() < 0.1
    status = rng.choice(["undisputed", "unsure"])
    started = time.perf_counter()
    facts.add_fact(case, date_text, text, issues=chosen, sources=sources, key=key, status=status)
    return (time.perf_counter() - started) * 1000


def timed_once(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return round(time.perf_counter() - started, 3), result


def chronology_part(args: argparse.Namespace) -> dict[str, Any]:
    import pymupdf

    from reviewer.core.case import Case
    from reviewer.core.casebuild import binder, exhibits, facts, issues
    from reviewer.core.casebuild.exports import export_chronology
    from reviewer.core.ingest.pipeline import IngestOptions, ingest
    from reviewer.core.models import Document

    rng = random.Random(12)
    report: dict[str, Any] = {"facts": args.facts, "exhibits": args.exhibits, "pages_per_exhibit": args.pages}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_pdfs(root / "files", args.exhibits, args.pages, rng)
        with Case.create(root / "case", name="Benchmark matter") as case:
            report["ingest_s"], _ = timed_once(lambda: ingest(case, [root / "files"], IngestOptions(jobs=2)))
            with case.db.reader() as session:
                controls = [c for (c,) in session.query(Document.control).order_by(Document.id)]
            for number in range(1, 4):
                issues.add_issue(case, f"Sub-issue {number}", parent=str(number))
            names = [issue.number for issue in issues.list_issues(case)]
            add_ms = [add_random_fact(case, rng, controls, names, args.pages) for _ in range(args.facts)]
            report["fact_add_ms"] = {"p50": round(statistics.median(add_ms), 1),
                                     "p95": round(statistics.quantiles(add_ms, n=20)[-1], 1)}
            report["chronology_read_s"], chronology = timed_once(lambda: facts.list_facts(case))
            rows = [[f.date, f.text, f.cites, "; ".join(f.issues), f.status_label] for f in chronology]
            report["baseline_csv_module_s"], _ = timed_once(lambda: csv.writer(io.StringIO()).writerows(rows))
            for kind in ("csv", "docx", "xlsx"):
                out = root / f"chronology.{kind}"
                report[f"export_{kind}_s"], _ = timed_once(lambda: export_chronology(case, out, made=MADE))  # noqa: B023
                report[f"export_{kind}_mb"] = round(out.stat().st_size / 1e6, 2)
            report["ratio_docx_to_read_plus_csv"] = round(
                report["export_docx_s"] / (report["chronology_read_s"] + report["baseline_csv_module_s"]), 2)

            with case.db.reader() as session:
                ids = [i for (i,) in session.query(Document.id).order_by(Document.id)]
            report["exhibit_list_numbering_s"], numbered = timed_once(
                lambda: exhibits.number_exhibits(case, ids))
            report["exhibit_list_docx_s"], _ = timed_once(lambda: exhibits.export_exhibit_list(
                case, numbered, root / "exhibits.docx", MADE))
            out = root / "binder.pdf"
            report["binder_s"], made = timed_once(lambda: binder.make_binder(case, numbered, out, MADE))
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

            report["baseline_binder_copy_s"], _ = timed_once(copy_only)
            report["ratio_binder_to_copy"] = round(report["binder_s"] / report["baseline_binder_copy_s"], 1)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return report


# --- people and communications ----------------------------------------------------------------------------
FIRST = ("Ada Ben Carla Dana Eli Fay Gus Hana Ivan Jo Kai Lena Milo Nia Omar Pia Quinn Rosa Sam Tess Uma Vic "
         "Wes Xena Yuri Zoe Abel Bea Cole Dora Emil Flor Gil Hugo Iris Jude Kira Lou Mae Ned").split()
LAST = ("Quill Ortiz Reyes Voss Okafor Pruitt Lindqvist Marsh Benedetti Brennick Harlow Ferreira Hale Abara "
        "Castell Dunmore Everly Fenwick Garrow Holloway Ingram Jessup Kettle Lowry Merrow Nash Orland Pike "
        "Quimby Rook Sallow Thorne Upton Vail Wren Yates Zeller Ashby Bristow Colter").split()


# --- generating the case -----------------------------------------------------------------------------------
ENDINGS = ("", "s", "son", "ley", "ford", "wick", "ton", "er", "ell", "man")


def make_people(count: int, rng: random.Random) -> list[list[str]]:
    """Each person's address entries as written ("Name <address>"); one in ten has a second address
    written "Last, First", one in fifty is a role mailbox."""
    domains = [f"firm{n}.example" for n in range(40)] + [f"press{n}.example" for n in range(10)] + \
        [f"agency{n}.example" for n in range(10)]
    people = []
    for number in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST) + rng.choice(ENDINGS)
        domain = rng.choice(domains)
        local = f"{first}.{last}{number}".lower()
        if number % 50 == 0:
            people.append([f"Info <info@{domain}>"])
            continue
        entries = [f"{first} {last} <{local}@{domain}>"]
        if number % 10 == 0:
            entries.append(f'"{last}, {first}" <{local}@home{number % 7}.example>')
        people.append(entries)
    return people


def make_rows(start: int, count: int, people: list[list[str]], rng: random.Random) -> list[dict[str, Any]]:
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(people))]
    circles = {n: rng.sample(range(len(people)), 25) for n in range(len(people))}
    senders = rng.choices(range(len(people)), weights, k=count)
    epoch = datetime(2019, 1, 1)
    rows = []
    for offset, sender in enumerate(senders):
        doc_id = start + offset

        def someone(sender: int = sender) -> str:
            chosen = rng.choice(circles[sender]) if rng.random() < 0.8 else rng.randrange(len(people))
            return rng.choice(people[chosen])

        to = "; ".join(someone() for _ in range(rng.randint(1, 3)))
        cc = "; ".join(someone() for _ in range(rng.choice((0, 0, 1, 2))))
        bcc = someone() if rng.random() < 0.1 else ""
        rows.append({
            "id": doc_id, "control": f"DOC-{doc_id:07d}", "md5": "0" * 32, "sha1": "0" * 40,
            "sha256": f"{doc_id:064d}", "dedup_key": str(doc_id), "size": 1000,
            "source_path": f"/mail/{doc_id}",
            "kind": "eml", "file_name": f"{doc_id}.eml", "added": epoch,
            "email_from": rng.choice(people[sender]), "email_to": to, "email_cc": cc, "email_bcc": bcc,
            "email_reply_to": rng.choice(people[sender]) if rng.random() < 0.05 else "",
            "subject": f"Message {doc_id}",
            "sent": epoch + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)),
        })
    return rows


def add_emails(case_path: Path, start: int, count: int, people: list[list[str]], seed: int) -> float:
    from sqlalchemy import insert

    from reviewer.core.case import Case
    from reviewer.core.models import Document

    rng = random.Random(seed)
    began = time.perf_counter()
    with Case.open(case_path) as case:
        for first in range(start, start + count, 10_000):
            rows = make_rows(first, min(10_000, start + count - first), people, rng)
            with case.db.session() as session:
                session.execute(insert(Document), rows)
    return time.perf_counter() - began


# --- measured in a child process (peak memory of its own) -------------------------------------------------
def child_build(case_path: Path) -> dict[str, float]:
    from reviewer.core.case import Case
    from reviewer.core.casebuild.people_build import build_people

    began = time.perf_counter()
    with Case.open(case_path) as case:
        summary = build_people(case)
    return {"seconds": time.perf_counter() - began, "documents": summary.documents, "people": summary.people}


def child_baseline(case_path: Path) -> dict[str, float]:
    """The same pairs counted with no database work beyond reading the address fields once."""
    from sqlalchemy import select

    from reviewer.core.case import Case
    from reviewer.core.casebuild.names import parse_parties
    from reviewer.core.models import Document

    began = time.perf_counter()
    pairs: Counter[tuple[str, str]] = Counter()
    with Case.open(case_path) as case, case.db.reader() as session:
        for sender, to, cc, bcc in session.execute(select(
                Document.email_from, Document.email_to, Document.email_cc, Document.email_bcc)):
            senders = {p.value for p in parse_parties(sender)}
            recipients = {p.value for text in (to, cc, bcc) for p in parse_parties(text)}
            pairs.update((s, r) for s in senders for r in recipients if s != r)
    return {"seconds": time.perf_counter() - began, "pairs": len(pairs)}


def in_child(kind: str, case_path: Path) -> dict[str, float]:
    result = subprocess.run([sys.executable, __file__, "--child", kind, str(case_path)], capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout)


def run_child(kind: str, case_path: Path) -> None:
    figures = child_build(case_path) if kind == "build" else child_baseline(case_path)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


# --- measured here -----------------------------------------------------------------------------------------
CPU: dict[str, float] = {}  # the processor time of each view figure: the machine may be shared


def timed(call: Callable[[], object], repeat: int = 1, name: str = "") -> float:
    """The median wall time of `repeat` calls; with a `name`, their median processor time goes to CPU."""
    times, processor = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        call()
        times.append(time.perf_counter() - began)
        processor.append(time.process_time() - began_cpu)
    if name:
        CPU[name] = round(statistics.median(processor), 3)
    return round(statistics.median(times), 3)


def grouped_without_kept_months(case_path: Path) -> float:
    """Baseline for the view: the whole case's pairs counted from who is on each message."""
    from sqlalchemy import distinct, func, select
    from sqlalchemy.orm import aliased

    from reviewer.core.case import Case
    from reviewer.core.models import MessageParty, PeopleSource, PersonIdentity

    sender, recipient = aliased(MessageParty), aliased(MessageParty)
    sender_id, recipient_id = aliased(PersonIdentity), aliased(PersonIdentity)
    query = (select(sender_id.person_id, recipient_id.person_id, func.count(distinct(sender.document_id)),
                    func.min(PeopleSource.sent), func.max(PeopleSource.sent))
             .select_from(sender)
             .join(recipient, (recipient.document_id == sender.document_id)
                   & recipient.role.in_(("to", "cc", "bcc")))
             .join(sender_id, sender_id.id == sender.identity_id)
             .join(recipient_id, recipient_id.id == recipient.identity_id)
             .join(PeopleSource, PeopleSource.document_id == sender.document_id)
             .where(sender.role == "from", sender_id.person_id != recipient_id.person_id)
             .group_by(sender_id.person_id, recipient_id.person_id))
    with Case.open(case_path) as case, case.db.reader() as session:
        began = time.perf_counter()
        session.execute(query).all()
        return time.perf_counter() - began


def measure_views(case_path: Path, emails: int) -> dict[str, Any]:
    from reviewer.core import audit
    from reviewer.core.case import Case
    from reviewer.core.casebuild import people_edits
    from reviewer.core.casebuild.communications import communications, overview
    from reviewer.core.casebuild.graph_layout import busiest, force_layout
    from reviewer.core.casebuild.people import list_people

    with Case.open(case_path) as case:
        whole = communications(case)

        def view(level: str, top: int = 40) -> None:
            """What the desktop asks for: the busiest and the mail among them, laid out, with their flags."""
            shown = overview(case, level, top)  # type: ignore[arg-type]
            nodes = [node for node, _name, _count in shown.nodes]
            _nodes, _volume, lines = busiest(((p.from_id, p.to_id, p.messages) for p in shown.pairs), top)
            force_layout(nodes, [(a, b, float(m)) for a, b, m in lines])
            if level == "person":
                list_people(case, nodes)

        people = list_people(case)
        top_two = [people[0].id, people[1].id]
        figures: dict[str, Any] = {
            "pairs_of_people": len(whole),
            "pairs_of_organisations": len(communications(case, "organisation")),
            "people": len(people),
            "view_people_s": timed(lambda: view("person"), 5, "view_people_s"),
            "view_organisations_s": timed(lambda: view("organisation"), 5, "view_organisations_s"),
            "view_three_months_s": timed(
                lambda: overview(case, start_month="2020-01", end_month="2020-03"), 3, "view_three_months_s"),
            "view_query_tenth_s": timed(lambda: overview(case, document_ids=range(1, emails + 1, 10)), 3),
            "list_every_pair_s": timed(lambda: communications(case), 3, "list_every_pair_s"),
            "list_people_s": timed(lambda: list_people(case), 3),
        }
        shown, _volume, lines = busiest(((p.from_id, p.to_id, p.messages) for p in whole), 300)
        edges = [(a, b, float(m)) for a, b, m in lines]
        figures["layout_300_s"] = timed(lambda: force_layout(shown, edges), 1, "layout_300_s")
        figures["merge_s"] = timed(lambda: people_edits.merge_people(case, top_two))
        figures["undo_merge_s"] = timed(lambda: audit.undo(case))
        assert communications(case) == whole, "merging and undoing changed the communications"
    figures["cpu"] = dict(CPU)
    figures["view_baseline_group_by_s"] = round(grouped_without_kept_months(case_path), 3)
    figures["view_ratio"] = round(figures["view_people_s"] / figures["view_baseline_group_by_s"], 3)
    return figures


def people_part(args: argparse.Namespace) -> dict[str, Any]:
    from reviewer.core.case import Case

    people = make_people(args.people or max(args.emails // 50, 100), random.Random(3))
    with tempfile.TemporaryDirectory(prefix="casebuild-bench-") as folder:
        case_path = Path(folder) / "case"
        Case.create(case_path, name="Benchmark matter").close()
        generated = add_emails(case_path, 1, args.emails, people, seed=5)
        build = in_child("build", case_path)
        baseline = in_child("baseline", case_path)
        more = add_emails(case_path, args.emails + 1, args.more, people, seed=6)
        incremental = in_child("build", case_path)
        views = measure_views(case_path, args.emails)
    return {
        "emails": args.emails, "people_in_mail": len(people), "generate_s": round(generated, 1),
        "build": {"seconds": round(build["seconds"], 1), "peak_rss_mb": round(build["peak_rss_mb"]),
                  "people": build["people"], "emails_per_s": round(args.emails / build["seconds"])},
        "baseline": {"seconds": round(baseline["seconds"], 1), "peak_rss_mb": round(baseline["peak_rss_mb"]),
                     "pairs": baseline["pairs"]},
        "build_ratio": round(build["seconds"] / baseline["seconds"], 2),
        "incremental": {"emails": args.more, "seconds": round(incremental["seconds"], 1),
                        "generate_s": round(more, 1)},
        "view": views,
        "load_average": [round(value, 1) for value in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("chronology", "people"), help="one part only (default: both)")
    parser.add_argument("--facts", type=int, default=5000)
    parser.add_argument("--exhibits", type=int, default=500)
    parser.add_argument("--pages", type=int, default=2, help="pages per exhibit PDF")
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--more", type=int, default=1_000, help="emails added for the incremental build")
    parser.add_argument("--people", type=int, help="people in the mail (default: one per 50 emails)")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "CASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child[0], Path(args.child[1]))
        return
    parts = {"chronology": chronology_part, "people": people_part}
    if args.part:
        print(json.dumps(parts[args.part](args), indent=2))
    else:
        print(json.dumps({name: part(args) for name, part in parts.items()}, indent=2))


if __name__ == "__main__":
    main()
