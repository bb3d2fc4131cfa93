"""Split a person: tick the addresses that belong to someone else; they become a new person (or one new
person each)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)


class SplitPersonDialog(QDialog):
    def __init__(self, name: str, addresses: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("splitPersonDialog")
        self.setWindowTitle(f"Split {name}")
        self.list = QListWidget()
        for address in addresses:
            item = QListWidgetItem(address)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.one_each = QCheckBox("A new person for each address ticked")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Split off")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemChanged.connect(lambda _item: self._enable())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Tick the addresses that are not {name}:"))
        layout.addWidget(self.list, 1)
        layout.addWidget(self.one_each)
        layout.addWidget(self.buttons)
        self._enable()

    def chosen(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())
                if self.list.item(row).checkState() == Qt.CheckState.Checked]

    def each(self) -> bool:
        return self.one_each.isChecked()

    def _enable(self) -> None:
        # Something must move, and someone must stay (unless each address becomes a person of its own).
        count = len(self.chosen())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(0 < count < self.list.count())
