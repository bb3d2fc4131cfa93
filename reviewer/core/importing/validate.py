"""The validation report of an imported volume: what was found wrong, row by row and page by page, so a
paralegal can trust that nothing was silently dropped. Checks over the load files live here; the checks
that need the files themselves (images, text, natives) are made while importing and added to the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

_LABEL = re.compile(r"^(.*?)(\d+)$")


class Problem(StrEnum):
    NO_IMAGES = "row without images"
    OUTSIDE = "OPT page outside any DAT range"
    GAP = "Bates gap"
    OVERLAP = "Bates overlap"
    PAGE_COUNT = "page counts disagree"
    NO_TEXT = "missing text"
    NO_NATIVE = "missing native"
    FAMILY = "family with missing members"
    DUPLICATE = "duplicate BEGBATES"
    BAD_LINE = "unreadable load-file line"
    BAD_IMAGE = "unreadable page image"
    NO_BATES = "row without BEGBATES"
    MOJIBAKE = "DAT converted to UTF-8 twice"


@dataclass(frozen=True)
class Finding:
    problem: Problem
    subject: str  # the Bates number (or range, or line) it is about
    detail: str

    def line(self) -> str:
        return f"{self.problem.value}: {self.subject} — {self.detail}"


@dataclass
class ValidationReport:
    volume: str
    dat: str
    opt: str
    settings: list[tuple[str, str]]
    rows: int = 0
    pages: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    findings: list[Finding] = field(default_factory=list)
    cancelled: bool = False
    saved_to: str = ""

    def add(self, problem: Problem, subject: str, detail: str) -> Finding:
        finding = Finding(problem, subject, detail)
        self.findings.append(finding)
        return finding

    def count(self, problem: Problem) -> int:
        return sum(1 for f in self.findings if f.problem == problem)

    def to_text(self) -> str:
        lines = [f"Import of {self.volume}", f"DAT: {self.dat}", f"OPT: {self.opt or '(none)'}", ""]
        lines += [f"{name}: {value}" for name, value in self.settings]
        lines += ["", f"Rows: {self.rows:,}   pages: {self.pages:,}   documents added: {self.added:,}   "
                      f"updated: {self.updated:,}   unchanged: {self.unchanged:,}"]
        if self.cancelled:
            lines.append("Stopped before the end; run the same import again to finish it.")
        lines += ["", f"Problems: {len(self.findings):,}" if self.findings else "Problems: none"]
        lines += [f"  {finding.line()}" for finding in self.findings]
        return "\n".join(lines) + "\n"

    def save(self, folder: Path, stamp: datetime) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stamp:%Y%m%d-%H%M%S}-{Path(self.volume).name}-validation.txt"
        path.write_text(self.to_text(), encoding="utf-8")
        self.saved_to = str(path)
        return path


# --- Bates labels ----------------------------------------------------------------------------------------
def split_label(label: str) -> tuple[str, int, int] | None:
    """(prefix, number, digits) of a Bates label such as DEF00000125; None when it ends in no number."""
    match = _LABEL.match(label.strip())
    return (match.group(1), int(match.group(2)), len(match.group(2))) if match else None


def label_after(label: str, steps: int) -> str:
    parts = split_label(label)
    if parts is None:
        return f"{label}.{steps:04d}"  # unnumbered: still unique per page
    prefix, number, digits = parts
    return f"{prefix}{number + steps:0{digits}d}"


def span(beg: str, end: str) -> int | None:
    """How many pages BEGBATES..ENDBATES covers, or None when they are not one numbered series."""
    first, last = split_label(beg), split_label(end or beg)
    if first is None or last is None or first[0] != last[0] or last[1] < first[1]:
        return None
    return last[1] - first[1] + 1


# --- load-file checks ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowRange:
    beg: str
    end: str
    beg_attach: str = ""
    end_attach: str = ""


def check_ranges(report: ValidationReport, rows: list[RowRange]) -> None:
    """Gaps and overlaps between documents' Bates ranges within each prefix, in number order."""
    by_prefix: dict[str, list[tuple[int, int, RowRange]]] = {}
    for row in rows:
        beg, end = split_label(row.beg), split_label(row.end or row.beg)
        if beg is None or end is None or beg[0] != end[0]:
            continue
        by_prefix.setdefault(beg[0], []).append((beg[1], end[1], row))
    for ranges in by_prefix.values():
        ranges.sort(key=lambda item: item[:2])
        reach, prev = ranges[0][1], ranges[0][2]  # the highest number covered so far, and by which row
        for first, last, row in ranges[1:]:
            if first > reach + 1:
                missing = f"{label_after(prev.end or prev.beg, 1)}–{label_after(row.beg, -1)}"
                report.add(Problem.GAP, missing, f"no document covers these numbers between {prev.beg} and "
                                                 f"{row.beg}")
            elif first <= reach:
                report.add(Problem.OVERLAP, row.beg, f"{row.beg}–{row.end} overlaps {prev.beg}–{prev.end}")
            if last > reach:
                reach, prev = last, row


def check_families(report: ValidationReport, rows: list[RowRange]) -> None:
    """Every family's members must be present and cover BEGATTACH..ENDATTACH without holes."""
    families: dict[tuple[str, str], list[RowRange]] = {}
    for row in rows:
        if row.beg_attach:
            families.setdefault((row.beg_attach, row.end_attach or row.beg_attach), []).append(row)
    for (beg, end), members in families.items():
        start, stop = split_label(beg), split_label(end)
        spans = []
        for member in members:
            first, last = split_label(member.beg), split_label(member.end or member.beg)
            if first and last:
                spans.append((first[1], last[1]))
        if start is None or stop is None:
            continue
        holes = []
        cursor = start[1]
        for first_number, last_number in sorted(spans):
            if first_number > cursor:
                holes.append(label_after(beg, cursor - start[1]))
            cursor = max(cursor, last_number + 1)
        if cursor <= stop[1]:
            holes.append(label_after(beg, cursor - start[1]))
        if holes:
            report.add(Problem.FAMILY, f"{beg}–{end}",
                       f"no document in the DAT starts at or covers {', '.join(holes)}")
