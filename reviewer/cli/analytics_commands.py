"""Commands for review by conversation: analyze (threads and near-duplicates), threads, neardups."""

from __future__ import annotations

import argparse

from reviewer.cli.common import (
    console,
    fail,
    open_case,
    print_json,
    print_records,
    progress_bar,
    stdout_console,
)

SIMILARITY_NOTE = (
    "similarity: the share of the larger document's words that stand unchanged, in the same "
    "order, in the other (a word-by-word comparison)"
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "analyze",
        help="thread the emails and find near-duplicate groups again (Ctrl-C stops cleanly)",
        description="Email threads (with inclusive emails) and near-duplicate groups, over the whole case. "
        "Every ingest and import keeps them current by itself with the settings of the last "
        "analysis; run this to change the settings or to start afresh. Thread and group ids "
        f"stay where the groups stay. {SIMILARITY_NOTE[0].upper()}{SIMILARITY_NOTE[1:]}.",
    )
    p.add_argument("case")
    p.add_argument(
        "--threshold",
        type=int,
        metavar="N",
        help="near-duplicates are at least N %% similar to their group's principal (50–100; "
        "default: the last analysis's, at first 90)",
    )
    emails = p.add_mutually_exclusive_group()
    emails.add_argument(
        "--emails",
        dest="emails",
        action="store_true",
        default=None,
        help="compare emails for near-duplicates too (left out by default: threads cover them)",
    )
    emails.add_argument("--no-emails", dest="emails", action="store_false", help="leave emails out again")
    p.add_argument(
        "--jobs", type=int, default=None, help="worker processes reading texts (default: CPU count)"
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(run=cmd_analyze)

    p = commands.add_parser("threads", help="a document's email thread as a tree")
    p.add_argument("case")
    p.add_argument("control", metavar="CONTROL")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_threads)

    p = commands.add_parser(
        "neardups",
        help="near-duplicate groups, or one document's group with similarities",
        description=f"Near-duplicate groups ({SIMILARITY_NOTE}).",
    )
    p.add_argument("case")
    p.add_argument("control", nargs="?", metavar="CONTROL")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_neardups)


def cmd_analyze(args: argparse.Namespace) -> int:
    from reviewer.core.analytics import run
    from reviewer.core.errors import CancelledError

    with open_case(args.case) as case, progress_bar("analyze") as (progress, cancel):
        try:
            result = run.analyze(case, args.threshold, args.emails, progress, cancel, args.jobs)
        except CancelledError:
            console.print("Stopped. The texts read so far are kept; run the same command again to finish.")
            return 130
    if args.json:
        print_json(
            {
                "threshold": result.settings.threshold,
                "include_emails": result.settings.include_emails,
                "texts_read": result.read,
                "emails": result.emails,
                "thread_groups": result.threads,
                "inclusive_emails": result.inclusive,
                "near_dup_groups": result.near_dup_groups,
                "near_dup_documents": result.near_dup_documents,
                "compared": result.compared,
                "seconds": round(result.seconds, 2),
            }
        )
        return 0
    skip = 1 - result.inclusive / result.emails if result.emails else 0.0
    console.print(
        f"Threads: {result.emails:,} emails in {result.threads:,} threads; {result.inclusive:,} "
        f"inclusive, so a reviewer can skip {skip:.0%} of the emails.",
        highlight=False,
    )
    console.print(
        f"Near-duplicates at {result.settings.threshold} %: {result.near_dup_groups:,} groups holding "
        f"{result.near_dup_documents:,} of {result.compared:,} documents compared"
        f"{'' if result.settings.include_emails else ' (emails left out; --emails adds them)'}. "
        f"Took {result.seconds:.1f} s.",
        highlight=False,
    )
    return 0


def cmd_threads(args: argparse.Namespace) -> int:
    from reviewer.core import review
    from reviewer.core.analytics import groups

    with open_case(args.case) as case:
        [doc_id] = review.resolve_controls(case, [args.control])
        entries = groups.conversation(case, doc_id)
    if args.json:
        print_records(entries)
        return 0
    if not entries:
        return fail(
            f"{args.control.upper()} is in no email thread (is it an email? `reviewer analyze` "
            "threads the emails)."
        )
    from rich.table import Table  # here: a command that prints no table loads no rich
    table = Table(title=f"Thread of {args.control.upper()}", show_lines=False, pad_edge=False)
    for column in ("control", "action", "inclusive", "date", "from", "subject"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        indent = "  " * entry.indent
        if entry.kind == "missing":
            table.add_row(
                f"{indent}(missing)", "", "", "", "", f"not in the case: {entry.subject}", style="dim italic"
            )
            continue
        mark = {True: f"yes ({entry.reason})", False: "no", None: ""}[entry.inclusive]
        action = entry.action if entry.kind == "message" else entry.kind
        table.add_row(
            f"{indent}{entry.control}",
            action,
            mark,
            entry.date.strftime("%Y-%m-%d %H:%M") if entry.date else "",
            entry.sender,
            entry.subject,
            style="bold" if entry.inclusive else None,
        )
    stdout_console.print(table)
    return 0


def cmd_neardups(args: argparse.Namespace) -> int:
    from reviewer.core import review
    from reviewer.core.analytics import groups

    with open_case(args.case) as case:
        if args.control:
            [doc_id] = review.resolve_controls(case, [args.control])
            members = groups.near_dup_group(case, doc_id)
        else:
            found = groups.near_dup_groups(case)
    if not args.control:
        if args.json:
            print_records(found)
            return 0
        from rich.table import Table  # here: a command that prints no table loads no rich
        table = Table(title="Near-duplicate groups", caption=SIMILARITY_NOTE)
        for column in ("group", "principal", "documents", "lowest similarity", "title"):
            table.add_column(column, overflow="fold")
        for group in found:
            table.add_row(
                str(group.group),
                group.principal,
                f"{group.members:,}",
                f"{int(group.lowest_similarity)} %",
                group.title,
            )
        stdout_console.print(table)
        return 0
    if args.json:
        print_records(members)
        return 0
    if not members:
        return fail(f"{args.control.upper()} has no near-duplicates.")
    from rich.table import Table  # here: a command that prints no table loads no rich
    table = Table(title=f"Near-duplicates of {args.control.upper()}", caption=SIMILARITY_NOTE)
    for column in ("control", "similarity", "title"):
        table.add_column(column, overflow="fold")
    for member in members:
        table.add_row(
            member.control + (" (principal)" if member.principal else ""),
            f"{int(member.similarity)} %",
            member.title,
        )
    stdout_console.print(table)
    return 0
