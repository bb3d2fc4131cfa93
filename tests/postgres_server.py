"""A throwaway PostgreSQL server for the tests: initdb and pg_ctl in a temporary folder, on a free port.

The test suite starts one per session (tests/conftest.py) unless REVIEWER_TEST_POSTGRES names a server
to use instead; CI starts one for its whole run from the command line and exports that variable:

    python3 tests/postgres_server.py start [OWNER_PID]   prints the folder, then the server's URL
    python3 tests/postgres_server.py stop DIR

A server whose owner (the test process, or the CI script's shell) died without stopping it, say killed by
a timeout, is stopped by the next `start`, so leftovers never pile up on a developer's machine.

initdb refuses to run as root (CI and `make test` run as root), so the server then runs as the
unprivileged `postgres` user the Debian package creates (or `nobody`). It trusts its administrator,
`reviewer_admin`, on this machine, and asks every other login for its password (SCRAM), so the tests can
check where passwords come from. Durability is switched off: the data is thrown away anyway.

Only the standard library is used, so CI can run this before Reviewer's own environment exists.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ADMIN = "reviewer_admin"
HBA = f"""# Written by tests/postgres_server.py
local all all trust
host all {ADMIN} 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
"""


class ServerError(RuntimeError):
    """The throwaway server could not be started."""


def binaries() -> Path:
    """The folder holding initdb and pg_ctl: on the PATH, else the newest Debian/Ubuntu install."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if versions:
        return Path(versions[-1]).parent
    raise ServerError("The PostgreSQL server programs (initdb, pg_ctl) are not installed: install them "
                      "(apt-get install postgresql) or set REVIEWER_TEST_POSTGRES to the URL of a server "
                      "the tests may use.")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _account() -> pwd.struct_passwd | None:
    """Who runs the server: nobody special unless we are root, which initdb refuses."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ServerError("Running as root, and there is no unprivileged user (postgres, nobody) to run the "
                      "test PostgreSQL server as.")


def _run(command: list[str], account: pwd.struct_passwd | None) -> None:
    ids = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []} if account else {}
    result = subprocess.run(command, capture_output=True, text=True, cwd="/", **ids)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise ServerError(f"{Path(command[0]).name} failed: {(result.stderr or result.stdout).strip()}")


PREFIX = "reviewer-postgres-"
OWNER_FILE = "owner.pid"
OPTIONS_FILE = "options"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_orphans() -> None:
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            owner = int((folder / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if not _alive(owner):
            try:
                stop(folder)
            except ServerError:
                pass  # a server that died mid-start: its folder is gone all the same


def start(owner: int | None = None) -> tuple[Path, str]:
    """Start a server for `owner` (a process id; this process by default); (its folder, the
    administrator's URL)."""
    bin_dir = binaries()
    account = _account()
    _stop_orphans()
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    (folder / OWNER_FILE).write_text(str(owner or os.getpid()))
    if account is not None:
        os.chown(folder, account.pw_uid, account.pw_gid)
    data, port = folder / "data", _free_port()
    try:
        _run([str(bin_dir / "initdb"), "-D", str(data), "-U", ADMIN, "-A", "trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"], account)
        (data / "pg_hba.conf").write_text(HBA)
        options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300 "
                   "-c password_encryption=scram-sha-256")
        (folder / OPTIONS_FILE).write_text(options)
        resume(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, f"postgresql://{ADMIN}@127.0.0.1:{port}/postgres"


def halt(folder: Path) -> None:
    """Stop the server in `folder` as an administrator restarting it would (its clients are cut off at
    once), keeping its data for `resume`. Not "immediate": with durability switched off, a crash would
    lose the last commits, which a real server keeps."""
    _run([str(binaries() / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "-w", "stop"], _account())


def resume(folder: Path) -> None:
    """Start the server in `folder` again, on the same port, with the same data."""
    _run([str(binaries() / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-o",
          (folder / OPTIONS_FILE).read_text(), "-w", "-t", "60", "start"], _account())


def stop(folder: Path) -> None:
    """Stop the server started in `folder` and remove it."""
    try:
        if (folder / "data" / "postmaster.pid").exists():
            _run([str(binaries() / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "-w", "stop"],
                 _account())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["start"] and len(argv) <= 2 and all(a.isdigit() for a in argv[1:]):
        folder, url = start(int(argv[1]) if len(argv) == 2 else None)
        print(folder)
        print(url)
        return 0
    if argv[:1] == ["stop"] and len(argv) == 2:
        stop(Path(argv[1]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
