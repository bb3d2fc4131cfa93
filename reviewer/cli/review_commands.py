"""Commands that code documents: tag, tags, tag-new, tag-edit, tag-delete, note, privilege, history (of a
document, or --all of the case), undo, export."""

from __future__ import annotations

import argparse

from reviewer.cli.case_commands import DOC_COLUMNS
from reviewer.cli.common import (
    console,
    matching_ids,
    open_case,
    print_records,
    stdout_console,
    titled_table,
    write_csv,
)
from reviewer.core.choices import PRIVILEGE_BASES
from reviewer.core.errors import ReviewerError

CODING_COLUMNS = ["tags", "privilege_basis", "privilege_description", "notes"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:

    p = commands.add_parser("tag", help="apply a tag to documents (or take it off with --remove)")
    p.add_argument("case")
    p.add_argument("tag", help='the tag\'s name, e.g. "Responsive"')
    p.add_argument("controls", nargs="*", metavar="CONTROL", help="control numbers of the documents")
    p.add_argument("--query", metavar="Q", help="every document this search finds (instead of CONTROLs)")
    p.add_argument("--remove", action="store_true", help="take the tag off instead")
    p.add_argument("--families", action="store_true", help="include every member of each document's family")
    p.add_argument("--threads", action="store_true",
                   help="include every document of each document's email thread")
    _seen_option(p)
    p.set_defaults(run=cmd_tag)

    p = commands.add_parser("tags", help="the case's tags with their hotkeys and document counts")
    p.add_argument("case")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_tags)

    p = commands.add_parser("tag-new", help="add a tag to the case")
    p.add_argument("case")
    p.add_argument("name")
    p.add_argument("--group", default="", help="heading the tag is listed under")
    p.add_argument("--color", help="#RRGGBB (default: the next colour of the palette)")
    p.add_argument("--hotkey", default="", help="a digit or letter that applies the tag in the viewer")
    p.set_defaults(run=cmd_tag_new)

    p = commands.add_parser("tag-edit", help="rename a tag or change its group, colour or hotkey")
    p.add_argument("case")
    p.add_argument("name")
    p.add_argument("--rename", metavar="NEW_NAME")
    p.add_argument("--group")
    p.add_argument("--color", metavar="#RRGGBB")
    p.add_argument("--hotkey", help='a digit or letter; "" removes the hotkey')
    p.set_defaults(run=cmd_tag_edit)

    p = commands.add_parser("tag-delete", help="delete a tag, taking it off every document")
    p.add_argument("case")
    p.add_argument("name")
    p.set_defaults(run=cmd_tag_delete)

    p = commands.add_parser("note", help="add a note to a document")
    p.add_argument("case")
    p.add_argument("control", metavar="CONTROL")
    p.add_argument("text")
    p.set_defaults(run=cmd_note)

    p = commands.add_parser("privilege", help="record why documents are privileged, for the privilege log")
    p.add_argument("case")
    p.add_argument("controls", nargs="+", metavar="CONTROL")
    basis = p.add_mutually_exclusive_group(required=True)
    basis.add_argument("--basis", help=" | ".join(PRIVILEGE_BASES))
    basis.add_argument("--clear", action="store_true", help="remove the recorded basis and description")
    p.add_argument("--description", default="", help="the privilege log's description of the document")
    p.add_argument("--families", action="store_true", help="include every member of each document's family")
    _seen_option(p)
    p.set_defaults(run=cmd_privilege)

    p = commands.add_parser("history", help="every change to a document (coding, notes, privilege, "
                                            "redactions): who, when, before and after; --all: the whole case")
    p.add_argument("case")
    p.add_argument("control", nargs="?", metavar="CONTROL")
    p.add_argument("--all", action="store_true",
                   help="every action in the case, newest first, with ingests, imports and productions")
    p.add_argument("--limit", type=int, metavar="N", help="with --all: only the newest N entries")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_history)

    p = commands.add_parser("undo", help="undo the case's most recent reviewer action (coding, redactions, "
                                         "saved searches, attorneys, settings, people)")
    p.add_argument("case")
    p.set_defaults(run=cmd_undo)

    p = commands.add_parser("export", help="documents with their metadata and coding, as CSV")
    p.add_argument("case")
    p.add_argument("--query", metavar="Q", help="only the documents this search finds (default: all)")
    p.add_argument("--csv", metavar="FILE", required=True, help="where to write ('-' for standard output)")
    p.set_defaults(run=cmd_export)


def _seen_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seen", type=int, metavar="VERSION",
                   help="the coding version you looked at (`reviewer changes`): refused, naming the other "
                        "reviewer, if someone changed this coding since")


def cmd_tag(args: argparse.Namespace) -> int:
    from reviewer.core import review
    from reviewer.core.analytics import groups
    from reviewer.core.audit import n_documents

    if bool(args.query) == bool(args.controls):
        raise ReviewerError("Give either control numbers or --query, not both and not neither.")
    with open_case(args.case) as case:
        ids = matching_ids(case, args.query) if args.query else review.resolve_controls(case, args.controls)
        if args.threads:
            ids = groups.expand(case, ids, threads=True)
        changed = review.tag_documents(case, ids, args.tag, add=not args.remove, families=args.families,
                                       seen=args.seen)
    message = f'Took "{args.tag}" off {n_documents(changed)}' if args.remove \
        else f'Tagged {n_documents(changed)} "{args.tag}"'
    unchanged = len(ids) - changed
    if unchanged > 0 and not args.families:
        message += f"; the other {unchanged:,} {'did not have it' if args.remove else 'already had it'}"
    console.print(f"{message}.", highlight=False)
    return 0


