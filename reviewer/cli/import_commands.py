"""Commands that bring in another party's production: import-production."""

from __future__ import annotations

import argparse
from pathlib import Path

from reviewer.cli.common import console, open_case, print_json, progress_bar
from reviewer.core.errors import ReviewerError


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("import-production",
                            help="import a production volume (DAT/OPT, images, text, natives) under its "
                                 "Bates numbers")
    p.add_argument("case")
    p.add_argument("volume", metavar="VOLUME_DIR", help="the volume folder")
    p.add_argument("--dat", type=Path, metavar="FILE", help="the DAT (default: the one .dat in the volume)")
    p.add_argument("--opt", type=Path, metavar="FILE", help="the OPT (default: the one .opt in the volume)")
    p.add_argument("--custodian", default="", metavar="NAME",
                   help="custodian for rows whose DAT names none, e.g. the producing party")
    p.add_argument("--map", action="append", default=[], metavar="OURFIELD=THEIRFIELD",
                   help="read one of our fields from a DAT field of another name (repeatable)")
    p.add_argument("--no-ocr", action="store_true", help="do not OCR pages that come without any text")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_import_production)


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise ReviewerError(f'--map takes OURFIELD=THEIRFIELD, as in --map SUBJECT=EMAIL_SUBJ; '
                                f'got "{pair}".')
        mapping[ours.strip().upper()] = theirs.strip()
    return mapping


def cmd_import_production(args: argparse.Namespace) -> int:
    from reviewer.core.importing.importer import ImportOptions, import_production

    options = ImportOptions(dat=args.dat, opt=args.opt, custodian=args.custodian,
                            mapping=parse_mapping(args.map), ocr=not args.no_ocr)
    with open_case(args.case) as case, progress_bar("import") as (progress, cancel):
        report = import_production(case, args.volume, options, progress, cancel)
    if args.json:
        print_json({"rows": report.rows, "pages": report.pages, "added": report.added,
                    "updated": report.updated, "unchanged": report.unchanged, "cancelled": report.cancelled,
                    "settings": dict(report.settings), "report": report.saved_to,
                    "problems": [{"problem": f.problem.value, "subject": f.subject, "detail": f.detail}
                                 for f in report.findings]})
    else:
        for name, value in report.settings:
            console.print(f"{name}: {value}", highlight=False)
        verb = "Stopped" if report.cancelled else "Done"
        console.print(f"{verb}: {report.added:,} documents added, {report.updated:,} updated, "
                      f"{report.unchanged:,} already imported, {len(report.findings):,} problems "
                      f"from {report.rows:,} rows.", highlight=False)
        for finding in report.findings:
            console.print(f"  {finding.line()}", highlight=False)
        console.print(f"Validation report saved to {report.saved_to}", highlight=False)
    return 130 if report.cancelled else 0
