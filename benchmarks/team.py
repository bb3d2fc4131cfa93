"""A team coding one shared case at once: N reviewer processes on PostgreSQL against one reviewer alone (on
PostgreSQL and on a case folder), in the same run. Prints one JSON object.

Each reviewer is a process of its own with its own login. It codes like a person at the keyboard: opens
a document (reads its coding and the coding version), thinks for a moment, then presses a tag's key
(review.toggle_tag with the version it saw), about once every `--interval` seconds for `--seconds`. One
press in five is "Hot" on one of a few documents every reviewer works on, so that some presses meet another
reviewer's change to the same tag and are refused (ConflictError) — those are counted, never applied.
An observer process asks for changes as the desktop does (reviewer.core.changes, every POLL_MS) and
records, for every action it sees, how long after the action was made it saw it.

Then each process codes flat out for `--burst` seconds (no thinking, documents from the whole case): the
team's write throughput against one reviewer flat out alone.

The cases hold `--docs` documents written straight into the database (ingest would be measured otherwise).
A throwaway PostgreSQL server is started for the run (tests/postgres_server.py) and stopped at its end.

    .venv/bin/python benchmarks/team.py              # 8 reviewers, 100,000 documents, 60 s a phase
    .venv/bin/python benchmarks/team.py --docs 5000 --seconds 10 --burst 5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.percentiles import percentile  # noqa: E402
from reviewer.core import changes, review  # noqa: E402
from reviewer.core.case import Case, now  # noqa: E402
from reviewer.core.errors import ConflictError  # noqa: E402
from reviewer.core.models import AuditGroup, Document  # noqa: E402
from reviewer.core.team import users as team_users  # noqa: E402
from reviewer.ui.team_sync import POLL_MS  # noqa: E402
from tests import postgres_server  # noqa: E402
from tests.databases import REVIEWER_PASSWORD, CaseMaker, PostgresServer  # noqa: E402

TAGS = ("Bias-related", "Relevant to motion to dismiss", "Responsive", "Hot", "Needs redaction")
SHARED_DOCUMENTS = 8  # the documents every reviewer works on (their "Hot")
SHARED_SHARE = 0.2
CHUNK = 5_000


def add_documents(case: Case, count: int) -> None:
    with case.db.session() as session:
        for start in range(1, count + 1, CHUNK):
            session.execute(insert(Document), [
                {"control": f"DOC-{i:06d}", "md5": "0" * 32, "sha1": "0" * 40, "sha256": f"{i:064d}",
                 "dedup_key": str(i), "size": 10, "source_path": f"/in/{i}", "added": now()}
                for i in range(start, min(start + CHUNK, count + 1))
            ])


def rounded_percentile(values: list[float], fraction: float) -> float | None:
    return round(percentile(values, fraction), 4) if values else None


# --- the processes --------------------------------------------------------------------------------------

def reviewer(location: str, go: float, seconds: float, interval: float, burst: float,
             seed: int) -> dict[str, Any]:
    """One reviewer: paced coding for `seconds`, then flat out for `burst`; latencies and outcomes."""
    rng = random.Random(seed)
    latencies: list[float] = []
    conflicts = applied = 0
    with Case.open(location) as case:
        with case.db.reader() as session:
            ids = list(session.scalars(select(Document.id).order_by(Document.id)))
        shared = ids[:SHARED_DOCUMENTS]
        time.sleep(max(0.0, go - time.time()))
        end, next_at = go + seconds, go + rng.uniform(0, interval)
        while next_at < end:
            time.sleep(max(0.0, next_at - time.time()))
            together = rng.random() < SHARED_SHARE
            doc = rng.choice(shared) if together else rng.choice(ids)
            tag = "Hot" if together else rng.choice(TAGS)
            seen = review.coding(case, doc).version  # the document opened
            time.sleep(rng.uniform(0.1, 0.5))  # read it, decide
            started = time.perf_counter()
            try:
                review.toggle_tag(case, [doc], tag, seen=seen)
                applied += 1
            except ConflictError:
                conflicts += 1
            latencies.append(time.perf_counter() - started)
            next_at += interval
        burst_actions, burst_end = 0, time.time() + burst
        while burst and time.time() < burst_end:
            review.toggle_tag(case, [rng.choice(ids)], rng.choice(TAGS))
            burst_actions += 1
    return {"latencies": latencies, "applied": applied, "conflicts": conflicts,
            "burst_actions": burst_actions}


def observer(location: str, go: float, seconds: float) -> dict[str, Any]:
    """Asks for changes every POLL_MS, as a desktop window does; how long after each action it saw it."""
    delays: list[float] = []
    with Case.open(location) as case:
        seen = changes.since(case, 0).version
        with case.db.reader() as session:
            last_group = session.scalar(select(AuditGroup.id).order_by(AuditGroup.id.desc()).limit(1)) or 0
        time.sleep(max(0.0, go - time.time()))
        while time.time() < go + seconds + 2:
            found = changes.since(case, seen)
            if found.any:
                at_now = now()
                with case.db.reader() as session:
                    made = session.execute(select(AuditGroup.id, AuditGroup.at)
                                           .where(AuditGroup.id > last_group)).all()
                for group_id, at in made:
                    delays.append((at_now - at).total_seconds())
                    last_group = max(last_group, group_id)
                seen = found.version
            time.sleep(POLL_MS / 1000)
    return {"delays": delays}


def run_processes(location: Path, users: list[str], args: argparse.Namespace, burst: float,
                  observe: bool) -> dict[str, Any]:
    """Start the reviewers (and the observer) together; gather what each measured."""
    go = time.time() + 8 + len(users)  # time for every process to start and open the case
    out = Path(tempfile.mkdtemp(prefix="reviewer-team-bench-"))
    processes = []
    for n, user in enumerate(users):
        env = {**os.environ, "PGUSER": user, "PGPASSWORD": REVIEWER_PASSWORD, "LOGNAME": user}
        command = [sys.executable, __file__, "--role", "reviewer", "--case", str(location), "--go", str(go),
                   "--seconds", str(args.seconds), "--interval", str(args.interval), "--burst", str(burst),
                   "--seed", str(n), "--out", str(out / f"{user}.json")]
        processes.append(subprocess.Popen(command, env=env, cwd=ROOT))
    if observe:
        command = [sys.executable, __file__, "--role", "observer", "--case", str(location), "--go", str(go),
                   "--seconds", str(args.seconds), "--out", str(out / "observer.json")]
        processes.append(subprocess.Popen(command, cwd=ROOT))
    for process in processes:
        if process.wait() != 0:
            raise SystemExit(f"a benchmark process failed: {process.args!r}")
    results = [json.loads((out / f"{user}.json").read_text()) for user in users]
    latencies = [value for result in results for value in result["latencies"]]
    summary: dict[str, Any] = {
        "reviewers": len(users),
        "actions": len(latencies),
        "applied": sum(r["applied"] for r in results),
        "conflicts_refused": sum(r["conflicts"] for r in results),
        "throughput_per_s": round(len(latencies) / args.seconds, 2),
        "p50_action_s": rounded_percentile(latencies, 0.5),
        "p95_action_s": rounded_percentile(latencies, 0.95),
        "burst_actions_per_s": round(sum(r["burst_actions"] for r in results) / burst, 1) if burst else None,
    }
    if observe:
        delays = json.loads((out / "observer.json").read_text())["delays"]
        summary.update(seen_by_others_p50_s=rounded_percentile(delays, 0.5),
                       seen_by_others_p95_s=rounded_percentile(delays, 0.95),
                       seen_by_others_max_s=round(max(delays), 3) if delays else None)
    return summary


# --- the run --------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviewers", type=int, default=8)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=60.0, help="paced coding, per phase")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between one reviewer's actions")
    parser.add_argument("--burst", type=float, default=10.0, help="seconds of flat-out coding (0: none)")
    parser.add_argument("--role", choices=("reviewer", "observer"), help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--go", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "reviewer":
        result = reviewer(args.case, args.go, args.seconds, args.interval, args.burst, args.seed)
        Path(args.out).write_text(json.dumps(result))
        return 0
    if args.role == "observer":
        Path(args.out).write_text(json.dumps(observer(args.case, args.go, args.seconds)))
        return 0

    folder, url = postgres_server.start()
    work = Path(tempfile.mkdtemp(prefix="reviewer-team-bench-"))
    try:
        server = PostgresServer(url)
        os.environ["PGUSER"] = server.admin
        users = [f"reviewer_{n}" for n in range(args.reviewers)]
        started = time.perf_counter()
        with CaseMaker("postgresql", server).create(work / "store", name="Team benchmark") as case:
            add_documents(case, args.docs)
            for user in users:  # members the admin adds, as `reviewer user-add` does
                team_users.add_user(case, user, "reviewer", password=REVIEWER_PASSWORD)
            location = case.location
        with Case.create(work / "folder", name="Single benchmark") as case:
            add_documents(case, args.docs)
        setup = time.perf_counter() - started
        team = run_processes(location, users, args, args.burst, observe=True)
        alone = run_processes(location, users[:1], args, args.burst, observe=False)
        folder_alone = run_processes(work / "folder", users[:1], args, 0, observe=False)
    finally:
        postgres_server.stop(folder)
    p95_ratio = (team["p95_action_s"] / alone["p95_action_s"]) if alone["p95_action_s"] else None
    burst_ratio = (team["burst_actions_per_s"] / alone["burst_actions_per_s"]
                   if team["burst_actions_per_s"] and alone["burst_actions_per_s"] else None)
    print(json.dumps({
        "benchmark": "team",
        "documents": args.docs,
        "seconds": args.seconds,
        "interval_s": args.interval,
        "poll_interval_s": POLL_MS / 1000,
        "setup_s": round(setup, 1),
        "postgresql_team": team,
        "postgresql_one_reviewer": alone,
        "sqlite_one_reviewer": folder_alone,
        "team_vs_alone_p95_ratio": round(p95_ratio, 2) if p95_ratio else None,
        "team_vs_alone_burst_throughput_ratio": round(burst_ratio, 2) if burst_ratio else None,
        "aims": {"p95_action_s": 0.05, "seen_by_others_p95_s": 3.0},
        "load_average_1min_at_end": round(os.getloadavg()[0], 1),
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
