"""Commands about people and communications: people, people-rebuild, people-merge, people-split,
people-rename, people-flag, domains, domain-label, domain-flag, comms, comms-messages."""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, Any

from reviewer.cli.common import (
    console,
    matching_ids,
    open_case,
    print_json,
    progress_bar,
    stdout_console,
    titled_table,
    write_csv,
)
from reviewer.core.choices import COMMS_LEVELS, PERSON_FLAGS
from reviewer.core.errors import ReviewerError

if TYPE_CHECKING:
    from datetime import datetime

    from reviewer.core.case import Case

COMMS_COLUMNS = ["from", "to", "from_name", "to_name", "messages", "first", "last"]
_MONTH = re.compile(r"\d{4}-\d{2}")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("people", help="everyone who wrote, received or authored documents, with their "
                                           "addresses, organisation, flags and message counts")
    p.add_argument("case")
    p.add_argument("--find", metavar="WHO", help="only these people: a name, an address, @domain or lell*")
    p.add_argument("--flag", choices=PERSON_FLAGS, help="only the people with this flag")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_people)

    p = commands.add_parser("people-rebuild", help="read new and changed documents for people now (hand "
                                                   "edits are kept)")
    p.add_argument("case")
    p.set_defaults(run=cmd_people_rebuild)

    p = commands.add_parser("people-merge", help="merge people into the first one given (undoable)")
    p.add_argument("case")
    p.add_argument("ids", nargs="+", type=int, metavar="ID", help="person ids; the first keeps its id")
    p.set_defaults(run=cmd_people_merge)

    p = commands.add_parser("people-split", help="move some of a person's addresses to a new person "
                                                 "(undoable)")
    p.add_argument("case")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("addresses", nargs="+", metavar="ADDRESS", help="addresses (or bare names) to split off")
    p.add_argument("--each", action="store_true", help="one new person for each address given")
    p.set_defaults(run=cmd_people_split)

    p = commands.add_parser("people-rename", help='name a person as they should be shown ("" goes back to '
                                                  "the name in their documents)")
    p.add_argument("case")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("name")
    p.set_defaults(run=cmd_people_rename)

    p = commands.add_parser("people-flag", help=f"flag a person: {', '.join(PERSON_FLAGS)} (undoable)")
    p.add_argument("case")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("flag", choices=PERSON_FLAGS)
    p.add_argument("--remove", action="store_true", help="take the flag off instead")
    p.set_defaults(run=cmd_people_flag)

    p = commands.add_parser("domains", help="the organisations by email domain, with labels, flags and "
                                            "counts")
    p.add_argument("case")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_domains)

    p = commands.add_parser("domain-label", help='name an organisation by its domain ("" removes the label)')
    p.add_argument("case")
    p.add_argument("domain")
    p.add_argument("label")
    p.set_defaults(run=cmd_domain_label)

    p = commands.add_parser("domain-flag", help="flag a whole domain; everyone with an address there carries "
                                                "the flag (undoable)")
    p.add_argument("case")
    p.add_argument("domain")
    p.add_argument("flag", choices=PERSON_FLAGS)
    p.add_argument("--remove", action="store_true", help="take the flag off instead")
    p.set_defaults(run=cmd_domain_flag)

    p = commands.add_parser("comms", help="who wrote to whom: one row per sender → recipient pair with "
                                          "messages, first and last date")
    _comms_options(p)
    output = p.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="with each pair's counts by month")
    output.add_argument("--csv", metavar="FILE", help="where to write ('-' for standard output)")
    p.set_defaults(run=cmd_comms)

    p = commands.add_parser("comms-messages", help="the messages from one person (or organisation) to "
                                                   "another")
    _comms_options(p)
    p.add_argument("sender", type=int, metavar="FROM", help="the sender's id (as `comms` shows it)")
    p.add_argument("recipient", type=int, metavar="TO", help="the recipient's id")
    p.add_argument("--both-ways", action="store_true", help="and the messages the other way")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_comms_messages)


