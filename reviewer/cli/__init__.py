"""The `reviewer` command: a thin face over reviewer.core; each module here adds a group of commands."""

from __future__ import annotations

import argparse
import os
import sys

from reviewer import __version__
from reviewer.cli import (
    analytics_commands,
    case_commands,
    casebuild_commands,
    gui_commands,
    import_commands,
    produce_commands,
    review_commands,
    search_commands,
)
from reviewer.cli.common import fail
from reviewer.core.errors import ReviewerError

COMMAND_GROUPS = [case_commands, review_commands, search_commands, produce_commands, import_commands,
                  gui_commands, analytics_commands, casebuild_commands]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewer",
        description="Offline evidence and discovery review: ingest, search, tag, redact and produce.",
    )
    parser.add_argument("--version", action="version", version=f"reviewer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return gui_commands.open_start_screen()
        return int(args.run(args) or 0)
    except ReviewerError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("Stopped.", code=130)
    except BrokenPipeError:
        # The reader went away (`reviewer docs CASE --json | head`): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
