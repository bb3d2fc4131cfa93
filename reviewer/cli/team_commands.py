"""Commands that share a case with a team: share (a case folder onto a PostgreSQL server and a shared
folder, verified) and join (a case file for a shared case). `reviewer init FILE.reviewer --database URL
--store DIR` makes a new, empty shared case (case_commands.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from reviewer.cli.common import console, print_json, progress_bar

ADDRESS_HELP = ("the case database: postgresql://USER@SERVER:PORT/DATABASE (USER defaults to PGUSER or your "
                "login name, PORT to 5432; the password comes from PGPASSWORD, ~/.pgpass, the keyring or a "
                "prompt, never from here)")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("share", help="copy a case folder to a PostgreSQL database and a shared folder, "
                                          "verified, for a team (the case folder is left as it is)")
    p.add_argument("case", help="the case folder to share")
    p.add_argument("--database", required=True, metavar="URL",
                   help=ADDRESS_HELP + "; a new or empty database")
    p.add_argument("--store", required=True, type=Path, metavar="DIR",
                   help="a new, empty folder every team member's computer can reach, for the evidence")
    p.add_argument("--out", type=Path, metavar="FILE.reviewer", help="also write the case file that opens it")
    p.add_argument("--json", action="store_true", help="print what was verified as JSON")
    p.set_defaults(run=cmd_share)

    p = commands.add_parser("join", help="write the case file (.reviewer) that opens a shared case")
    p.add_argument("database", metavar="URL", help=ADDRESS_HELP)
    p.add_argument("--store", required=True, type=Path, metavar="DIR",
                   help="the case's shared evidence folder as this computer reaches it")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.reviewer", help="the case file to write")
    p.set_defaults(run=cmd_join)


def cmd_share(args: argparse.Namespace) -> int:
    from reviewer.core.team.casefile import parse_address
    from reviewer.core.team.share import share

    address = parse_address(args.database)
    with progress_bar("share") as (progress, cancel):
        report = share(Path(args.case), address, args.store, args.out, progress, cancel)
    if args.json:
        print_json({"database": report.server.label, "store": str(report.store), "rows": report.rows,
                    "files": report.files, "bytes": report.bytes, "documents": report.documents,
                    "case_file": str(report.case_file) if report.case_file else None})
        return 0
    tables = ", ".join(f"{name} {count:,}" for name, count in report.rows.items() if count)
    console.print(f"Shared {args.case} as {report.server.label}, its evidence in {report.store}.",
                  highlight=False)
    console.print(f"Verified {len(report.rows)} tables, {report.total_rows:,} rows: each table's row count "
                  f"and the SHA-256 of all its rows ({tables}).", highlight=False)
    console.print(f"Verified {report.files:,} files ({report.bytes / 1e6:,.1f} MB) by SHA-256, and the "
                  f"original and text of each of the {report.documents:,} documents in the shared folder.",
                  highlight=False)
    console.print(f"The case folder {args.case} was not changed.", highlight=False)
    server = report.server
    console.print("Team members join with:\n  reviewer join "
                  f"postgresql://{server.host}:{server.port}/{server.database} --store {report.store} "
                  f"--out {server.database}.reviewer", highlight=False)
    if report.case_file:
        console.print(f"Open it here with: reviewer gui {report.case_file}", highlight=False)
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    from reviewer.core.team.casefile import parse_address
    from reviewer.core.team.share import join

    address = parse_address(args.database)
    name = join(address, args.store, args.out)
    console.print(f'Wrote {args.out} for "{name}" ({address.server.label}, evidence in '
                  f"{args.store.absolute()}). Open it with: reviewer gui {args.out}", highlight=False)
    return 0
