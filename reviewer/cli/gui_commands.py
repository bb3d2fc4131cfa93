"""`reviewer gui`: open a case in the review desktop, or save a screenshot of it (for docs and support).

Qt is imported only when a window is really opened, so the other commands start fast and run headless.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("gui", help="open a case in the review desktop (`reviewer` alone: start screen)")
    p.add_argument("case", help="the case folder")
    p.add_argument("--screenshot", metavar="FILE.png", type=Path,
                   help="open off screen, wait until drawn, save the window to FILE.png and exit")
    p.add_argument("--query", default="", help="with --screenshot: run this search first")
    p.add_argument("--select", default="", metavar="CONTROL",
                   help="with --screenshot: show this document (default: the first listed)")
    p.set_defaults(run=cmd_gui)


def cmd_gui(args: argparse.Namespace) -> int:
    from reviewer.ui import app

    if args.screenshot:
        return app.screenshot(args.case, args.screenshot, args.query, args.select)
    return app.run(args.case)


def open_start_screen() -> int:
    from reviewer.ui import app

    return app.run()
