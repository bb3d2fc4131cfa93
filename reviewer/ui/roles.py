"""What the desktop offers a member of a shared case: the actions and panes of their role.

Core refuses what a role may not do (reviewer.core.team.access); the desktop does not offer it in the
first place. An admin sees everything; a reviewer and QC do not see ingest, import, production, the
analysis of conversations and near-duplicates, the batch sets and assignments, or prioritized review's
set-up; only QC and admins see the QC batches. An
assigned-only reviewer's document list and searches hold only their batches' documents (core does that).
Until a shared case's role has been read (off the GUI thread), the window offers what a reviewer may do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel

from reviewer.core.team.access import Access

if TYPE_CHECKING:
    from reviewer.ui.main_window import MainWindow

ROLE_NAMES = {"admin": "admin", "reviewer": "reviewer", "qc": "QC reviewer"}


def least(window: MainWindow) -> Access:
    """What the window assumes before it knows: a case folder's user is its admin; a shared case's member
    a reviewer, until their role is read."""
    case = window.case
    return Access(case.user, "reviewer" if case.shared else "admin")


def show_role(window: MainWindow, who: Access) -> None:
    admin = who.holds("admin")
    for action in (window.add_documents_action, window.import_action, window.produce_action,
                   window.analyze_action):
        action.setVisible(admin)
        action.setEnabled(admin)
    window.batches_pane.show_role(admin=admin, qc=who.holds("qc"))
    window.prioritize.save.setVisible(admin)
    window.role_label.setText(role_text(window, who))


def role_text(window: MainWindow, who: Access) -> str:
    if not window.case.shared:
        return ""
    if who.role is None:
        return f"{who.login}: not a member of this case"
    limited = " · assigned batches only" if who.assigned_only else ""
    return f"{who.login}: {ROLE_NAMES[who.role]}{limited}"


def role_label() -> QLabel:
    label = QLabel()
    label.setObjectName("roleLabel")
    return label
