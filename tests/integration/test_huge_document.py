"""A case holding one 50 MB CSV with the same word on every line: searching that word, with snippets, and
asking where it hits, take time and memory bounded by what is shown, not by the 540,000 hits in the file.
(Before, building one snippet found every hit of the document: minutes and gigabytes.)

Time and memory are measured in a subprocess, against generous bounds that only catch a runaway."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest

SIZE = 50 * 1024 * 1024
SECONDS = 20
GROWTH_MB = 500


@pytest.fixture(scope="module")
def huge_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    root = tmp_path_factory.mktemp("huge")
    (root / "docs").mkdir()
    lines = 0
    with open(root / "docs" / "ledger.csv", "w", encoding="utf-8") as csv:
        while csv.tell() < SIZE:
            csv.write(f"{lines:08d},needle,{'x' * 80}\n")
            lines += 1
    with Case.create(root / "case") as case:
        summary = ingest(case, [root / "docs"], IngestOptions(custodian="ledger", jobs=2))
        assert summary.documents == 1
        # Ingest keeps the first 16 M characters of a document's text (and flags the cut): the hits are
        # the lines in what was kept.
        kept = case.texts.read("DOC-000001", 1).count(",needle,")
    assert 0 < kept <= lines
    return root / "case", kept


# Runs in its own process: the peak resident size before the measured work, then the growth during it.
MEASURE = """
import json, resource, sys, time
from reviewer.cli import main

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

case, what = sys.argv[1], sys.argv[2]
if what == "api":
    from reviewer.core.case import Case
    from reviewer.core.search.service import SearchService
    with Case.open(case) as opened, SearchService.open(opened) as service:
        before, started = peak_mb(), time.perf_counter()
        result = service.search("needle", limit=20)
        rows = service.rows(result)
        hits = service.hit_positions(rows[0].control, "needle", 1000)
        total = service.hit_count(rows[0].control, "needle")
        report = {"snippet": rows[0].snippet.text, "marks": len(rows[0].snippet.marks), "hits": len(hits),
                  "total": total, "last_hit": [hits[-1].start, hits[-1].end]}
else:
    main(["search", case, "needle", "--limit", "0"])  # opens the case and the index: the baseline
    before, started = peak_mb(), time.perf_counter()
    main(["search", case, "needle"] if what == "search" else ["hits", case, "DOC-000001", "needle"])
    report = {}
report.update(seconds=time.perf_counter() - started, growth_mb=peak_mb() - before)
print(json.dumps(report), file=sys.stderr)
"""


def _measure(case: Path, what: str) -> tuple[dict, str, str]:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(case), what], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout, done.stderr


def test_the_hits_api_shows_the_first_hits_of_a_huge_document(huge_case: tuple[Path, int]) -> None:
    case, lines = huge_case
    report, _out, _err = _measure(case, "api")
    assert report["seconds"] < SECONDS and report["growth_mb"] < GROWTH_MB, report
    assert report["snippet"].startswith("00000000,needle,xxx")
    assert len(report["snippet"]) < 1500 and report["marks"] >= 3
    assert (report["hits"], report["total"]) == (1000, lines)
    line = len(f"00000000,needle,{'x' * 80}\n")
    assert report["last_hit"] == [999 * line + 9, 999 * line + 15]  # the 1,000th line's "needle"


def test_cli_search_with_snippets_of_a_huge_document(huge_case: tuple[Path, int]) -> None:
    case, _lines = huge_case
    report, out, _err = _measure(case, "search")
    assert report["seconds"] < SECONDS and report["growth_mb"] < GROWTH_MB, report
    assert out.count("1 document") == 2
    assert "needle" in out.split("1 document", 2)[2]  # the snippet in the result table


def test_cli_hits_of_a_huge_document_says_how_many_it_shows(huge_case: tuple[Path, int]) -> None:
    case, lines = huge_case
    report, out, err = _measure(case, "hits")
    assert report["seconds"] < SECONDS and report["growth_mb"] < GROWTH_MB, report
    assert out.count("'needle'") == 1000
    assert f"The first 1,000 of {lines:,} hits (--limit 0 lists them all)." in err