def _comms_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("case")
    p.add_argument("--query", metavar="Q", help="only the messages this search finds (default: all)")
    p.add_argument("--by", choices=COMMS_LEVELS, default="person", help="people (default) or organisations")
    p.add_argument("--since", metavar="YYYY-MM", help="from this month on")
    p.add_argument("--until", metavar="YYYY-MM", help="up to this month, inclusive")


def _built(case: Case) -> None:
    """People are built at every ingest; a case from before then is built here, once, with progress."""
    from reviewer.core.casebuild.people_build import ensure_built

    with progress_bar("people") as (progress, cancel):
        ensure_built(case, progress, cancel)


def cmd_people(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild.people import find_people, list_people

    with open_case(args.case) as case:
        _built(case)
        wanted = None
        if args.find:
            with case.db.reader() as session:
                wanted = find_people(session, args.find)
        people = list_people(case, wanted)
    if args.flag:
        people = [person for person in people if args.flag in person.flags]
    if args.json:
        print_json([{"id": p.id, "name": p.name, "addresses": p.addresses, "organisation": p.organisation,
                     "flags": p.flags, "sent": p.sent, "received": p.received, "documents": p.documents,
                     "names": p.names} for p in people])
        return 0
    table = titled_table(f"{len(people):,} people", ("id", "name", "addresses", "organisation", "flags",
                                                      "sent", "received", "documents"))
    for p in people:
        shown = ", ".join(p.addresses[:3]) + (f" (+{len(p.addresses) - 3})" if len(p.addresses) > 3 else "")
        table.add_row(str(p.id), p.name, shown, p.organisation, ", ".join(p.flags), f"{p.sent:,}",
                      f"{p.received:,}", f"{p.documents:,}")
    stdout_console.print(table)
    return 0


def cmd_people_rebuild(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild.people_build import build_people

    with open_case(args.case) as case, progress_bar("people") as (progress, cancel):
        summary = build_people(case, progress, cancel, every_document=True)
    console.print(f"Read {summary.documents:,} new or changed documents; {summary.people:,} people "
                  f"({summary.seconds:.1f} s).", highlight=False)
    return 0


def cmd_people_merge(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild.people import list_people
    from reviewer.core.casebuild.people_edits import merge_people

    with open_case(args.case) as case:
        _built(case)
        survivor = merge_people(case, args.ids)
        [person] = list_people(case, [survivor])
    console.print(f"Merged into {person.name} ({person.id}): {', '.join(person.addresses) or 'no address'}.",
                  highlight=False)
    return 0


def cmd_people_split(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild.people import list_people
    from reviewer.core.casebuild.people_edits import split_person

    with open_case(args.case) as case:
        _built(case)
        new_ids = split_person(case, args.id, args.addresses, each=args.each)
        people = list_people(case, new_ids)
    for person in people:
        addresses = ", ".join(person.addresses) or person.name
        console.print(f"New person {person.name} ({person.id}): {addresses}.", highlight=False)
    return 0


def cmd_people_rename(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild.people_edits import rename_person

    with open_case(args.case) as case:
        _built(case)
        shown = rename_person(case, args.id, args.name)
    console.print(f"Person {args.id} is now shown as {shown}.", highlight=False)
    return 0


def cmd_people_flag(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild.people_edits import flag_person

    with open_case(args.case) as case:
        _built(case)
        changed = flag_person(case, args.id, args.flag, on=not args.remove)
    _say_flag(f"person {args.id}", args.flag, args.remove, changed)
    return 0


def _say_flag(what: str, flag: str, removed: bool, changed: bool) -> None:
    if not changed:
        message = f"No change: {what} was {'not ' if removed else ''}flagged {flag} already."
    elif removed:
        message = f"Took the flag {flag} off {what}."
    else:
        message = f"Flagged {what} {flag}."
    console.print(message, highlight=False)


def cmd_domains(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild.people import list_domains

    with open_case(args.case) as case:
        _built(case)
        domains = list_domains(case)
    if args.json:
        print_json([{"id": d.id, "domain": d.domain, "label": d.label, "flags": d.flags, "people": d.people,
                     "sent": d.sent, "received": d.received} for d in domains])
        return 0
    table = titled_table(f"{len(domains):,} domains", ("id", "domain", "label", "flags", "people", "sent",
                                                        "received"))
    for d in domains:
        table.add_row(str(d.id), d.domain, d.label, ", ".join(d.flags), f"{d.people:,}", f"{d.sent:,}",
                      f"{d.received:,}")
    stdout_console.print(table)
    return 0


def cmd_domain_label(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild.people_edits import label_domain

    with open_case(args.case) as case:
        _built(case)
        changed = label_domain(case, args.domain, args.label)
    label = " ".join(args.label.split())
    if not changed:
        console.print(f"No change: {args.domain} was labelled so already.", highlight=False)
    else:
        console.print(f'{args.domain} is now shown as "{label}".' if label else
                      f"{args.domain} is shown by its domain again.", highlight=False)
    return 0


def cmd_domain_flag(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild.people_edits import flag_domain

    with open_case(args.case) as case:
        _built(case)
        changed = flag_domain(case, args.domain, args.flag, on=not args.remove)
    _say_flag(args.domain, args.flag, args.remove, changed)
    return 0


def _months(args: argparse.Namespace) -> tuple[str | None, str | None]:
    for value in (args.since, args.until):
        if value is not None and not _MONTH.fullmatch(value):
            raise ReviewerError(f"'{value}' is not a month; write YYYY-MM, e.g. 2019-04.")
    return args.since, args.until


def _scope(case: Case, args: argparse.Namespace) -> list[int] | None:
    return matching_ids(case, args.query) if args.query else None


def _when(moment: datetime | None) -> str:
    return moment.isoformat(sep=" ") if moment else ""


def cmd_comms(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild.communications import communications

    since, until = _months(args)
    with open_case(args.case) as case:
        _built(case)
        pairs = communications(case, args.by, _scope(case, args), since, until, with_months=args.json)
    rows: list[dict[str, Any]] = [
        {"from": p.from_id, "to": p.to_id, "from_name": p.from_name, "to_name": p.to_name,
         "messages": p.messages, "first": _when(p.first), "last": _when(p.last)}
        for p in pairs
    ]
    if args.json:
        print_json([{**row, "months": pair.months} for row, pair in zip(rows, pairs, strict=True)])
    elif args.csv:
        write_csv(args.csv, rows, COMMS_COLUMNS)
        if args.csv != "-":
            console.print(f"Wrote {len(rows):,} pairs to {args.csv}.", highlight=False)
    else:
        who = "people" if args.by == "person" else "organisations"
        table = titled_table(f"Messages between {who}: {len(rows):,} pairs",
                             ("from", "", "to", "", "messages", "first", "last"))
        for row in rows:
            table.add_row(row["from_name"], str(row["from"]), row["to_name"], str(row["to"]),
                          f"{row['messages']:,}", row["first"][:10], row["last"][:10])
        stdout_console.print(table)
    return 0


def cmd_comms_messages(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild.communications import pair_messages

    since, until = _months(args)
    with open_case(args.case) as case:
        _built(case)
        messages = pair_messages(case, args.by, args.sender, args.recipient, args.both_ways,
                                 _scope(case, args), since, until)
    if args.json:
        print_json([{"control": m.control, "sent": _when(m.sent),
                     "from": m.sender, "to": m.recipients, "subject": m.subject} for m in messages])
        return 0
    table = titled_table(f"{len(messages):,} messages", ("control", "sent (UTC)", "from", "subject"))
    for m in messages:
        table.add_row(m.control, m.sent.isoformat(sep=" ", timespec="minutes") if m.sent else "", m.sender,
                      m.subject)
    stdout_console.print(table)
    return 0
