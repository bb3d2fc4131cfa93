"""How long `reviewer` commands take as whole processes, as a user starts them: the interpreter, the
imports, opening the case and the work, on the built-in demo case (built first in a temporary folder).

    .venv/bin/python benchmarks/cli.py [--runs 9] [--case DIR]

Each command runs `--runs` times after one warm-up run (so the operating system's file cache is warm,
as it is for a user who has just used the case); prints one JSON object with the median and the
slowest wall-clock time of each command, the median CPU time it used, and the targets of issue 15
beside the figures: `--version` under 0.2 s, `search` under 0.5 s. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AIMS_S = {"--version": 0.2, "search": 0.5}


def commands(case: str) -> dict[str, list[str]]:
    return {
        "--version": ["--version"],
        "status": ["status", case],
        "search": ["search", case, "privileged"],
        "docs --json": ["docs", case, "--json"],
    }


def timed(arguments: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run of `reviewer ARGUMENTS`."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "reviewer", *arguments], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"`reviewer {' '.join(arguments)}` failed")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--case", help="an existing case to use instead of a new demo case")
    args = parser.parse_args()
    case = args.case
    if case is None:
        case = str(Path(tempfile.mkdtemp(prefix="reviewer-cli-bench-")) / "demo")
        subprocess.run([sys.executable, "-m", "reviewer", "demo", case], check=True, capture_output=True)
    result: dict[str, object] = {"runs": args.runs, "case": case, "cpus": os.cpu_count(),
                                 "load_average": [round(load, 2) for load in os.getloadavg()]}
    verdicts = []
    for name, arguments in commands(case).items():
        timed(arguments)  # warm-up
        runs = [timed(arguments) for _ in range(args.runs)]
        walls = [wall for wall, _cpu in runs]
        entry: dict[str, object] = {"median_s": round(statistics.median(walls), 3),
                                    "max_s": round(max(walls), 3),
                                    "median_cpu_s": round(statistics.median(cpu for _wall, cpu in runs), 3)}
        if name in AIMS_S:
            met = statistics.median(walls) < AIMS_S[name]
            entry["target"] = {"aim": f"median < {AIMS_S[name]:g} s", "pass": met}
            verdicts.append(met)
        result[name] = entry
    result["all_targets_met"] = all(verdicts)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
