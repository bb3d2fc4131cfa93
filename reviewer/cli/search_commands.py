"""Commands that search a case: search, syntax, hits, terms, save-search, searches, delete-search,
search-history."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.cli.common import console, fail, open_case, print_json, progress_bar, stdout_console, write_csv
from reviewer.core.choices import SHOWN_HITS, SORTS
from reviewer.core.search.syntax import SYNTAX_HELP

if TYPE_CHECKING:
    from rich.text import Text

    from reviewer.core.search.hits import Snippet
    from reviewer.core.search.service import SearchService

# A query that cannot be read is a usage error, like a bad option.
QUERY_ERROR = 2


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("search", help="search a case with the review query language",
                            epilog="Query syntax: `reviewer syntax`.")
    p.add_argument("case")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=20, metavar="N",
                   help="show the first N hits (0: the total only)")
    p.add_argument("--sort", choices=SORTS, default="relevance")
    p.add_argument("--families", action="store_true", help="whole families of the hits, parents first")
    p.add_argument("--threads", action="store_true",
                   help="whole email threads of the hits, in thread order (after `reviewer analyze`)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_search)

    p = commands.add_parser("syntax", help="the search syntax, with examples")
    p.set_defaults(run=cmd_syntax)

    p = commands.add_parser("hits", help="where a query hits in one document (offsets; PDF pages and boxes)")
    p.add_argument("case")
    p.add_argument("control", metavar="CONTROL_NUMBER")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=SHOWN_HITS, metavar="N",
                   help=f"the first N hits in the text (default {SHOWN_HITS:,}; 0: all of them)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_hits)

    p = commands.add_parser("terms", help="search term report: one query per line of TERMS_FILE")
    p.add_argument("case")
    p.add_argument("terms_file", metavar="TERMS_FILE")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", metavar="OUT", help="write CSV to OUT ('-' for standard output)")
    out.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_terms)

    p = commands.add_parser("save-search", help="save a query under a name (usable as saved:\"NAME\")")
    p.add_argument("case")
    p.add_argument("name", metavar="NAME")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--replace", action="store_true", help="replace a saved search of the same name")
    p.set_defaults(run=cmd_save_search)

    p = commands.add_parser("searches", help="the saved searches, each re-run for its current count")
    p.add_argument("case")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_searches)

    p = commands.add_parser("delete-search", help="delete a saved search")
    p.add_argument("case")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(run=cmd_delete_search)

    p = commands.add_parser("search-history", help="the case's recent searches, newest first")
    p.add_argument("case")
    p.add_argument("--limit", type=int, default=50, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_search_history)


@contextmanager
def _service(case_path: str) -> Iterator[SearchService]:
    from reviewer.core.search.service import SearchService

    with open_case(case_path) as case:
        with progress_bar("index") as (progress, cancel):
            service = SearchService.open(case, progress, cancel)
        if service.repaired:
            console.print(f"[yellow]{service.repaired}[/]", highlight=False)
        with service:
            yield service


def cmd_search(args: argparse.Namespace) -> int:
    from reviewer.core.search.query import QuerySyntaxError, explain

    if args.limit < 0:
        return fail("--limit must be 0 or more.", code=QUERY_ERROR)
    try:
        with _service(args.case) as service:
            result = service.search(args.query, limit=args.limit, sort=args.sort, families=args.families,
                                    remember=True, threads=args.threads)
            rows = service.rows(result)
    except QuerySyntaxError as exc:
        return fail(str(exc), code=QUERY_ERROR)
    if args.json:
        print_json({
            "query": args.query, "understood_as": explain(result.node), "sort": args.sort,
            "families": args.families, "threads": args.threads, "total": result.total,
            "elapsed_ms": round(result.elapsed_ms, 1),
            "hits": [{"control": row.control, "score": None if row.score is None else round(row.score, 4),
                      "title": row.title, "date": row.date, "custodians": row.custodians, "kind": row.kind,
                      "snippet": row.snippet.text, "highlights": [list(mark) for mark in row.snippet.marks]}
                     for row in rows],
        })
        return 0
    noun = "document" if result.total == 1 else "documents"
    stdout_console.print(f"{result.total:,} {noun}", highlight=False)
    if rows:
        from rich.table import Table  # here: a command that prints no table loads no rich
        table = Table(show_lines=False, pad_edge=False)
        for column in ("control", "score", "date", "custodian", "title", "snippet"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(row.control, "" if row.score is None else f"{row.score:.2f}",
                          row.date.date().isoformat() if row.date else "", ", ".join(row.custodians),
                          row.title, _highlighted(row.snippet))
        stdout_console.print(table)
    console.print(f"Understood as: {explain(result.node)}  ({result.elapsed_ms:.0f} ms)", highlight=False,
                  markup=False)
    return 0


def _highlighted(snippet: Snippet) -> Text:
    from rich.text import Text

    text = Text(snippet.text)
    for start, end in snippet.marks:
        text.stylize("bold black on yellow", start, end)
    return text


def cmd_syntax(args: argparse.Namespace) -> int:
    print(SYNTAX_HELP, end="")
    return 0


def cmd_hits(args: argparse.Namespace) -> int:
    from reviewer.core import inventory
    from reviewer.core.search.query import QuerySyntaxError

    if args.limit < 0:
        return fail("--limit must be 0 or more.", code=QUERY_ERROR)
    try:
        with _service(args.case) as service:
            hits = service.hit_positions(args.control, args.query, args.limit or None)
            total = service.hit_count(args.control, args.query)
            text = inventory.document_text(service.case, args.control) or ""
    except QuerySyntaxError as exc:
        return fail(str(exc), code=QUERY_ERROR)
    if args.json:
        print_json([{"part": h.part, "start": h.start, "end": h.end, "page": h.page,
                     "rects": [[round(v, 2) for v in rect] for rect in h.rects]} for h in hits])
    else:
        for hit in hits:
            where = f"page {hit.page}  " if hit.page else ""
            shown = repr(text[hit.start:hit.end]) if hit.part == "text" else f"(in {hit.part})"
            print(f"{hit.part}\t{hit.start}-{hit.end}\t{where}{shown}")
    if len(hits) < total:
        console.print(f"The first {len(hits):,} of {total:,} hits (--limit 0 lists them all).",
                      highlight=False, markup=False)
    else:
        console.print(f"{len(hits):,} hits.", highlight=False)
    return 0


def cmd_terms(args: argparse.Namespace) -> int:
    from reviewer.core.search.query import QuerySyntaxError
    from reviewer.core.search.terms import COLUMNS, CSV_COLUMNS, read_terms, term_report

    terms = read_terms(Path(args.terms_file))
    try:
        with _service(args.case) as service, progress_bar("terms") as (progress, cancel):
            report = term_report(service, terms, progress, cancel)
    except QuerySyntaxError as exc:
        return fail(str(exc), code=QUERY_ERROR)
    if args.json:
        print_json(report.as_dict())
        return 0
    if args.csv:
        write_csv(args.csv, report.csv_rows(), CSV_COLUMNS)
        console.print(f"Search term report for {report.case}, index {report.index}, "
                      f"{report.ran.isoformat(timespec='seconds')}Z.", highlight=False, markup=False)
        return 0
    from rich.table import Table  # here: a command that prints no table loads no rich
    table = Table(title=f"Search term report: {report.case}",
                  caption=f"index {report.index} · run {report.ran.isoformat(timespec='seconds')}Z · "
                          f"{report.documents_hit:,} documents hit by any term "
                          f"({report.documents_hit_with_families:,} with families)")
    for column in COLUMNS:
        table.add_column(column.replace("_", " "), justify="left" if column == "query" else "right")
    for row in report.rows:
        table.add_row(str(row.line), row.query, f"{row.documents:,}", f"{row.with_families:,}",
                      f"{row.unique:,}", f"{row.hits:,}", f"{row.elapsed_ms:,.1f}")
    stdout_console.print(table)
    return 0


def cmd_save_search(args: argparse.Namespace) -> int:
    from reviewer.core.search import saved
    from reviewer.core.search.query import QuerySyntaxError

    try:
        with open_case(args.case) as case:
            record = saved.save(case, args.name, args.query, replace=args.replace)
    except QuerySyntaxError as exc:
        return fail(str(exc), code=QUERY_ERROR)
    console.print(f"Saved search '{record.name}': {record.query}", highlight=False, markup=False)
    return 0


def cmd_searches(args: argparse.Namespace) -> int:
    from reviewer.core.search import saved
    from reviewer.core.search.query import QuerySyntaxError

    with _service(args.case) as service:
        rows = []
        for record in saved.saved_searches(service.case):
            try:
                count: int | str = service.count(f'saved:"{record.name}"')
            except QuerySyntaxError as exc:
                count = f"error: {exc}"
            rows.append({"name": record.name, "query": record.query, "documents": count,
                         "added": record.added.isoformat(timespec="seconds"), "user": record.user})
    if args.json:
        print_json(rows)
        return 0
    from rich.table import Table  # here: a command that prints no table loads no rich
    table = Table()
    for column in ("name", "query", "documents", "added", "user"):
        table.add_column(column, overflow="fold")
    for row in rows:
        documents = row["documents"]
        shown = f"{documents:,}" if isinstance(documents, int) else documents
        table.add_row(str(row["name"]), str(row["query"]), shown, str(row["added"]), str(row["user"]))
    stdout_console.print(table)
    return 0


def cmd_delete_search(args: argparse.Namespace) -> int:
    from reviewer.core.search import saved

    with open_case(args.case) as case:
        saved.remove(case, args.name)
    console.print(f"Deleted saved search '{args.name}'.", highlight=False, markup=False)
    return 0


def cmd_search_history(args: argparse.Namespace) -> int:
    from reviewer.core.search import saved

    with open_case(args.case) as case:
        entries = saved.history(case, args.limit)
    rows = [{"ran": e.ran.isoformat(timespec="seconds"), "user": e.user, "hits": e.hits, "query": e.query}
            for e in entries]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        print(f"{row['ran']}\t{row['user']}\t{row['hits']}\t{row['query']}")
    return 0
