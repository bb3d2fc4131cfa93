"""Where Reviewer's own files live: `resources/` beside the package, or inside the PyInstaller bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def user_data_dir() -> Path:
    """The per-user folder for Reviewer's own state (recent cases, the demo case)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "Reviewer"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Reviewer"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "reviewer"
