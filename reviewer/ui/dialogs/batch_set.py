"""Making a batch set in the desktop: the search whose documents are batched (the current one to start
with), the set's name and batch prefix, the batch size, whether families and email threads stay whole, the
order of review, and the tags that mark a document reviewed (none: any tag does)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.choices import BATCH_ORDERS, BatchOrder
from reviewer.core.team.batch_sets import MAX_BATCH_SIZE

DEFAULT_SIZE = 100


@dataclass(frozen=True)
class BatchSetChoices:
    name: str
    query: str
    size: int
    prefix: str | None  # None: made from the name
    families: bool
    threads: bool
    order: BatchOrder
    review_tags: list[str]


class BatchSetDialog(QDialog):
    def __init__(self, query: str, tag_names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchSetDialog")
        self.setWindowTitle("New batch set")
        self.name = QLineEdit()
        self.name.setObjectName("batchSetName")
        self.name.setPlaceholderText("e.g. Privilege review")
        self.query = QLineEdit(query)
        self.query.setObjectName("batchSetQuery")
        self.query.setPlaceholderText("empty: every document")
        self.batch_size = QSpinBox()
        self.batch_size.setObjectName("batchSetSize")
        self.batch_size.setRange(1, MAX_BATCH_SIZE)
        self.batch_size.setValue(DEFAULT_SIZE)
        self.prefix = QLineEdit()
        self.prefix.setObjectName("batchSetPrefix")
        self.prefix.setPlaceholderText("from the name, e.g. PRIVILEGE-REVIEW")
        self.families = QCheckBox("Keep families together (add every attachment and parent)")
        self.families.setObjectName("batchSetFamilies")
        self.families.setChecked(True)
        self.threads = QCheckBox("Keep email threads together (add every message of each conversation)")
        self.threads.setObjectName("batchSetThreads")
        self.order = QComboBox()
        self.order.setObjectName("batchSetOrder")
        self.order.addItems(list(BATCH_ORDERS))
        self.review_tags = QListWidget()
        self.review_tags.setObjectName("batchSetReviewTags")
        for tag_name in tag_names:
            item = QListWidgetItem(tag_name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.review_tags.addItem(item)
        hint = QLabel("A document counts as reviewed once it has one of the ticked tags; with none ticked, "
                      "any tag.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Documents found by", self.query)
        form.addRow("Documents per batch", self.batch_size)
        form.addRow("Batch names", self.prefix)
        form.addRow("", self.families)
        form.addRow("", self.threads)
        form.addRow("Order of review", self.order)
        form.addRow("Reviewed when tagged", self.review_tags)
        form.addRow("", hint)
        choice = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(choice.Ok | choice.Cancel)
        self.ok = buttons.button(choice.Ok)
        self.ok.setText("Make batches")
        self.ok.setEnabled(False)
        self.name.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def choices(self) -> BatchSetChoices:
        ticked = [self.review_tags.item(row) for row in range(self.review_tags.count())]
        order: BatchOrder = next(o for o in BATCH_ORDERS if o == self.order.currentText())
        return BatchSetChoices(
            name=self.name.text().strip(), query=self.query.text().strip(), size=self.batch_size.value(),
            prefix=self.prefix.text().strip() or None, families=self.families.isChecked(),
            threads=self.threads.isChecked(), order=order,
            review_tags=[item.text() for item in ticked if item.checkState() == Qt.CheckState.Checked],
        )
