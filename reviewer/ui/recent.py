"""The list of recently opened cases, newest first, kept in the user's settings."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from PySide6.QtCore import QSettings

from reviewer.core.case import looks_like_case

KEY = "recentCases"
KEEP = 10


def recent_cases() -> list[Path]:
    """Recent cases (folders and shared cases' case files) that still exist."""
    stored = cast("list[str]", QSettings().value(KEY, [], type=list))
    return [Path(p) for p in stored if looks_like_case(Path(p))]


def remember_case(path: Path) -> None:
    path = path.absolute()
    paths = [path, *(p for p in recent_cases() if p != path)][:KEEP]
    QSettings().setValue(KEY, [str(p) for p in paths])
