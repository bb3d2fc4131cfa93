"""Commands that redact and produce: redact, redactions, produce, productions, privlog, attorneys."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.cli.common import (
    console,
    open_case,
    print_json,
    print_records,
    progress_bar,
    stdout_console,
    titled_table,
)
from reviewer.core.choices import (
    DAT_ENCODINGS,
    DEFAULT_DIGITS,
    DEFAULT_REDACTION_REASON,
    IMAGE_FORMATS,
    SPLIT_RULES,
    UNIMAGEABLE,
)
from reviewer.core.errors import ReviewerError

if TYPE_CHECKING:
    from reviewer.core.case import Case
    from reviewer.core.produce.production import NotImaged
    from reviewer.core.search.service import SearchService


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("redact", help="redact a phrase, a box on a page, or every hit of a search")
    p.add_argument("case")
    p.add_argument("control", nargs="?", metavar="CONTROL",
                   help="the document (optional with --query --hits)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", metavar="PHRASE", help="every occurrence of this word or phrase")
    what.add_argument("--rect", nargs=5, type=float, metavar=("PAGE", "X0", "Y0", "X1", "Y1"),
                      help="a box on a page of the produced document, in points from its top left")
    what.add_argument("--query", metavar="Q", help="every hit of this search (with --hits)")
    p.add_argument("--hits", action="store_true",
                   help="with --query: redact every hit, in every document found")
    p.add_argument("--reason", default=DEFAULT_REDACTION_REASON,
                   help='the label the box shows, e.g. "Privileged - Attorney-Client" or "PII"')
    p.set_defaults(run=cmd_redact)

    p = commands.add_parser("redactions", help="a document's redactions (and --remove some)")
    p.add_argument("case")
    p.add_argument("control", metavar="CONTROL")
    p.add_argument("--remove", nargs="+", type=int, metavar="ID", help="take these redactions off")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_redactions)

    p = commands.add_parser("produce", help="produce the documents a search finds, with their families")
    p.add_argument("case")
    p.add_argument("name", help="the production's name, e.g. \"First production to plaintiff\"")
    p.add_argument("--query", metavar="Q", required=True, help="the documents to produce")
    p.add_argument("--prefix", required=True, help="Bates prefix, e.g. ACME- (must not end in a digit)")
    p.add_argument("--start", type=int, help="first Bates number (default: after the last one used)")
    p.add_argument("--digits", type=int, default=DEFAULT_DIGITS, help="zero-padded digits (default 8)")
    p.add_argument("--endorse", default="", metavar="TEXT",
                   help="endorsement stamped bottom left of every page")
    p.add_argument("--confidentiality", metavar="TEXT",
                   help="CONFIDENTIALITY field (default: the endorsement)")
    p.add_argument("--image", choices=IMAGE_FORMATS, default="pdf",
                   help="single-page PDFs, or 1-bit Group IV TIFFs at 300 dpi")
    p.add_argument("--out", required=True, metavar="DIR", help="folder the volume is written into")
    p.add_argument("--volume", help="volume name (default VOL001, VOL002, …)")
    p.add_argument("--dat-encoding", choices=DAT_ENCODINGS, default="utf-8",
                   help="DAT encoding (default utf-8)")
    p.add_argument("--withhold-privileged", action="store_true",
                   help="withhold every Privileged document, even those with redactions")
    p.add_argument("--split-families", choices=[r for r in SPLIT_RULES if r != "ask"],
                   help="when a family has withheld and produced members: produce the others and slip-sheet "
                        "the withheld, or withhold the whole family")
    p.add_argument("--unimageable", choices=UNIMAGEABLE, default="native",
                   help="a document that cannot be imaged: produce it as a native with a slip sheet "
                        "(default), image its text in a plain layout, or stop before anything is written")
    p.add_argument("--check", action="store_true",
                   help="run quality control and show the plan; write nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_produce)

    p = commands.add_parser("productions", help="the case's productions, or how one document was produced")
    p.add_argument("case")
    p.add_argument("control", nargs="?", metavar="CONTROL", help="show this document's production history")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_productions)

    p = commands.add_parser("privlog",
                            help="the privilege log of withheld and redacted documents (CSV or XLSX)")
    p.add_argument("case")
    p.add_argument("--production", metavar="NAME", help="one production (default: every production)")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.csv or FILE.xlsx")
    p.set_defaults(run=cmd_privlog)

    p = commands.add_parser("attorneys", help="mark people as attorneys, flagged * on the privilege log")
    p.add_argument("case")
    p.add_argument("--add", nargs="+", default=[], metavar="WHO", help="email addresses, @domains or names")
    p.add_argument("--remove", nargs="+", default=[], metavar="WHO")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_attorneys)


def _search(case: Case) -> SearchService:
    from reviewer.core.search.service import SearchService

    with progress_bar("index") as (progress, cancel):
        search = SearchService.open(case, progress, cancel)
    if search.repaired:
        console.print(f"[yellow]{search.repaired}[/]", highlight=False)
    return search


def _one_document(case: Case, control: str) -> int:
    from reviewer.core import review

    [doc_id] = review.resolve_controls(case, [control])
    return doc_id


def cmd_redact(args: argparse.Namespace) -> int:
    from reviewer.core.produce import redact

    with open_case(args.case) as case:
        if args.query is not None:
            if not args.hits:
                raise ReviewerError("Add --hits to redact every hit of the search.")
            doc_ids = [_one_document(case, args.control)] if args.control else None
            with _search(case) as search, progress_bar("redact") as (progress, cancel):
                documents, added = redact.add_query_hits(case, search, args.query, doc_ids, args.reason,
                                                         progress, cancel)
            console.print(f"Added {added:,} redaction{'s' if added != 1 else ''} in {documents:,} "
                          f"document{'s' if documents != 1 else ''}.", highlight=False)
            return 0
        if not args.control:
            raise ReviewerError("Say which document to redact (its control number).")
        doc_id = _one_document(case, args.control)
        if args.text is not None:
            redact.add_phrase(case, [doc_id], args.text, args.reason)
            console.print(f'{args.control.upper()}: every "{" ".join(args.text.split())}" will be redacted.',
                          highlight=False)
        else:
            page, *corners = args.rect
            if page != int(page):
                raise ReviewerError("PAGE must be a whole number.")
            redact.add_rectangle(case, doc_id, int(page), tuple(corners), args.reason)
            console.print(f"{args.control.upper()}: added a box on page {int(page)}.", highlight=False)
    return 0


def cmd_redactions(args: argparse.Namespace) -> int:
    from reviewer.core.produce import redact

    with open_case(args.case) as case:
        doc_id = _one_document(case, args.control)
        if args.remove:
            removed = redact.remove(case, doc_id, args.remove)
            console.print(f"Removed {removed} redaction{'s' if removed != 1 else ''}.", highlight=False)
        marks = redact.document_marks(case, doc_id)
    if args.json:
        print_records(marks)
        return 0
    table = titled_table(args.control.upper(), ("id", "what", "reason", "query", "by", "added (UTC)"))
    for mark in marks:
        what = f'"{mark.phrase}"' if mark.phrase else \
            f"page {mark.page}: " + ", ".join(f"{v:g}" for v in mark.rect or ())
        added = mark.added.isoformat(sep=" ", timespec="seconds") if mark.added else ""
        table.add_row(str(mark.id), what, mark.reason, mark.query, mark.user, added)
    stdout_console.print(table)
    return 0


def cmd_produce(args: argparse.Namespace) -> int:
    from reviewer.core.produce.production import ProductionSettings, not_imaged, preview, produce
    from reviewer.core.produce.qc import QcBlocked

    settings = ProductionSettings(
        name=args.name.strip(), prefix=args.prefix, out_dir=Path(args.out), volume=args.volume,
        start=args.start, digits=args.digits, endorsement=args.endorse, confidentiality=args.confidentiality,
        image_format=args.image, dat_encoding=args.dat_encoding, withhold_privileged=args.withhold_privileged,
        split_families=args.split_families or "ask", unimageable=args.unimageable, query=args.query,
    )
    with open_case(args.case) as case:
        with _search(case) as search:
            doc_ids = sorted(search.matching_ids(args.query))
        if args.check:
            with progress_bar("check") as (progress, cancel):
                plan, issues = preview(case, doc_ids, settings, progress, cancel)
            counts = plan.counts()
            if args.json:
                print_json({"documents": [{"control": p.control, "treatment": p.treatment, "why": p.why}
                                          for p in plan.documents],
                            "counts": counts, "left_out": plan.left_out, "issues": [str(i) for i in issues],
                            "unimageable": [asdict(n) for n in not_imaged(plan)]})
                return 1 if issues else 0
            _print_counts(counts)
            _print_not_imaged(not_imaged(plan))
            if issues:
                raise QcBlocked(issues)
            console.print("Quality control passed.", highlight=False)
            return 0
        with progress_bar("produce") as (progress, cancel):
            result = produce(case, doc_ids, settings, progress, cancel)
    if args.json:
        print_json({**asdict(result), "volume_dir": str(result.volume_dir)})
        return 0
    console.print(f'Produced "{result.name}": {result.documents:,} documents, {result.pages:,} pages, '
                  f"{result.first_bates}–{result.last_bates}, in {result.volume_dir} "
                  f"({result.seconds:.1f} s).", highlight=False)
    _print_counts(result.counts)
    _print_not_imaged(result.unimageable)
    if result.left_out:
        console.print(f"Left out {len(result.left_out):,} mailbox files (their messages are documents "
                      "of their own).", highlight=False)
    if result.rendered_from_text:
        console.print(f"{len(result.rendered_from_text):,} documents were laid out from their extracted text "
                      f"(LibreOffice is not installed, or their file could not be rendered): "
                      f"{', '.join(result.rendered_from_text[:10])}"
                      f"{' …' if len(result.rendered_from_text) > 10 else ''}", highlight=False)
    return 0


def _print_not_imaged(documents: list[NotImaged]) -> None:
    if documents:
        console.print(f"{len(documents):,} document{'s' if len(documents) != 1 else ''} could not be imaged:",
                      highlight=False)
    for document in documents:
        how = "produced native, with a slip sheet" if document.treatment == "native" else \
            "imaged from its text in a plain layout"
        console.print(f"  {document.control}: {document.reason}; {how}", highlight=False)


def _print_counts(counts: dict[str, int]) -> None:
    from reviewer.core.produce.plan import TREATMENT_LABELS

    for treatment, count in counts.items():
        if count:
            console.print(f"  {TREATMENT_LABELS[treatment]}: {count:,}", highlight=False)


def cmd_productions(args: argparse.Namespace) -> int:
    from reviewer.core.produce import records
    from reviewer.core.produce.plan import TREATMENT_LABELS

    with open_case(args.case) as case:
        if args.control:
            history = records.document_history(case, _one_document(case, args.control))
            if args.json:
                print_records(history)
                return 0
            table = titled_table(args.control.upper(),
                                 ("production", "volume", "date (UTC)", "treatment", "Bates", "family"))
            for entry in history:
                table.add_row(entry.production, entry.volume,
                              entry.created.isoformat(sep=" ", timespec="seconds"),
                              TREATMENT_LABELS[entry.treatment], f"{entry.beg_bates}–{entry.end_bates}",
                              f"{entry.beg_attach}–{entry.end_attach}")
            if not history:
                console.print(f"{args.control.upper()} has not been produced.", highlight=False)
                return 0
            stdout_console.print(table)
            return 0
        found = records.productions(case)
    if args.json:
        print_records(found)
        return 0
    if not found:
        console.print("No productions yet.", highlight=False)
        return 0
    from rich.table import Table  # here: a command that prints no table loads no rich
    table = Table()
    numbers = ("documents", "pages", "withheld", "redacted")
    for column in ("name", "volume", "date (UTC)", "Bates", *numbers, "format"):
        table.add_column(column, justify="right" if column in numbers else "left")
    for info in found:
        table.add_row(info.name, info.volume, info.created.isoformat(sep=" ", timespec="seconds"),
                      f"{info.first_bates}–{info.last_bates}", f"{info.documents:,}", f"{info.pages:,}",
                      f"{info.counts['withheld']:,}", f"{info.counts['redacted']:,}", info.image_format)
    stdout_console.print(table)
    return 0


def cmd_privlog(args: argparse.Namespace) -> int:
    from reviewer.core.produce import privlog

    out = Path(args.out)
    with open_case(args.case) as case:
        rows = privlog.privilege_log(case, args.production)
    privlog.write_log(out, rows)
    entries = "1 log entry" if len(rows) == 1 else f"{len(rows):,} log entries"
    console.print(f"Wrote {entries} to {out}.", highlight=False)
    return 0


def cmd_attorneys(args: argparse.Namespace) -> int:
    from reviewer.core.produce import attorneys

    with open_case(args.case) as case:
        if args.add:
            added = attorneys.add(case, args.add)
            console.print(f"Marked {added} as attorney{'s' if added != 1 else ''}.", highlight=False)
        if args.remove:
            removed = attorneys.remove(case, args.remove)
            console.print(f"Unmarked {removed}.", highlight=False)
        marked = attorneys.attorneys(case)
    if args.json:
        print_json(marked)
    elif not args.add and not args.remove:
        for identity in marked:
            print(identity)
    return 0
