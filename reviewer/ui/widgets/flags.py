"""The colours of the flags a person or an organisation can carry, the same in every pane and in the graph.

Press and the agencies stand out most (that is where leaks show), then the prosecution and counsel.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

FLAG_COLORS = {"press": "#e07b00", "agency": "#7e57c2", "prosecution": "#c62828", "attorney": "#1e88e5"}
UNFLAGGED = "#78909c"


def flag_color(flags: list[str]) -> QColor:
    """The colour of the most telling flag among `flags` (grey for none)."""
    for flag, color in FLAG_COLORS.items():
        if flag in flags:
            return QColor(color)
    return QColor(UNFLAGGED)
