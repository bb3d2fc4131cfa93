"""One reviewer's process in the team tests: opens a case as its own login (PGUSER, PGPASSWORD on a
shared case; LOGNAME on a case folder), waits for the go signal, runs its plan of coding actions and writes
what became of each.

    python -m tests.team.coder CASE PLAN.json RESULTS.json

A plan is {"go": FILE, "actions": [...]}; an action is {"op": "tag" | "toggle" | "privilege", "docs": [ids],
"tag": NAME, "add": bool, "basis": B, "description": D, "seen": VERSION or null}, or {"op": "churn",
"docs": [ids], "tag": NAME}, which tags and untags the documents until the process is killed. A result is
{"ok": RESULT} or {"conflicts": [{"document_id", "user", "action", "value"}]}, with the seconds it took.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from reviewer.core import review
from reviewer.core.case import Case
from reviewer.core.errors import ConflictError


def act(case: Case, action: dict[str, Any]) -> Any:
    op, docs, seen = action["op"], action["docs"], action.get("seen")
    if op == "tag":
        return review.tag_documents(case, docs, action["tag"], add=action.get("add", True), seen=seen)
    if op == "toggle":
        return review.toggle_tag(case, docs, action["tag"], seen=seen)
    if op == "privilege":
        return review.set_privilege(case, docs, action["basis"], action["description"], seen=seen)
    if op == "churn":
        while True:
            review.toggle_tag(case, docs, action["tag"])
    raise ValueError(op)


def main(location: str, plan_file: str, results_file: str) -> int:
    plan = json.loads(Path(plan_file).read_text())
    results: list[dict[str, Any]] = []
    with Case.open(location) as case:
        print("ready", flush=True)
        go = Path(plan["go"])
        while not go.exists():
            time.sleep(0.01)
        for action in plan["actions"]:
            started = time.perf_counter()
            try:
                result: dict[str, Any] = {"ok": act(case, action)}
            except ConflictError as refused:
                result = {"conflicts": [{"document_id": c.document_id, "user": c.user, "action": c.action,
                                         "value": c.value} for c in refused.conflicts]}
            result["seconds"] = time.perf_counter() - started
            results.append(result)
    Path(results_file).write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
