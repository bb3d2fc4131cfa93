"""The `reviewer` command: a thin face over reviewer.core; each module here adds a group of commands."""

from __future__ import annotations

import argparse
import os
import sys

from reviewer.cli import (
    analytics_commands,
    batch_commands,
    case_commands,
    casebuild_commands,
    chronology_commands,
    gui_commands,
    import_commands,
    prioritize_commands,
    produce_commands,
    review_commands,
    search_commands,
    sync_commands,
    team_commands,
    user_commands,
)
from reviewer.cli.common import fail
from reviewer.core.errors import ReviewerError

COMMAND_GROUPS = [case_commands, review_commands, search_commands, produce_commands, import_commands,
                  team_commands, chronology_commands, gui_commands, analytics_commands, batch_commands,
                  prioritize_commands, casebuild_commands, user_commands, sync_commands]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewer",
        description="Offline evidence and discovery review: ingest, search, tag, redact and produce. "
                    "Wherever a command takes CASE, give the case folder, or the case file (.reviewer) of "
                    "a case shared with a team.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


class _Version(argparse.Action):
    """--version, reading the version only when asked (the package metadata is slow to load)."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        import reviewer

        print(f"reviewer {reviewer.__version__}")
        parser.exit()


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
