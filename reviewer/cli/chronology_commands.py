"""Commands that build the motion's record: issues, issue-add, issue-edit, issue-delete; highlight,
highlights, highlight-edit, highlight-delete; fact-add, facts, fact-edit, fact-delete; and the exports an
attorney files, chronology and exhibits."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.cli.common import (
    console,
    matching_ids,
    open_case,
    print_records,
    progress_bar,
    stdout_console,
    titled_table,
)
from reviewer.core.choices import FACT_STATUSES
from reviewer.core.errors import ReviewerError

if TYPE_CHECKING:
    from reviewer.core.case import Case
    from reviewer.core.casebuild.facts import FactInfo, SourceRef
    from reviewer.core.casebuild.highlights import HighlightInfo

STATUS_HELP = " | ".join(FACT_STATUSES)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("issues", help="the case's legal issues, numbered, with their counts")
    p.add_argument("case")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_issues)

    p = commands.add_parser("issue-add", help="add a legal issue (or a sub-issue with --parent)")
    p.add_argument("case")
    p.add_argument("name")
    p.add_argument("--parent", metavar="N", help="the issue it goes under: its number (1.2) or name")
    p.add_argument("--color", metavar="#RRGGBB", help="its highlights' colour (default: the next free one)")
    p.set_defaults(run=cmd_issue_add)

    p = commands.add_parser("issue-edit", help="rename, recolour or move an issue")
    p.add_argument("case")
    p.add_argument("issue", help="its number (1.2) or name")
    p.add_argument("--rename", metavar="NEW_NAME")
    p.add_argument("--color", metavar="#RRGGBB")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--parent", metavar="N", help="move it under this issue (number or name)")
    where.add_argument("--top", action="store_true", help="move it to the top level")
    p.add_argument("--position", type=int, metavar="K", help="its place among its siblings, from 1")
    p.set_defaults(run=cmd_issue_edit)

    p = commands.add_parser("issue-delete", help="delete an issue and its sub-issues (undo brings them back)")
    p.add_argument("case")
    p.add_argument("issue", help="its number (1.2) or name")
    p.set_defaults(run=cmd_issue_delete)

    p = commands.add_parser("highlight", help="highlight words of a document (or the words in a box on a "
                                              "PDF page) under issues, with a comment")
    p.add_argument("case")
    p.add_argument("control", metavar="CONTROL")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", help="the exact words (any letter case, spacing or line breaks between them)")
    what.add_argument("--rect", nargs=5, type=float, metavar=("PAGE", "X0", "Y0", "X1", "Y1"),
                      help="a box on a page, in points from its top left (as for redact)")
    p.add_argument("--occurrence", type=int, default=1, metavar="N",
                   help="with --text: which place the words appear, counting from 1 (default 1)")
    p.add_argument("--issue", action="append", default=[], metavar="NAME", help="an issue (number or name); "
                   "repeat for more")
    p.add_argument("--comment", default="")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_highlight)

    p = commands.add_parser("highlights", help="the case's highlights, by document")
    p.add_argument("case")
    p.add_argument("--issue", metavar="NAME", help="only those under this issue (and its sub-issues)")
    p.add_argument("--control", metavar="CONTROL", help="only those of this document")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_highlights)

    p = commands.add_parser("highlight-edit", help="change a highlight's issues or comment")
    p.add_argument("case")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--issue", action="append", metavar="NAME", help="its issues, replacing those it has; "
                   "repeat for more")
    p.add_argument("--no-issues", action="store_true", help="take it off every issue")
    p.add_argument("--comment")
    p.set_defaults(run=cmd_highlight_edit)

    p = commands.add_parser("highlight-delete", help="delete highlights (facts keep citing their pages)")
    p.add_argument("case")
    p.add_argument("ids", nargs="+", type=int, metavar="ID")
    p.set_defaults(run=cmd_highlight_delete)

    p = commands.add_parser("fact-add", help="add a fact to the chronology")
    p.add_argument("case")
    _fact_options(p, adding=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_fact_add)

    p = commands.add_parser("facts", help="the chronology: facts in date order with their cites")
    p.add_argument("case")
    p.add_argument("--issue", metavar="NAME", help="only facts under this issue (and its sub-issues)")
    p.add_argument("--person", type=int, metavar="ID", help="only facts about this person")
    p.add_argument("--status", help=STATUS_HELP)
    p.add_argument("--key-only", action="store_true", help="only key facts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_facts)

    p = commands.add_parser("fact-edit", help="change a fact; --issue, --person and --source replace the set")
    p.add_argument("case")
    p.add_argument("id", type=int, metavar="ID")
    _fact_options(p, adding=False)
    p.set_defaults(run=cmd_fact_edit)

    p = commands.add_parser("fact-delete", help="delete facts from the chronology")
    p.add_argument("case")
    p.add_argument("ids", nargs="+", type=int, metavar="ID")
    p.set_defaults(run=cmd_fact_delete)

    p = commands.add_parser("chronology", help="the chronology as a Word table, Excel sheet or CSV")
    p.add_argument("case")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.docx, FILE.xlsx or FILE.csv")
    p.add_argument("--issue", metavar="NAME", help="only facts under this issue (and its sub-issues)")
    p.add_argument("--key-only", action="store_true", help="only key facts")
    p.add_argument("--made", metavar="YYYY-MM-DD", help="the date the file says it was made (default today)")
    p.set_defaults(run=cmd_chronology)

    p = commands.add_parser("exhibits", help="an exhibit list (Word, Excel) or binder (PDF) of a search's "
                                             "documents")
    p.add_argument("case")
    p.add_argument("--query", required=True, metavar="Q", help="the documents to list, e.g. 'issue:1'")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.docx, FILE.xlsx or FILE.pdf (a binder)")
    p.add_argument("--start", type=int, default=1, metavar="N", help="the first exhibit number (default 1)")
    p.add_argument("--order", choices=("date", "control"), default="date",
                   help="number the exhibits in date order (default) or by control number")
    p.add_argument("--include-privileged", action="store_true",
                   help="list privileged documents that carry no redactions too")
    p.add_argument("--made", metavar="YYYY-MM-DD", help="the date the file says it was made (default today)")
    p.set_defaults(run=cmd_exhibits)


def _fact_options(p: argparse.ArgumentParser, adding: bool) -> None:
    made_from = " (default with --highlight: its document's date)" if adding else ""
    p.add_argument("--date", metavar="D", help="2019-04-02, 2019-04, 2019, ~2019-04-02 or 2019-04-02 to "
                   f"2019-04-10; '' for undated{made_from}")
    p.add_argument("--time", metavar="HH:MM")
    p.add_argument("--text", metavar="T", help="the fact" + (" (default with --highlight: its words)"
                                                             if adding else ""))
    p.add_argument("--source", action="append", default=[], metavar="CONTROL[:PAGE]",
                   help="a document it comes from, with a pin-cite page or pages (DOC-000123:4-5); repeat")
    p.add_argument("--highlight", action="append", default=[], type=int, metavar="ID",
                   help="a highlight it comes from; repeat")
    p.add_argument("--issue", action="append", default=[], metavar="NAME", help="an issue; repeat")
    p.add_argument("--person", action="append", default=[], type=int, metavar="ID", help="a person; repeat")
    p.add_argument("--status", help=STATUS_HELP + (" (default undisputed)" if adding else ""))
    if adding:
        p.add_argument("--key", action="store_true", help="mark it a key fact")
        return
    key = p.add_mutually_exclusive_group()
    key.add_argument("--key", dest="key", action="store_const", const=True, help="mark it a key fact")
    key.add_argument("--not-key", dest="key", action="store_const", const=False, help="unmark it")
    for name in ("issues", "people", "sources"):
        p.add_argument(f"--no-{name}", action="store_true", help=f"remove all its {name}")


# --- issues --------------------------------------------------------------------------------------------
def cmd_issues(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild import issues

    with open_case(args.case) as case:
        found = issues.list_issues(case)
    if args.json:
        print_records(found)
        return 0
    table = titled_table("Issues", ["no.", "issue", "colour", "highlights", "facts"])
    for issue in found:
        table.add_row(issue.number, "  " * issue.depth + issue.name, f"[{issue.color}]{issue.color}[/]",
                      f"{issue.highlights:,}", f"{issue.facts:,}")
    stdout_console.print(table)
    return 0


def cmd_issue_add(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild import issues

    with open_case(args.case) as case:
        issue = issues.add_issue(case, args.name, parent=args.parent, color=args.color)
    console.print(f'Added issue {issue.number} "{issue.name}".', highlight=False)
    return 0


def cmd_issue_edit(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild import issues

    moving = args.parent is not None or args.top or args.position is not None
    if args.rename is None and args.color is None and not moving:
        raise ReviewerError("Say what to change: --rename, --color, --parent, --top or --position.")
    with open_case(args.case) as case:
        issue = issues.edit_issue(case, args.issue, name=args.rename, color=args.color)
        if moving:
            parent = None if args.top else args.parent if args.parent is not None else \
                issue.number.rpartition(".")[0] or None
            issue = issues.move_issue(case, issue.name, parent, args.position)
    console.print(f'Issue {issue.number} is "{issue.name}".', highlight=False)
    return 0


def cmd_issue_delete(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild import issues

    with open_case(args.case) as case:
        console.print(issues.delete_issue(case, args.issue), highlight=False)
    return 0


# --- highlights ----------------------------------------------------------------------------------------
def cmd_highlight(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild import highlights

    with open_case(args.case) as case:
        doc_id = _document(case, args.control)
        count = 1
        if args.text is not None:
            placement, count = highlights.place_phrase(case, doc_id, args.text, args.occurrence)
        else:
            page, *corners = args.rect
            if page != int(page):
                raise ReviewerError("PAGE must be a whole number.")
            placement = highlights.place_rect(case, doc_id, int(page), (corners[0], corners[1], corners[2],
                                                                        corners[3]))
        highlight = highlights.add_highlight(case, placement, args.issue, args.comment)
    if args.json:
        print_records([highlight])
        return 0
    where = f"page {highlight.page} of {highlight.control}" if highlight.page else highlight.control
    others = f" (it appears {count} times; this is occurrence {args.occurrence}, see --occurrence)" \
        if count > 1 else ""
    what = f'"{highlight.text}"' if highlight.text else "a box"
    console.print(f"Highlight {highlight.id}: {what} on {where}{others}.", highlight=False)
    return 0


def cmd_highlights(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild import highlights

    with open_case(args.case) as case:
        doc_id = _document(case, args.control) if args.control else None
        found = highlights.list_highlights(case, doc_id=doc_id, issue=args.issue)
    if args.json:
        print_records(found)
        return 0
    _highlight_table(found)
    return 0


def _highlight_table(found: list[HighlightInfo]) -> None:
    table = titled_table("Highlights", ["id", "document", "page", "words", "issues", "comment", "by"])
    for h in found:
        table.add_row(str(h.id), h.control, str(h.page or ""), h.text or "(box)", "; ".join(h.issues),
                      h.comment, h.user)
    stdout_console.print(table)


def cmd_highlight_edit(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild import highlights

    issues = [] if args.no_issues else args.issue
    if issues is None and args.comment is None:
        raise ReviewerError("Say what to change: --issue, --no-issues or --comment.")
    with open_case(args.case) as case:
        found = highlights.edit_highlight(case, args.id, issues=issues, comment=args.comment)
    console.print(f"Highlight {found.id}: issues {'; '.join(found.issues) or 'none'}; comment "
                  f"{found.comment or 'none'}.", highlight=False)
    return 0


def cmd_highlight_delete(args: argparse.Namespace) -> int:
    from reviewer.core.audit import counted
    from reviewer.core.casebuild import highlights

    with open_case(args.case) as case:
        count = highlights.delete_highlights(case, args.ids)
    console.print(f"Deleted {counted(count, 'highlight')}.", highlight=False)
    return 0


# --- facts ---------------------------------------------------------------------------------------------
def cmd_fact_add(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild import facts
    from reviewer.core.choices import DEFAULT_FACT_STATUS

    if args.text is None and not args.highlight:
        raise ReviewerError("A fact needs --text (or --highlight, whose words it takes).")
    if args.date is None and not args.highlight:
        raise ReviewerError("A fact needs --date ('' for undated; with --highlight, its document's date).")
    with open_case(args.case) as case:
        fact = facts.add_fact(case, date=args.date, text=args.text, time=args.time or "",
                              status=args.status or DEFAULT_FACT_STATUS, key=args.key, issues=args.issue,
                              people=args.person, sources=_sources(args.source), highlights=args.highlight)
    if args.json:
        print_records([fact])
        return 0
    console.print(f"Fact {fact.id}: {fact.date or 'undated'} — {fact.text}"
                  + (f" ({fact.cites})" if fact.sources else ""), highlight=False)
    return 0


def cmd_facts(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild import facts

    with open_case(args.case) as case:
        found = facts.list_facts(case, issue=args.issue, person=args.person, status=args.status,
                                 key_only=args.key_only)
    if args.json:
        print_records(found)
        return 0
    _fact_table(found)
    return 0


def _fact_table(found: list[FactInfo]) -> None:
    table = titled_table("Chronology", ["id", "date", "fact", "source (cites)", "issues", "status", "key"])
    for fact in found:
        table.add_row(str(fact.id), fact.date, fact.text, fact.cites, "; ".join(fact.issues),
                      fact.status_label, "key" if fact.key else "")
    stdout_console.print(table)


def cmd_fact_edit(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild import facts

    sources = None
    if args.no_sources or args.source or args.highlight:
        sources = [facts.SourceRef(highlight_id=h) for h in args.highlight] + _sources(args.source)
    with open_case(args.case) as case:
        fact = facts.edit_fact(
            case, args.id, date=args.date, text=args.text, time=args.time, status=args.status, key=args.key,
            issues=[] if args.no_issues else (args.issue or None),
            people=[] if args.no_people else (args.person or None), sources=sources,
        )
    console.print(f"Fact {fact.id}: {fact.date or 'undated'} — {fact.text}", highlight=False)
    return 0


def cmd_fact_delete(args: argparse.Namespace) -> int:
    from reviewer.core.audit import counted
    from reviewer.core.casebuild import facts

    with open_case(args.case) as case:
        count = facts.delete_facts(case, args.ids)
    console.print(f"Deleted {counted(count, 'fact')}.", highlight=False)
    return 0


def _sources(given: list[str]) -> list[SourceRef]:
    from reviewer.core.casebuild.facts import SourceRef

    return [SourceRef.parse(text) for text in given]


# --- exports -------------------------------------------------------------------------------------------
def cmd_chronology(args: argparse.Namespace) -> int:
    from reviewer.core.audit import counted
    from reviewer.core.casebuild.exports import export_chronology

    with open_case(args.case) as case:
        result = export_chronology(case, Path(args.out), issue=args.issue, key_only=args.key_only,
                                   made=_made(args.made))
    console.print(f"Wrote the chronology ({counted(result.facts, 'fact')}) to "
                  f"{result.path}.", highlight=False)
    return 0


def cmd_exhibits(args: argparse.Namespace) -> int:
    from reviewer.core.casebuild.exports import export_exhibits

    out = Path(args.out)
    with open_case(args.case) as case:
        doc_ids = matching_ids(case, args.query)
        with progress_bar("exhibits") as (progress, cancel):
            done = export_exhibits(case, doc_ids, out, args.start, args.order, args.include_privileged,
                                   _made(args.made), progress, cancel)
    what = f"binder ({done.numbers}, {done.pages:,} pages, index on {done.index_pages})" \
        if done.format == "pdf" else f"list ({done.numbers})"
    console.print(f"Wrote the exhibit {what} to {out}.", highlight=False)
    return 0


def _made(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReviewerError(f'"{value}" is not a date; give --made as YYYY-MM-DD.') from None


def _document(case: Case, control: str) -> int:
    from reviewer.core.review import resolve_controls

    return resolve_controls(case, [control])[0]
