"""The runs tab's widgets and where they sit; ``RunsPanel`` adds the behaviour."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSplitter, QStackedWidget, QTreeView, QVBoxLayout,
                               QWidget)

from dlstudio.gui.common.panel import Panel
from dlstudio.gui.runs.column_widths import ColumnSizing, fit_columns
from dlstudio.gui.runs.details_pane import DetailsPane
from dlstudio.gui.runs.run_details_view import RunDetailsView
from dlstudio.gui.runs.runs_model import COLUMN_INDEX
from dlstudio.gui.runs.runs_tree_model import RunsTreeModel
from dlstudio.gui.runs.tree_state import TreeStateKeeper
from dlstudio.store import RUN_STATUSES

EMPTY_TEXT = ("<h3>No runs yet</h3><p>Train one from the <b>New run</b> tab, or from a "
              "terminal with <code>dlstudio train</code>.<br>Every run is kept here with "
              "its config, curves and results.</p>")
NO_MATCH_TEXT = "<h3>No run matches the filters</h3><p>Clear the search box, status or tag.</p>"
ALL_STATUSES, ALL_TAGS = "All statuses", "All tags"
NO_FILTER = ""  # the "all" items' data: not None, which PySide6 6.12 returns unowned



class RunsPanelLayout(Panel):
    """The filters, the runs table with its model and proxy and the details pane beside
    it (``details_pane``), and the buttons."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(context, parent)
        # One model filters, groups and sorts (runs_tree_model); "proxy" is what the
        # view shows, kept as a name for the callers of the flat table's proxy.
        self.model = self.proxy = RunsTreeModel(self)
        self._build()

    def _build(self) -> None:
        self.search = QLineEdit(placeholderText="Filter: name, dataset, model, tag, notes…")
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.addItem(ALL_STATUSES, NO_FILTER)
        for status in RUN_STATUSES:
            self.status_filter.addItem(status, status)
        self.tag_filter = QComboBox()
        self.tag_filter.addItem(ALL_TAGS, NO_FILTER)
        self.tag_filter.setMinimumContentsLength(10)
        self.table = self._make_table()
        self.column_sizing = ColumnSizing(self.table)
        self.tree_state = TreeStateKeeper(self.table, self.model)
        self.empty_label = QLabel(EMPTY_TEXT, alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty_label)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)  # its hint never widens a small window
        self.details = RunDetailsView(self.context.store)
        self.details_button = QPushButton("Details", checkable=True)
        self.details_button.setToolTip("Show the current run's details beside the table: "
                                       "config, summary, where it came from, resources, files")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.pages)
        self.splitter.addWidget(self.details)
        self.details_pane = DetailsPane(self.splitter, self.details_button,
                                        self.context.settings)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.tag_filter)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(self._make_buttons())

    def _make_table(self) -> QTreeView:
        table = QTreeView()
        table.setUniformRowHeights(True)  # 10,000 rows: no per-row size queries
        table.setAllColumnsShowFocus(True)
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.header().setStretchLastSection(True)
        table.header().setSectionsMovable(True)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        return table

    def _make_buttons(self) -> QHBoxLayout:
        self.open_button = QPushButton("Open")
        self.compare_button = QPushButton("Compare selected")
        self.run_again_button = QPushButton("Run again with changes…")
        self.resume_button = QPushButton("Resume")
        self.rename_button = QPushButton("Rename…")
        self.tags_button = QPushButton("Tags…")
        self.notes_button = QPushButton("Notes…")
        self.delete_button = QPushButton("Delete…")
        self.open_button.setToolTip("Show this run's curves and results (double-click a row)")
        self.compare_button.setToolTip("Overlay the curves and diff the configs of the "
                                       "selected runs (Ctrl+click to select several)")
        self.run_again_button.setToolTip("Load this run's config into the New run form")
        self.tags_button.setToolTip("Edit the tags of the selected runs, comma-separated")
        row = QHBoxLayout()
        for button in (self.open_button, self.compare_button, self.run_again_button,
                       self.resume_button):
            row.addWidget(button)
        row.addSpacing(12)
        row.addWidget(self.count_label, 1)
        for button in (self.rename_button, self.tags_button, self.notes_button,
                       self.delete_button):
            row.addWidget(button)
        return row

    def _fit_columns(self) -> None:
        header = self.table.header()
        fit_columns(self.table)
        # Column 0 also holds the tree's indentation for a group's runs.
        header.resizeSection(0, max(header.sectionSize(0), self.table.indentation() + 48))
        name = COLUMN_INDEX["Name"]
        header.resizeSection(name, min(max(header.sectionSize(name), 160), 320))

    def _update_tag_choices(self, records: list[dict]) -> None:
        chosen = self.tag_filter.currentData()
        tags = sorted({tag for run in records for tag in run.get("tags") or []}, key=str.lower)
        self.tag_filter.blockSignals(True)
        self.tag_filter.clear()
        self.tag_filter.addItem(ALL_TAGS, NO_FILTER)
        for tag in tags:
            self.tag_filter.addItem(tag, tag)
        self.tag_filter.setCurrentIndex(max(0, self.tag_filter.findData(chosen)))
        self.tag_filter.blockSignals(False)
        self.proxy.set_tag(self.tag_filter.currentData())
