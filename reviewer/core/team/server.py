"""Connecting to a case database server: who logs in, where the password comes from, and one sentence
when it fails.

The login is the operating system's user name unless PGUSER names another (or a command's address does).
The password is never stored by Reviewer — not in the case file, not in the case. It is looked for, in
this order, until the server accepts one:

1. libpq's own places: PGPASSWORD, then the password file (~/.pgpass, or PGPASSFILE; %APPDATA%\\postgresql\\
   pgpass.conf on Windows). A server that trusts the machine or uses certificates needs none at all.
2. A password already given in this process (so the desktop's worker threads and child processes do not
   ask again; see `passwords_known`).
3. The operating system's keyring, through the optional `keyring` package (skipped when it is not
   installed or has no backend).
4. Asking: the desktop installs a password dialog (`set_password_prompt`); a command asks on its terminal,
   and only when one is attached. A password that was asked for and accepted goes to the keyring, so it
   is asked once per machine.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Iterator

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError

from reviewer.core.db import CONNECT_TIMEOUT_SECONDS, first_line, postgresql_engine
from reviewer.core.errors import ServerUnreachableError
from reviewer.core.team.casefile import Server

KEYRING_SERVICE = "Reviewer case database"

PasswordPrompt = Callable[[str], "str | None"]  # the question -> the password, or None when cancelled
_prompt: PasswordPrompt | None = None
_known: dict[str, str] = {}  # passwords accepted in this process, by _account()


class MissingDatabaseError(ServerUnreachableError):
    """The server answered but has no database of that name."""


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers, services): still name someone
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def login() -> str:
    """Who a shared case is opened as: PGUSER, else the operating system's user name."""
    return os.environ.get("PGUSER") or os_user()


def set_password_prompt(prompt: PasswordPrompt | None) -> None:
    """The desktop's way to ask for a password (None: ask on the terminal, if there is one)."""
    global _prompt
    _prompt = prompt


def passwords_known() -> dict[str, str]:
    """Passwords accepted in this process, to hand to a child process (`learn_passwords`)."""
    return dict(_known)


def learn_passwords(known: dict[str, str]) -> None:
    _known.update(known)


def connect(server: Server, user: str | None = None, password: str | None = None) -> Engine:
    """An engine on the case database whose first connection worked; ServerUnreachableError (or
    MissingDatabaseError) with one sentence saying what is wrong and what to do, otherwise."""
    user = user or login()
    refused = ""
    for source, candidate in _passwords(server, user, password):
        engine = postgresql_engine(server.url(user, candidate))
        try:
            with engine.connect() as connection:
                connection.execute(select(1))
        except OperationalError as error:
            engine.dispose()
            if not _wants_password(error):
                raise _unreachable(server, user, error) from None
            refused = first_line(error)
            continue
        if candidate is not None:
            _known[_account(server, user)] = candidate
            if source == "asked":
                _keyring_store(server, user, candidate)
        return engine
    raise ServerUnreachableError(
        f"The server {server.host}:{server.port} did not accept the login {user} ({refused}); set "
        "PGPASSWORD or add the password to ~/.pgpass, or open the case from a terminal or the desktop to "
        "be asked for it." if refused else
        f"The server {server.host}:{server.port} did not accept the login {user}.")


def session_user(engine: Engine) -> str:
    """The login a connection acts as: what the audit trail records for a shared case."""
    with engine.connect() as connection:
        return str(connection.scalar(text("SELECT current_user")))


def _passwords(server: Server, user: str, given: str | None) -> Iterator[tuple[str, str | None]]:
    """(source, password) to try in turn; each is asked for only when the ones before it failed."""
    if given is not None:
        yield "given", given
        return
    yield "libpq", None
    known = _known.get(_account(server, user))
    if known is not None:
        yield "known", known
    stored = _keyring_lookup(server, user)
    if stored is not None:
        yield "keyring", stored
    asked = _ask(f"Password of {user} on the case database server {server.host}:{server.port}: ")
    if asked is not None:
        yield "asked", asked


def _ask(question: str) -> str | None:
    if _prompt is not None:
        return _prompt(question)
    if sys.stdin is None or not sys.stdin.isatty():
        return None
    try:
        return getpass.getpass(question)
    except (EOFError, KeyboardInterrupt):
        return None


def _account(server: Server, user: str) -> str:
    return f"{user}@{server.host}:{server.port}"


def _keyring_lookup(server: Server, user: str) -> str | None:
    try:
        import keyring  # optional: not a dependency of Reviewer

        return keyring.get_password(KEYRING_SERVICE, _account(server, user))
    except Exception:  # not installed, no backend, a locked or broken keyring: carry on without it
        return None


def _keyring_store(server: Server, user: str, password: str) -> None:
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, _account(server, user), password)
    except Exception:  # as in _keyring_lookup: the keyring is a convenience, never a requirement
        pass


def _wants_password(error: OperationalError) -> bool:
    message = str(error.orig).lower()
    return "password authentication failed" in message or "no password supplied" in message


def _unreachable(server: Server, user: str, error: OperationalError) -> ServerUnreachableError:
    words = first_line(error)
    message = words.lower()
    where = f"{server.host}:{server.port}"
    if "does not exist" in message and "database" in message:
        return MissingDatabaseError(
            f"The server {where} has no database {server.database}; check the case file or the address, "
            "or ask whoever runs the server.")
    if "does not exist" in message and "role" in message:
        return ServerUnreachableError(
            f"The server {where} has no login {user}; ask whoever runs it to create one for you, or set "
            "PGUSER to the login you were given.")
    if "translate host name" in message or "name or service not known" in message:
        return ServerUnreachableError(
            f"The case database server {server.host} is not known on this network; check the case file "
            "and the network connection (VPN?).")
    if "timeout" in message:
        return ServerUnreachableError(
            f"The case database server {where} did not answer within {CONNECT_TIMEOUT_SECONDS} seconds; "
            "check the network connection (VPN?), then try again.")
    if "refused" in message or "could not connect" in message or "no such file" in message:
        return ServerUnreachableError(
            f"The case database server {where} cannot be reached (connection refused); check that it "
            "is running and that this computer is on its network, then try again.")
    if "no pg_hba.conf entry" in message:
        return ServerUnreachableError(
            f"The case database server {where} does not let {user} in from this computer; ask whoever "
            "runs it to allow this computer (pg_hba.conf).")
    return ServerUnreachableError(f"The case database {server.label} could not be opened ({words}).")
