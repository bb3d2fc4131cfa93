"""The case file of a shared case: a small JSON file a team member opens like a case folder.

    {"reviewer": "shared case", "version": 1, "server": "db.firm.local", "port": 5432,
     "database": "state_v_okafor", "store": "/mnt/cases/state_v_okafor"}

It says where the case is and nothing about who opens it: no login, no password (server.py finds those).
A relative `store` is read relative to the folder holding the case file, so a case file kept inside the
shared folder works wherever each machine mounts it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

from reviewer.core.errors import CaseError

SUFFIX = ".reviewer"
KIND = "shared case"
VERSION = 1
DEFAULT_PORT = 5432


@dataclass(frozen=True)
class Server:
    """Where a case database is: server, port and database name."""

    host: str
    port: int
    database: str

    @property
    def label(self) -> str:
        """How messages name it: "state_v_okafor on db.firm.local:5432"."""
        return f"{self.database} on {self.host}:{self.port}"

    def url(self, user: str, password: str | None = None) -> URL:
        return URL.create("postgresql+psycopg", username=user, password=password, host=self.host,
                          port=self.port, database=self.database)


@dataclass(frozen=True)
class ServerAddress:
    """A server address as typed on the command line: the Server and the login and password it names,
    if any (`postgresql://USER@HOST:PORT/DB`)."""

    server: Server
    user: str | None
    password: str | None


def parse_address(address: str) -> ServerAddress:
    try:
        url = make_url(address)
    except ArgumentError:
        url = None
    if url is None or url.drivername.split("+")[0] not in ("postgresql", "postgres") or not url.database \
            or not url.host:
        raise CaseError(f'"{address}" is not a database address; write it as '
                        "postgresql://USER@SERVER:PORT/DATABASE (USER and :PORT may be left out).")
    server = Server(url.host, url.port or DEFAULT_PORT, url.database)
    return ServerAddress(server, url.username, url.password)


@dataclass(frozen=True)
class CaseFile:
    server: Server
    store: Path  # the shared evidence folder, absolute

    @classmethod
    def read(cls, path: Path) -> CaseFile:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if record.get("reviewer") != KIND:
                raise ValueError("not a shared case")
            if record.get("version") != VERSION:
                raise CaseError(f"{path} was written by another version of Reviewer (case file version "
                                f"{record.get('version')}); open it with that version.")
            server = Server(str(record["server"]), int(record["port"]), str(record["database"]))
            store = Path(record["store"])
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
            raise CaseError(f"{path} is not a Reviewer case: neither a case folder nor a case file "
                            f"({SUFFIX}) of a shared case.") from None
        return cls(server, store if store.is_absolute() else (path.parent / store).resolve())

    def write(self, path: Path) -> None:
        """Write the case file; an existing file is never overwritten."""
        record = {"reviewer": KIND, "version": VERSION, "server": self.server.host, "port": self.server.port,
                  "database": self.server.database, "store": str(self.store)}
        try:
            with path.open("x", encoding="utf-8") as stream:
                stream.write(json.dumps(record, indent=2) + "\n")
        except FileExistsError:
            raise CaseError(f"{path} already exists; choose another name for the case file.") from None
        except OSError as error:
            raise CaseError(f"The case file {path} could not be written ({error.strerror}).") from None
