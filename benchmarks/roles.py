"""What roles cost a coding action on a shared case: one document tagged (and untagged) K times by an
admin, by a reviewer and by an assigned-only reviewer, each with their own login, on the same PostgreSQL
server in the same run; and listing the case (the document list's ordered ids) for the admin and for the
assigned-only reviewer.

The logins take turns, action by action. The admin's action is the baseline (core reads the acting
login's role once per action); a reviewer's action also checks what it recorded against their role, an
assigned-only reviewer's against their batches. Uses REVIEWER_TEST_POSTGRES (an administrator's URL)
or starts a throwaway server (tests/postgres_server.py) and stops it. Prints one JSON object:

    .venv/bin/python benchmarks/roles.py --documents 100000 --actions 200
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.batches import percentiles  # noqa: E402
from benchmarks.review import add_documents  # noqa: E402
from reviewer.core import review  # noqa: E402
from reviewer.core.browse import ordered_ids  # noqa: E402
from reviewer.core.case import Case  # noqa: E402
from reviewer.core.team import batches, users  # noqa: E402
from reviewer.core.team.batch_sets import create_batch_set  # noqa: E402
from reviewer.core.team.casefile import CaseFile, ServerAddress  # noqa: E402
from tests import postgres_server  # noqa: E402
from tests.databases import CaseMaker, PostgresServer  # noqa: E402

PASSWORD = "benchmark password"


def coding(cases: dict[str, Case], doc_id: int, actions: int) -> dict[str, dict[str, float]]:
    """Each login tags and untags the document in turn, interleaved, so that the machine's load falls
    on all of them alike."""
    samples: dict[str, list[float]] = {who: [] for who in cases}
    for n in range(actions):
        for who, case in cases.items():
            started = time.perf_counter()
            review.tag_documents(case, [doc_id], "Hot", add=n % 2 == 0)
            samples[who].append(time.perf_counter() - started)
    return {f"coding_{who}": percentiles(taken) for who, taken in samples.items()}


def listing(case: Case, times: int = 5) -> float:
    def once() -> float:
        started = time.perf_counter()
        ordered_ids(case)
        return time.perf_counter() - started

    return round(min(once() for _ in range(times)) * 1000, 1)


def run(server: PostgresServer, documents: int, actions: int, batch_size: int) -> dict[str, object]:
    os.environ["PGUSER"] = server.admin
    maker = CaseMaker("postgresql", server)
    with tempfile.TemporaryDirectory() as folder:
        try:
            with maker.create(Path(folder) / "store", name="Roles benchmark") as admin:
                ids = add_documents(admin, documents)
                create_batch_set(admin, "Bench", ids, batch_size, prefix="B")
                suffix = os.getpid()
                reviewer, limited = f"bench_reviewer_{suffix}", f"bench_limited_{suffix}"
                users.add_user(admin, reviewer, "reviewer", password=PASSWORD)
                users.add_user(admin, limited, "reviewer", assigned_only=True, password=PASSWORD)
                first = batches.batches(admin)[0].name
                batches.assign(admin, first, limited)
                doc_id = batches.batch_document_ids(admin, first)[0]
                described = CaseFile.read(admin.location)

                def as_login(login: str) -> Case:
                    return Case.open_shared(admin.location, described,
                                            connection=ServerAddress(described.server, login, PASSWORD))

                with as_login(reviewer) as plain, as_login(limited) as assigned:
                    result: dict[str, object] = {
                        "documents": documents, "actions": actions, "assigned_batch": batch_size,
                        **coding({"admin": admin, "reviewer": plain, "assigned_only": assigned}, doc_id,
                                 actions),
                        "list_admin_ms": listing(admin),
                        "list_assigned_only_ms": listing(assigned),
                    }
        finally:
            maker.close()
    admin_p50 = result["coding_admin"]["p50_ms"]  # type: ignore[index]
    for who in ("reviewer", "assigned_only"):
        result[f"coding_{who}_vs_admin"] = round(result[f"coding_{who}"]["p50_ms"] / admin_p50, 2)  # type: ignore[index]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    given = os.environ.get("REVIEWER_TEST_POSTGRES")
    folder = None
    if not given:
        folder, given = postgres_server.start()
    try:
        print(json.dumps(run(PostgresServer(given), args.documents, args.actions, args.batch_size), indent=2))
    finally:
        if folder is not None:
            postgres_server.stop(folder)


if __name__ == "__main__":
    main()
