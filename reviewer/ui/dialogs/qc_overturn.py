"""Overturning a reviewer's decision in QC: the document's coding as the reviewer left it, and the coding
QC decides on (every tag, the privilege basis and description), starting from how it is coded now. What
differs from now is applied, as one action, when the dialog is accepted."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.choices import PRIVILEGE_BASES
from reviewer.core.review import DocumentCoding
from reviewer.core.team.qc import PrivilegeChange, QcDocumentInfo, coding_text
from reviewer.ui.panes.coding_pane import NO_BASIS


class QcOverturnDialog(QDialog):
    def __init__(self, document: QcDocumentInfo, reviewer: str, tag_names: list[str], coding: DocumentCoding,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qcOverturnDialog")
        self.setWindowTitle(f"Overturn {document.control}")
        self._coding = coding
        drawn = QLabel(f"{reviewer} coded {document.control} as: {coding_text(document.coding)}")
        drawn.setWordWrap(True)
        self.tag_boxes: dict[str, QCheckBox] = {}
        tags_group = QGroupBox("Tags as QC decides")
        tags_layout = QVBoxLayout(tags_group)
        for name in tag_names:
            box = QCheckBox(name)
            box.setObjectName(f"overturnTag:{name}")
            box.setChecked(name in coding.tags)
            tags_layout.addWidget(box)
            self.tag_boxes[name] = box
        self.basis = QComboBox()
        self.basis.setObjectName("overturnBasis")
        self.basis.addItems([NO_BASIS, *PRIVILEGE_BASES])
        self.basis.setCurrentText(coding.privilege_basis or NO_BASIS)
        self.description = QLineEdit(coding.privilege_description)
        self.description.setObjectName("overturnDescription")
        privilege_group = QGroupBox("Privilege")
        privilege_form = QFormLayout(privilege_group)
        privilege_form.addRow("Basis", self.basis)
        privilege_form.addRow("Description", self.description)
        choice = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(choice.Ok | choice.Cancel)
        buttons.button(choice.Ok).setText("Overturn")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(drawn)
        layout.addWidget(tags_group)
        layout.addWidget(privilege_group)
        layout.addWidget(buttons)

    def changes(self) -> tuple[list[str], list[str], PrivilegeChange | None]:
        """The tags to add and to take off, and the new privilege entry (None: unchanged)."""
        now = set(self._coding.tags)
        add = [name for name, box in self.tag_boxes.items() if box.isChecked() and name not in now]
        remove = [name for name, box in self.tag_boxes.items() if not box.isChecked() and name in now]
        basis = "" if self.basis.currentText() == NO_BASIS else self.basis.currentText()
        description = self.description.text().strip() if basis else ""
        if (basis, description) == (self._coding.privilege_basis, self._coding.privilege_description):
            return add, remove, None
        return add, remove, PrivilegeChange(basis or None, description)
