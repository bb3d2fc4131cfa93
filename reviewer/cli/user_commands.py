"""Commands for the members of a shared case and their roles: users, user-add, user-remove."""

from __future__ import annotations

import argparse

from reviewer.cli.common import console, open_case, print_records, stdout_console, titled_table
from reviewer.core.errors import ReviewerError

ROLE_CHOICES = ("admin", "reviewer", "qc")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("users", help="the members of a shared case and their roles")
    p.add_argument("case")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_users)

    p = commands.add_parser("user-add", help="make a login a member of a shared case with a role, or change a"
                                             " member's role; creates the PostgreSQL login when missing")
    p.add_argument("case")
    p.add_argument("login", help="the PostgreSQL login (usually the person's user name)")
    p.add_argument("--role", choices=ROLE_CHOICES, required=True,
                   help="admin: ingest, import, produce, tags, batches, users; reviewer: code, note, redact; "
                        "qc: second-level review (QC batches) and coding")
    p.add_argument("--assigned-only", action="store_true",
                   help="a reviewer sees and codes only the documents of the batches assigned to them")
    p.add_argument("--password-prompt", action="store_true",
                   help="ask for the login's password (twice) and set it on the server")
    p.set_defaults(run=cmd_user_add)

    p = commands.add_parser("user-remove", help="take a login out of a shared case (the login itself stays) "
                                                "(admin)")
    p.add_argument("case")
    p.add_argument("login")
    p.set_defaults(run=cmd_user_remove)


def cmd_users(args: argparse.Namespace) -> int:
    from reviewer.core.team import users

    with open_case(args.case) as case:
        members = users.users(case)
    if args.json:
        print_records(members)
        return 0
    table = titled_table("Users", ("login", "role", "sees", "added (UTC)", "added by"))
    for member in members:
        added = member.added.isoformat(sep=" ", timespec="seconds") if member.added else ""
        sees = "assigned batches only" if member.assigned_only else "every document"
        table.add_row(member.login, member.role, sees, added, member.added_by)
    stdout_console.print(table)
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from reviewer.core.team import users

    password = _ask_password(args.login) if args.password_prompt else None
    with open_case(args.case) as case:
        member = users.add_user(case, args.login, args.role, args.assigned_only, password)
    sees = " (assigned batches only)" if member.assigned_only else ""
    console.print(f"{member.login} is {member.role}{sees} in this case.", highlight=False)
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    from reviewer.core.team import users

    with open_case(args.case) as case:
        users.remove_user(case, args.login)
    console.print(f"{args.login} is no longer a member of this case.", highlight=False)
    return 0


def _ask_password(login: str) -> str:
    import getpass

    first = getpass.getpass(f"Password for {login}: ")
    if not first:
        raise ReviewerError("No password given; nothing was changed.")
    if getpass.getpass(f"Password for {login} again: ") != first:
        raise ReviewerError("The two passwords differ; nothing was changed.")
    return first
