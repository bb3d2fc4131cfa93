"""Commands that build and inspect a case: init, ingest, status, docs, text, exceptions, check, reindex,
demo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.cli.common import console, fail, open_case, print_json, progress_bar, stdout_console, write_csv
from reviewer.core import demo
from reviewer.core.choices import DEFAULT_FILE_TIMEOUT

if TYPE_CHECKING:
    from reviewer.core.ingest.pipeline import IngestSummary

DOC_COLUMNS = [
    "control", "path", "custodian", "custodians", "file_name", "ext", "mime", "kind", "md5", "sha1", "sha256",
    "size", "pages", "parent", "family", "author", "title", "created", "modified", "from", "to", "cc", "bcc",
    "subject", "sent", "message_id", "in_reply_to", "references", "flags",
    "thread_group", "thread_path", "thread_indent", "email_action", "inclusive", "inclusive_reason",
    "thread_missing", "near_dup_group", "near_dup_principal", "near_dup_similarity",
]
EXCEPTION_COLUMNS = ["path", "custodian", "reason", "kind", "size", "sha256"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("init", help="create a new case folder (or, with --database, a shared case)")
    p.add_argument("case", help="folder for the new case (with --database: the case file to write)")
    p.add_argument("--name", help="the matter's name (default: the folder or database name)")
    p.add_argument("--database", metavar="URL",
                   help="make a shared case in this new, empty PostgreSQL database: "
                        "postgresql://USER@SERVER:PORT/DATABASE (see `reviewer share --help`)")
    p.add_argument("--store", type=Path, metavar="DIR",
                   help="with --database: a new, empty folder every team member can reach, for the evidence")
    p.set_defaults(run=cmd_init)

    p = commands.add_parser("ingest",
                            help="add files and folders to a case (resumable; Ctrl-C stops cleanly)")
    p.add_argument("case")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to ingest")
    p.add_argument("--custodian", default="", help="whose documents these are")
    p.add_argument("--custodian-from-folder", action="store_true",
                   help="take each file's custodian from the first folder below PATH")
    p.add_argument("--jobs", type=int, default=None, help="extraction processes (default: CPU count)")
    p.add_argument("--password", action="append", default=[], metavar="PW",
                   help="a password to try on encrypted files (repeatable)")
    p.add_argument("--max-file-mb", type=int, default=None, help="files larger than this become exceptions")
    p.add_argument("--no-ocr", action="store_true", help="do not OCR images and scans; flag them instead")
    p.add_argument("--file-timeout", type=float, default=DEFAULT_FILE_TIMEOUT, metavar="SECONDS",
                   help="stop a reader that has produced nothing for this long and record the file as "
                        "an exception; in a mailbox or archive each member counts "
                        f"(default {DEFAULT_FILE_TIMEOUT:g}; 0 waits for ever)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(run=cmd_ingest)

    p = commands.add_parser("status", help="counts: documents, duplicates, exceptions, by custodian and type")
    p.add_argument("case")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_status)

    p = commands.add_parser("docs", help="one row per document with its metadata")
    p.add_argument("case")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", metavar="FILE", help="write CSV to FILE ('-' for standard output)")
    p.set_defaults(run=cmd_docs)

    p = commands.add_parser("text", help="print a document's extracted text")
    p.add_argument("case")
    p.add_argument("control", metavar="CONTROL_NUMBER")
    p.set_defaults(run=cmd_text)

    p = commands.add_parser("exceptions", help="the exceptions report: files that did not become documents")
    p.add_argument("case")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", metavar="FILE")
    out.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_exceptions)

    p = commands.add_parser("check", help="verify originals against their hashes and the database/index")
    p.add_argument("case")
    p.set_defaults(run=cmd_check)

    p = commands.add_parser("reindex", help="rebuild the search index from the database")
    p.add_argument("case")
    p.set_defaults(run=cmd_reindex)

    p = commands.add_parser("demo", help="create (or refresh) the built-in fictional demo case")
    p.add_argument("case", nargs="?", default=str(demo.default_demo_case()),
                   help=f"where to put it (default: {demo.default_demo_case()})")
    p.set_defaults(run=cmd_demo)


def cmd_init(args: argparse.Namespace) -> int:
    from reviewer.core.case import Case

    if args.database is None:
        if args.store is not None:
            return fail("--store goes with --database: a case folder keeps its evidence inside it.")
        with Case.create(args.case, name=args.name) as case:
            console.print(f"Created case [bold]{case.name}[/] in {case.root}", highlight=False)
        return 0
    from reviewer.core.team.casefile import parse_address

    if args.store is None:
        return fail("A shared case needs --store DIR: the folder for its evidence that the team can reach.")
    with Case.create_shared(args.case, parse_address(args.database), args.store, name=args.name) as case:
        console.print(f"Created the shared case [bold]{case.name}[/] ({case.db.label}, evidence in "
                      f"{case.root}); open it with: reviewer gui {case.location}", highlight=False)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from reviewer.core.ingest.extracted import Limits
    from reviewer.core.ingest.pipeline import IngestOptions, ingest

    limits = Limits() if args.max_file_mb is None else Limits(max_file_bytes=args.max_file_mb * 1024 * 1024)
    options = IngestOptions(custodian=args.custodian, custodian_from_folder=args.custodian_from_folder,
                            jobs=args.jobs, passwords=args.password, limits=limits, ocr=not args.no_ocr,
                            file_timeout=args.file_timeout or None)
    with open_case(args.case) as case, progress_bar("ingest") as (progress, cancel):
        summary = ingest(case, args.paths, options, progress, cancel)
    _print_summary(summary, args.json)
    return 130 if summary.cancelled else 0


def _print_summary(summary: IngestSummary, as_json: bool) -> None:
    if as_json:
        print_json({"inputs": summary.inputs, "skipped": summary.skipped, **summary.counts(),
                    "cancelled": summary.cancelled, "seconds": round(summary.seconds, 2)})
        return
    verb = "Stopped" if summary.cancelled else "Done"
    console.print(
        f"{verb}: {summary.documents:,} documents, {summary.duplicates:,} duplicates, "
        f"{summary.exceptions:,} exceptions from {summary.inputs:,} input files "
        f"({summary.skipped:,} already ingested) in {summary.seconds:.1f} s.",
        highlight=False,
    )
    if summary.cancelled:
        console.print("Run the same command again to finish.")
    if summary.exceptions:
        console.print("See them with `reviewer exceptions CASE`.")


def cmd_status(args: argparse.Namespace) -> int:
    from reviewer.core import inventory

    with open_case(args.case) as case:
        facts = inventory.status(case)
    if args.json:
        print_json(facts)
        return 0
    from rich.table import Table  # here: a command that prints no table loads no rich
    table = Table(title=f"Case: {facts['case']}", show_header=False)
    for key in ("documents", "duplicates", "exceptions", "inputs", "families", "pages"):
        table.add_row(key, f"{facts[key]:,}")
    for title, key in (("custodian", "by_custodian"), ("type", "by_type"), ("flag", "flags"),
                       ("exception", "exceptions_by_reason")):
        for name, count in sorted(facts[key].items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(f"{title}: {name or '(none)'}", f"{count:,}")
    reduction = facts["review_reduction"]
    if reduction["emails"] or reduction["near_dup_groups"]:
        table.add_row("emails", f"{reduction['emails']:,}")
        table.add_row("email threads", f"{reduction['thread_groups']:,}")
        table.add_row("inclusive emails", f"{reduction['inclusive_emails']:,}")
        table.add_row("emails a reviewer can skip", f"{reduction['skippable_share']:.1%}")
        table.add_row("near-duplicate groups", f"{reduction['near_dup_groups']:,}")
        table.add_row("documents in near-duplicate groups", f"{reduction['near_dup_documents']:,}")
    stdout_console.print(table)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from reviewer.core import inventory

    with open_case(args.case) as case:
        rows = inventory.document_rows(case)
    if args.json:
        print_json(rows)
    else:
        write_csv(args.csv, rows, DOC_COLUMNS)
    return 0


def cmd_text(args: argparse.Namespace) -> int:
    from reviewer.core import inventory

    with open_case(args.case) as case:
        text = inventory.document_text(case, args.control)
    if text is None:
        return fail(f"No document {args.control} in this case.")
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    return 0


def cmd_exceptions(args: argparse.Namespace) -> int:
    from reviewer.core import inventory

    with open_case(args.case) as case:
        rows = inventory.exception_rows(case)
    if args.json:
        print_json(rows)
    elif args.csv:
        write_csv(args.csv, rows, EXCEPTION_COLUMNS)
    else:
        for row in rows:
            print(f"{row['path']}\t{row['reason']}")
        console.print(f"{len(rows):,} exceptions.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from reviewer.core import inventory

    with open_case(args.case) as case, progress_bar("check") as (progress, cancel):
        problems = inventory.check(case, progress, cancel)
    for problem in problems:
        print(problem)
    if problems:
        return fail(f"{len(problems)} problems found.")
    console.print("The case is consistent: every original matches its hash and the index matches the "
                  "database.")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from reviewer.core.search.repair import repair

    with open_case(args.case) as case, progress_bar("reindex") as (progress, cancel):
        done = repair(case, progress, cancel, rebuild=True)
    if done.message:
        console.print(f"[yellow]{done.message}[/]", highlight=False)
    console.print(f"Indexed {done.rebuilt or 0:,} documents.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    with progress_bar("demo") as (progress, cancel):
        case_path, summary = demo.build_demo_case(Path(args.case), progress, cancel)
    console.print(f"Demo case ready in {case_path}", highlight=False)
    _print_summary(summary, as_json=False)
    return 0