def cmd_tags(args: argparse.Namespace) -> int:
    from reviewer.core import review

    with open_case(args.case) as case:
        tags = review.list_tags(case)
    if args.json:
        print_records(tags)
        return 0
    from rich.table import Table  # here: a command that prints no table loads no rich
    table = Table()
    for column in ("key", "tag", "group", "colour", "documents"):
        table.add_column(column, justify="right" if column == "documents" else "left")
    for tag in tags:
        table.add_row(tag.hotkey, tag.name, tag.group, f"[{tag.color}]{tag.color}[/]", f"{tag.count:,}")
    stdout_console.print(table)
    return 0


def cmd_tag_new(args: argparse.Namespace) -> int:
    from reviewer.core import review

    with open_case(args.case) as case:
        tag = review.create_tag(case, args.name, group=args.group, color=args.color, hotkey=args.hotkey)
    console.print(f'Created the tag "{tag.name}".', highlight=False)
    return 0


def cmd_tag_edit(args: argparse.Namespace) -> int:
    from reviewer.core import review

    edits = [(review.set_tag_group, args.group), (review.recolor_tag, args.color),
             (review.set_tag_hotkey, args.hotkey)]
    if args.rename is None and all(value is None for _, value in edits):
        raise ReviewerError("Say what to change: --rename, --group, --color or --hotkey.")
    name = args.name
    with open_case(args.case) as case:
        for edit, value in edits:
            if value is not None:
                edit(case, name, value)
        if args.rename is not None:
            review.rename_tag(case, name, args.rename)
    console.print(f'Updated the tag "{args.rename or name}".', highlight=False)
    return 0


def cmd_tag_delete(args: argparse.Namespace) -> int:
    from reviewer.core import review
    from reviewer.core.audit import n_documents

    with open_case(args.case) as case:
        count = review.delete_tag(case, args.name)
    console.print(f'Deleted the tag "{args.name}" from {n_documents(count)}.', highlight=False)
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    from reviewer.core import review

    with open_case(args.case) as case:
        [doc_id] = review.resolve_controls(case, [args.control])
        review.add_note(case, doc_id, args.text)
    console.print(f"Added a note to {args.control.upper()}.", highlight=False)
    return 0


def cmd_privilege(args: argparse.Namespace) -> int:
    from reviewer.core import review
    from reviewer.core.audit import n_documents

    with open_case(args.case) as case:
        ids = review.resolve_controls(case, args.controls)
        changed = review.set_privilege(case, ids, None if args.clear else args.basis, args.description,
                                       families=args.families, seen=args.seen)
    what = "Cleared the privilege basis of" if args.clear else "Recorded the privilege basis of"
    console.print(f"{what} {n_documents(changed)}.", highlight=False)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from reviewer.core import audit, review

    if bool(args.all) == bool(args.control):
        raise ReviewerError("Give a document's control number, or --all for the whole case's trail.")
    if args.all:
        return _print_trail(args)
    with open_case(args.case) as case:
        [doc_id] = review.resolve_controls(case, [args.control])
        events = audit.history(case, doc_id)
    if args.json:
        print_records(events)
        return 0
    table = titled_table(args.control.upper(), ("when (UTC)", "who", "action", "before", "after", ""))
    for event in events:
        state = "undo" if event.undo else "undone" if event.undone else ""
        table.add_row(event.at.isoformat(sep=" ", timespec="seconds"), event.user, event.action, event.before,
                      event.after, state)
    stdout_console.print(table)
    return 0


def _print_trail(args: argparse.Namespace) -> int:
    from reviewer.core import audit

    with open_case(args.case) as case:
        entries = audit.trail(case, args.limit)
    if args.json:
        print_records(entries)
        return 0
    table = titled_table("Audit trail", ("#", "when (UTC)", "who", "action", "changes", ""))
    for entry in entries:
        state = (f"undo of #{entry.undo_of}" if entry.undo_of else f"undone by #{entry.undone_by}"
                 if entry.undone_by else "" if entry.undoable else "cannot be undone")
        table.add_row(str(entry.id), entry.at.isoformat(sep=" ", timespec="seconds"), entry.user,
                      entry.summary, f"{entry.events:,}", state)
    stdout_console.print(table)
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    from reviewer.core import audit

    with open_case(args.case) as case:
        message = audit.undo(case)
    console.print(message or "Nothing to undo.", highlight=False)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from reviewer.core import review
    from reviewer.core.audit import n_documents

    with open_case(args.case) as case:
        ids = matching_ids(case, args.query) if args.query else None
        rows = review.export_rows(case, ids)
    write_csv(args.csv, rows, DOC_COLUMNS + CODING_COLUMNS)
    if args.csv != "-":
        console.print(f"Wrote {n_documents(len(rows))} to {args.csv}.", highlight=False)
    return 0
