"""Commands of team review: batch sets and batches (batch-create, batches, batch-show, batch-checkout,
batch-checkin, batch-release, batch-assign, batch-reopen, batch-delete) and QC (qc-create, qc-batches,
qc-show, qc-confirm, qc-overturn, qc-report)."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from reviewer.cli.common import console, matching_ids, open_case, print_json, stdout_console, titled_table
from reviewer.core.choices import BATCH_ORDERS, PRIVILEGE_BASES
from reviewer.core.errors import ReviewerError

if TYPE_CHECKING:
    from reviewer.core.team.batches import BatchInfo, Tally
    from reviewer.core.team.qc_report import ReviewerQc


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:

    p = commands.add_parser("batch-create", help="divide the documents a search finds into batches for "
                                                 "reviewers (admin)")
    p.add_argument("case")
    p.add_argument("name", help='the batch set\'s name, e.g. "Privilege review"')
    p.add_argument("--query", metavar="Q", required=True, help="the documents to batch")
    p.add_argument("--size", metavar="N", type=int, required=True, help="documents per batch at most")
    p.add_argument("--families", action="store_true",
                   help="add every member of each document's family and never split a family")
    p.add_argument("--threads", action="store_true",
                   help="add every document of each document's email thread (and their families) and never "
                        "split a thread (threads come from `reviewer analyze`)")
    p.add_argument("--prefix", help="batch names: PREFIX-001, PREFIX-002, … (default: from the name)")
    p.add_argument("--order", choices=BATCH_ORDERS, default="control", help="the order of review")
    p.add_argument("--review-tag", metavar="TAG", action="append", default=[], dest="review_tags",
                   help="a document counts as reviewed once it has one of these tags (repeat; default: "
                        "any tag)")
    p.set_defaults(run=cmd_batch_create)

    p = commands.add_parser("batches", help="batch sets, batches (status, reviewer, reviewed count) and "
                                            "progress per reviewer")
    p.add_argument("case")
    p.add_argument("--set", dest="batch_set", metavar="NAME", help="only this batch set")
    p.add_argument("--user", metavar="U", help="only the batches U has or had")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_batches)

    p = commands.add_parser("batch-show", help="a batch's documents in review order, reviewed or not")
    p.add_argument("case")
    p.add_argument("name", help="the batch, e.g. PRIV-001")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_batch_show)

    p = commands.add_parser("batch-checkout", help="check out the next batch nobody has")
    p.add_argument("case")
    p.add_argument("--user", metavar="U", help="for this reviewer (admin; default: you)")
    p.add_argument("--set", dest="batch_set", metavar="NAME", help="from this batch set (default: the "
                                                                     "oldest with batches left)")
    p.set_defaults(run=cmd_batch_checkout)

    p = commands.add_parser("batch-checkin", help="mark a batch you have completed")
    p.add_argument("case")
    p.add_argument("name")
    p.add_argument("--allow-unreviewed", action="store_true",
                   help="check it in even though some of its documents are not reviewed yet")
    p.set_defaults(run=cmd_batch_checkin)

    p = commands.add_parser("batch-release", help="give a batch in progress back, for someone else to take")
    p.add_argument("case")
    p.add_argument("name")
    p.set_defaults(run=cmd_batch_release)

    p = commands.add_parser("batch-assign", help="give a batch to a reviewer (admin)")
    p.add_argument("case")
    p.add_argument("name")
    p.add_argument("user")
    p.set_defaults(run=cmd_batch_assign)

    p = commands.add_parser("batch-reopen", help="put a completed batch back in progress (admin)")
    p.add_argument("case")
    p.add_argument("name")
    p.set_defaults(run=cmd_batch_reopen)

    p = commands.add_parser("batch-delete", help="delete a batch set and its batches; coding stays (admin)")
    p.add_argument("case")
    p.add_argument("name", help="the batch set")
    p.set_defaults(run=cmd_batch_delete)

    p = commands.add_parser("qc-create", help="draw a random QC sample of a reviewer's completed decisions")
    p.add_argument("case")
    p.add_argument("--reviewer", metavar="U", required=True, help="whose decisions to check")
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--count", metavar="N", type=int, help="documents to draw")
    size.add_argument("--percent", metavar="P", type=float, help="share of the pool to draw, rounded up")
    p.add_argument("--seed", metavar="S", type=int, help="the random seed (default: chosen and recorded)")
    p.add_argument("--name", help="the QC batch's name (default: QC-001, QC-002, …)")
    p.set_defaults(run=cmd_qc_create)

    p = commands.add_parser("qc-batches", help="QC batches: whose decisions, seed, pool, decided so far")
    p.add_argument("case")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_qc_batches)

    p = commands.add_parser("qc-show", help="a QC batch's documents: the reviewer's coding and QC's decision")
    p.add_argument("case")
    p.add_argument("name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_qc_show)

    p = commands.add_parser("qc-confirm", help="confirm the reviewer's coding of documents in a QC batch")
    p.add_argument("case")
    p.add_argument("name", help="the QC batch")
    p.add_argument("controls", nargs="+", metavar="CONTROL")
    p.set_defaults(run=cmd_qc_confirm)

    p = commands.add_parser("qc-overturn", help="overturn the reviewer's coding of a document in a QC batch: "
                                                "recode it and record the overturn")
    p.add_argument("case")
    p.add_argument("name", help="the QC batch")
    p.add_argument("control", metavar="CONTROL")
    p.add_argument("--add", metavar="TAG", action="append", default=[], help="a tag to add (repeat)")
    p.add_argument("--remove", metavar="TAG", action="append", default=[], help="a tag to take off (repeat)")
    privilege = p.add_mutually_exclusive_group()
    privilege.add_argument("--basis", help="a new privilege basis: " + " | ".join(PRIVILEGE_BASES))
    privilege.add_argument("--clear-privilege", action="store_true", help="remove the privilege basis")
    p.add_argument("--description", default="", help="with --basis: the privilege log's description")
    p.set_defaults(run=cmd_qc_overturn)

    p = commands.add_parser("qc-report", help="QC overturns per reviewer (rate with a 95%% interval) and per "
                                              "tag")
    p.add_argument("case")
    p.add_argument("--reviewer", metavar="U", help="only this reviewer")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_qc_report)


# --- batches ----------------------------------------------------------------------------------------------

def cmd_batch_create(args: argparse.Namespace) -> int:
    from reviewer.core.team.batch_sets import batch_names, create_batch_set, n_batches

    with open_case(args.case) as case:
        ids = matching_ids(case, args.query)
        made = create_batch_set(case, args.name, ids, args.size, query=args.query, prefix=args.prefix,
                                families=args.families, threads=args.threads, order=args.order,
                                review_tags=args.review_tags)
    names = batch_names(made.prefix, made.batches)
    span = names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}"
    console.print(f'Made the batch set "{made.name}": {n_batches(made.batches)} ({span}), '
                  f"{made.documents:,} documents.", highlight=False)
    return 0


def cmd_batches(args: argparse.Namespace) -> int:
    from reviewer.core.team import batch_sets, batches

    with open_case(args.case) as case:
        sets = batch_sets.batch_sets(case)
        listed = batches.batches(case, args.batch_set, args.user)
        progress = batches.progress(case, args.batch_set)
    if args.json:
        print_json({
            "sets": [asdict(s) for s in sets],
            "batches": [asdict(b) for b in listed],
            "progress": {"overall": _tally(progress.overall),
                         "by_set": {name: _tally(t) for name, t in progress.by_set.items()},
                         "by_reviewer": {name: _tally(t) for name, t in progress.by_reviewer.items()}},
        })
        return 0
    if not sets:
        console.print("No batch sets yet; an admin makes one with `reviewer batch-create`.", highlight=False)
        return 0
    table = titled_table("Batches", ("batch", "set", "status", "reviewer", "reviewed", "documents"))
    for batch in listed:
        table.add_row(batch.name, batch.batch_set, batch.status, batch.assignee, f"{batch.reviewed:,}",
                      f"{batch.documents:,}")
    stdout_console.print(table)
    table = titled_table("Progress", ("", "batches", "not started", "in progress", "completed", "reviewed"))
    for label, tally in [*(("set " + n, t) for n, t in progress.by_set.items()),
                         *progress.by_reviewer.items(), ("all", progress.overall)]:
        table.add_row(label, f"{tally.batches:,}", f"{tally.not_started:,}", f"{tally.in_progress:,}",
                      f"{tally.completed:,}",
                      f"{tally.reviewed:,} of {tally.documents:,} ({tally.percent_reviewed:.0f}%)")
    stdout_console.print(table)
    return 0


def _tally(tally: Tally) -> dict[str, Any]:
    return {**asdict(tally), "percent_reviewed": round(tally.percent_reviewed, 1)}


def cmd_batch_show(args: argparse.Namespace) -> int:
    from reviewer.core.team import batches

    with open_case(args.case) as case:
        batch = batches.find_batch(case, args.name)
        documents = batches.batch_documents(case, args.name)
    if args.json:
        print_json({"batch": asdict(batch), "documents": [asdict(d) for d in documents]})
        return 0
    table = titled_table(f"{batch.name} · {_describe(batch)}", ("#", "document", "reviewed", "tags"))
    for document in documents:
        table.add_row(str(document.position), document.control, "yes" if document.reviewed else "",
                      ", ".join(document.tags))
    stdout_console.print(table)
    return 0


def cmd_batch_checkout(args: argparse.Namespace) -> int:
    from reviewer.core.team.batches import check_out_next

    with open_case(args.case) as case:
        batch = check_out_next(case, args.user, args.batch_set)
    console.print(f"Checked out {batch.name} for {batch.assignee}: {batch.documents:,} documents "
                  f"({batch.reviewed:,} reviewed already). Search batch:{batch.name} to review it.",
                  highlight=False)
    print(batch.name)  # the name alone on standard output, for scripts
    return 0


def cmd_batch_checkin(args: argparse.Namespace) -> int:
    from reviewer.core.team.batches import UnreviewedDocumentsError, check_in

    with open_case(args.case) as case:
        try:
            batch = check_in(case, args.name, allow_unreviewed=args.allow_unreviewed)
        except UnreviewedDocumentsError as refused:
            raise ReviewerError(f"{refused} (--allow-unreviewed)") from None
    console.print(f"Checked in {batch.name}: {_describe(batch)}.", highlight=False)
    return 0


def cmd_batch_release(args: argparse.Namespace) -> int:
    from reviewer.core.team.batches import release

    with open_case(args.case) as case:
        batch = release(case, args.name)
    console.print(f"Released {batch.name}; the next reviewer can check it out.", highlight=False)
    return 0


def cmd_batch_assign(args: argparse.Namespace) -> int:
    from reviewer.core.team.batches import assign

    with open_case(args.case) as case:
        batch = assign(case, args.name, args.user)
    console.print(f"Assigned {batch.name} to {batch.assignee}.", highlight=False)
    return 0


def cmd_batch_reopen(args: argparse.Namespace) -> int:
    from reviewer.core.team.batches import reopen

    with open_case(args.case) as case:
        batch = reopen(case, args.name)
    console.print(f"Reopened {batch.name}: {_describe(batch)}.", highlight=False)
    return 0


def cmd_batch_delete(args: argparse.Namespace) -> int:
    from reviewer.core.team.batch_sets import delete_batch_set, n_batches

    with open_case(args.case) as case:
        count = delete_batch_set(case, args.name)
    console.print(f'Deleted the batch set "{args.name}" ({n_batches(count)}); coding is unchanged.',
                  highlight=False)
    return 0


def _describe(batch: BatchInfo) -> str:
    who = f" ({batch.assignee})" if batch.assignee else ""
    return f"{batch.status}{who}, {batch.reviewed:,} of {batch.documents:,} reviewed"


# --- QC ---------------------------------------------------------------------------------------------------

def cmd_qc_create(args: argparse.Namespace) -> int:
    from reviewer.core.team.qc import create_qc_batch

    with open_case(args.case) as case:
        drawn = create_qc_batch(case, args.reviewer, args.count, args.percent, args.seed, args.name)
    console.print(f"Drew {drawn.name}: {drawn.documents:,} of the {drawn.pool:,} documents {drawn.reviewer} "
                  f"reviewed in completed batches (asked {drawn.asked}), seed {drawn.seed}.", highlight=False)
    print(drawn.name)
    return 0


def cmd_qc_batches(args: argparse.Namespace) -> int:
    from reviewer.core.team.qc import qc_batches

    with open_case(args.case) as case:
        found = qc_batches(case)
    if args.json:
        print_json([{**asdict(q), "undecided": q.undecided} for q in found])
        return 0
    table = titled_table("QC batches", ("QC batch", "reviewer", "asked", "pool", "seed", "confirmed",
                                        "overturned", "undecided", "drawn by"))
    for q in found:
        table.add_row(q.name, q.reviewer, q.asked, f"{q.pool:,}", str(q.seed), f"{q.confirmed:,}",
                      f"{q.overturned:,}", f"{q.undecided:,}", q.user)
    stdout_console.print(table)
    return 0


def cmd_qc_show(args: argparse.Namespace) -> int:
    from reviewer.core.team.qc import coding_text, find_qc_batch, qc_documents

    with open_case(args.case) as case:
        qc_batch = find_qc_batch(case, args.name)
        documents = qc_documents(case, args.name)
    if args.json:
        print_json({"qc_batch": asdict(qc_batch), "documents": [asdict(d) for d in documents]})
        return 0
    table = titled_table(f"{qc_batch.name}: {qc_batch.reviewer}'s decisions, seed {qc_batch.seed}",
                         ("#", "document", "batch", f"coded by {qc_batch.reviewer}", "QC", "coded by QC"))
    for d in documents:
        decision = f"{d.decision} ({d.decided_by})" if d.decision else ""
        table.add_row(str(d.position), d.control, d.batch, coding_text(d.coding), decision,
                      coding_text(d.coding_after) if d.coding_after else "")
    stdout_console.print(table)
    return 0


def cmd_qc_confirm(args: argparse.Namespace) -> int:
    from reviewer.core import review
    from reviewer.core.audit import n_documents
    from reviewer.core.team.qc import confirm

    with open_case(args.case) as case:
        count = confirm(case, args.name, review.resolve_controls(case, args.controls))
    console.print(f"Confirmed {n_documents(count)} in {args.name.upper()}"
                  + (f"; {len(args.controls) - count:,} were confirmed already." if count < len(args.controls)
                     else "."), highlight=False)
    return 0


def cmd_qc_overturn(args: argparse.Namespace) -> int:
    from reviewer.core import review
    from reviewer.core.team.qc import PrivilegeChange, coding_text, overturn

    if args.description and not args.basis:
        raise ReviewerError("--description goes with --basis.")
    privilege = (PrivilegeChange(None) if args.clear_privilege
                 else PrivilegeChange(args.basis, args.description) if args.basis else None)
    with open_case(args.case) as case:
        [doc_id] = review.resolve_controls(case, [args.control])
        decided = overturn(case, args.name, doc_id, args.add, args.remove, privilege)
    after = coding_text(decided.coding_after) if decided.coding_after else ""
    console.print(f"Overturned {decided.control}: {coding_text(decided.coding)} → {after}.", highlight=False)
    return 0


def cmd_qc_report(args: argparse.Namespace) -> int:
    from reviewer.core.team.qc_report import qc_report

    with open_case(args.case) as case:
        report = qc_report(case, args.reviewer)
    if args.json:
        print_json({"reviewers": [asdict(r) for r in report.reviewers], "overall": asdict(report.overall),
                    "tags": [{**asdict(t), "overturns": t.overturns} for t in report.tags]})
        return 0
    if not report.reviewers:
        console.print("No QC batches yet; draw one with `reviewer qc-create`.", highlight=False)
        return 0
    table = titled_table("QC by reviewer", ("reviewer", "QC batches", "sampled", "decided", "confirmed",
                                            "overturned", "overturn rate (95% interval)"))
    for row in [*report.reviewers, report.overall]:
        table.add_row(row.reviewer or "all", str(row.qc_batches), f"{row.sampled:,}", f"{row.decided:,}",
                      f"{row.confirmed:,}", f"{row.overturned:,}", _rate(row))
    stdout_console.print(table)
    if report.tags:
        table = titled_table("Overturns by tag", ("reviewer", "tag", "added by QC", "taken off by QC",
                                                  "changed"))
        for tag in report.tags:
            table.add_row(tag.reviewer, tag.tag, str(tag.added), str(tag.removed),
                          str(tag.changed) if tag.changed else "")
        stdout_console.print(table)
    return 0


def _rate(row: ReviewerQc) -> str:
    if row.overturn_rate is None or row.interval is None:
        return "—"
    low, high = row.interval
    return f"{row.overturn_rate:.1%} ({low:.1%}–{high:.1%})"
