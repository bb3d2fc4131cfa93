"""The desktop's password question for a shared case's database server (core/team/server.py asks).

A case may be opened on a worker thread (the start screen opens cases off the GUI thread, and each search
thread opens its own); the dialog is always shown on the GUI thread, while the asking thread waits.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

from reviewer.core.team import server


class PasswordPrompt(QObject):
    # The question, and a list the answer is put into (passed as an object: a list would be copied).
    _asked = Signal(str, object)

    def __init__(self) -> None:
        super().__init__()
        self._asked.connect(self._ask, Qt.ConnectionType.BlockingQueuedConnection)

    def __call__(self, question: str) -> str | None:
        answer: list[str | None] = []
        if QThread.currentThread() is self.thread():
            self._ask(question, answer)
        else:
            self._asked.emit(question, answer)
        return answer[0] if answer else None

    @Slot(str, object)
    def _ask(self, question: str, answer: list[str | None]) -> None:
        text, accepted = QInputDialog.getText(QApplication.activeWindow(), "Shared case", question,
                                              QLineEdit.EchoMode.Password)
        answer.append(text if accepted else None)


def install(app: QApplication) -> None:
    """Ask for passwords with a dialog from now on (the prompt lives on the application's thread)."""
    prompt = PasswordPrompt()
    prompt.moveToThread(app.thread())
    prompt.setParent(app)
    server.set_password_prompt(prompt)
