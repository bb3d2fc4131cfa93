"""Commands for working beside other reviewers: changes (what others changed since a version)."""

from __future__ import annotations

import argparse
import json

from reviewer.cli.common import console, open_case, stdout_console


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("changes", help="the case's coding version, and what changed since an earlier "
                                            "one (pass it to tag or privilege --seen)")
    p.add_argument("case")
    p.add_argument("--since", type=int, default=None, metavar="VERSION",
                   help="list the documents changed after this version")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_changes)


def cmd_changes(args: argparse.Namespace) -> int:
    from reviewer.core import changes
    from reviewer.core.audit import n_documents
    from reviewer.core.conflicts import case_version

    with open_case(args.case) as case:
        found = changes.since(case, args.since) if args.since is not None else None
        newest = found.version if found else case_version(case)
    if args.json:
        record: dict[str, object] = {"version": newest}
        if found:
            record.update(documents=sorted(found.documents), users=list(found.users),
                          everything=found.everything)
        stdout_console.print(json.dumps(record), highlight=False, soft_wrap=True)
        return 0
    console.print(f"Coding version {newest}.", highlight=False)
    if found:
        who = ", ".join(found.users) or "nobody"
        what = "the whole case" if found.everything else n_documents(len(found.documents))
        console.print(f"Since {args.since}: {what} changed, by {who}.", highlight=False)
    return 0
