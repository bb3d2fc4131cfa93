"""The built-in demo case: the fictional discovery set in resources/demo, ingested into a case folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.core.progress import CancelToken, Progress, no_progress
from reviewer.core.resources import resources_dir, user_data_dir

if TYPE_CHECKING:
    from reviewer.core.ingest.pipeline import IngestSummary

DEMO_NAME = "Demo: State of Westmarch v. Dana Okafor (fictional)"


def demo_source() -> Path:
    return resources_dir() / "demo"


def default_demo_case() -> Path:
    return user_data_dir() / "demo-case"


def build_demo_case(target: Path | None = None, progress: Progress = no_progress,
                    cancel: CancelToken | None = None) -> tuple[Path, IngestSummary]:
    """Create the demo case (or finish/refresh an existing one; ingest is resumable, so this is cheap)."""
    # Imported here: finding where the demo case lives (the CLI's default) must not load the ingest.
    from reviewer.core.case import DB_NAME, Case
    from reviewer.core.ingest.pipeline import IngestOptions, IngestSummary, ingest

    target = (target or default_demo_case()).absolute()
    case = Case.open(target) if (target / DB_NAME).exists() else Case.create(target, name=DEMO_NAME)
    total = IngestSummary()
    with case:
        # One folder per custodian; the README beside them is the testers' answer key, not evidence.
        for folder in sorted(p for p in demo_source().iterdir() if p.is_dir()):
            summary = ingest(case, [folder], IngestOptions(custodian=folder.name, jobs=1), progress, cancel)
            total.add(summary)
            if summary.cancelled:
                break
    return target, total
