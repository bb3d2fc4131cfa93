"""The Browse pane: tags, custodians, file types, saved searches and dates, each with its document count
within the current search; clicking one narrows the document list to it (clicking it again lets go)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.browse import UNDATED, BrowseFilter, Facets
from reviewer.ui.icons import color_swatch, icon
from reviewer.ui.widgets.date_histogram import DateHistogram

FACET_ROLE = Qt.ItemDataRole.UserRole + 1
VALUE_ROLE = Qt.ItemDataRole.UserRole + 2

SECTIONS = (("tag_id", "Tags", "tag"), ("custodian", "Custodians", "custodian"),
            ("kind", "File types", "file-type"), ("saved", "Saved searches", "saved-search"))


class BrowsePane(QWidget):
    filterChanged = Signal(object)  # BrowseFilter
    savedSearchChosen = Signal(str)  # the saved query

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("browsePane")
        self._filter = BrowseFilter()
        self.tree = QTreeWidget()
        self.tree.setObjectName("facets")
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemClicked.connect(self._clicked)
        self._sections: dict[str, QTreeWidgetItem] = {}
        for facet, title, icon_name in SECTIONS:
            section = QTreeWidgetItem([title, ""])
            section.setIcon(0, icon(icon_name))
            section.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = section.font(0)
            font.setWeight(QFont.Weight.DemiBold)
            section.setFont(0, font)
            self.tree.addTopLevelItem(section)
            section.setExpanded(True)
            self._sections[facet] = section

        self.dates = DateHistogram()
        self.dates.periodClicked.connect(lambda period: self._toggle("period", period))
        self.undated = QPushButton()
        self.undated.setFlat(True)
        self.undated.clicked.connect(lambda: self._toggle("period", UNDATED))
        self.clear = QPushButton(icon("clear"), "Clear filters")
        self.clear.setObjectName("clearFilters")
        self.clear.clicked.connect(lambda: self.set_filter(BrowseFilter(), emit=True))

        dates_heading = QHBoxLayout()
        heading = QLabel("Dates")
        heading.setObjectName("paneHeading")
        dates_heading.addWidget(heading)
        dates_heading.addStretch(1)
        dates_heading.addWidget(self.undated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tree, 1)
        layout.addLayout(dates_heading)
        layout.addWidget(self.dates)
        layout.addWidget(self.clear)
        self._refresh_filter_marks()

    @property
    def current_filter(self) -> BrowseFilter:
        return self._filter

    def section(self, facet: str) -> QTreeWidgetItem:
        """The tree item holding one facet's values: "tag_id", "custodian", "kind" or "saved"."""
        return self._sections[facet]

    def set_filter(self, browse: BrowseFilter, emit: bool = False) -> None:
        self._filter = browse
        self._refresh_filter_marks()
        if emit:
            self.filterChanged.emit(browse)

    def show_facets(self, facets: Facets, saved: list[tuple[str, str, int | None]]) -> None:
        """Counts for the current search; `saved` is (name, query, hits or None when it did not run)."""
        self._fill("tag_id", [(t.id, t.name, t.count, t.color) for t in facets.tags])
        self._fill("custodian", [(name, name or "(none)", n, None) for name, n in facets.custodians])
        self._fill("kind", [(kind, kind or "(unknown)", n, None) for kind, n in facets.kinds])
        self._fill("saved", [(query, name, n, None) for name, query, n in saved])
        self.dates.set_months(facets.months, self._filter.period)
        undated = dict(facets.months).get(UNDATED, 0)
        self.undated.setText(f"{undated:,} undated")
        self.undated.setVisible(bool(undated))
        self._refresh_filter_marks()

    def _fill(self, facet: str, entries: list[tuple[object, str, int | None, str | None]]) -> None:
        section = self._sections[facet]
        section.takeChildren()
        for value, label, count, color in entries:
            item = QTreeWidgetItem([label, "" if count is None else f"{count:,}"])
            item.setData(0, FACET_ROLE, facet)
            item.setData(0, VALUE_ROLE, value)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(0, str(value) if facet == "saved" else label)
            if color:
                item.setIcon(0, color_swatch(color))
            section.addChild(item)
        section.setText(1, "")
        section.setHidden(facet == "saved" and not entries)

    def _clicked(self, item: QTreeWidgetItem) -> None:
        facet = item.data(0, FACET_ROLE)
        if facet is None:
            return
        value = item.data(0, VALUE_ROLE)
        if facet == "saved":
            self.savedSearchChosen.emit(value)
        else:
            self._toggle(facet, value)

    def _toggle(self, facet: str, value: object) -> None:
        current = getattr(self._filter, facet)
        self.set_filter(replace(self._filter, **{facet: None if current == value else value}), emit=True)  # type: ignore[arg-type]  # facet names a field

    def _refresh_filter_marks(self) -> None:
        highlight = self.palette().highlight()
        for facet, section in self._sections.items():
            chosen = getattr(self._filter, facet, None)
            for index in range(section.childCount()):
                item = section.child(index)
                assert item is not None
                active = chosen is not None and item.data(0, VALUE_ROLE) == chosen
                font = item.font(0)
                font.setWeight(QFont.Weight.DemiBold if active else QFont.Weight.Normal)
                item.setFont(0, font)
                item.setForeground(0, highlight if active else QBrush())
        self.dates.set_selected(self._filter.period)
        self.clear.setVisible(self._filter.active)
