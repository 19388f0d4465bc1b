"""The Runs tab's details pane: everything recorded about one run, selectable and
copyable, with its folder one click away.

It reads the run by id through the store (``run_record.with_details``: the row, its
files, its sampled CPU / GPU use) each time ``reload`` is called, and rebuilds the tree
only when something changed, keeping the sections the user folded and the scroll
position: a live run's pane can be reloaded on every database change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from PySide6.QtCore import QRect, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QDesktopServices, QFont, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHBoxLayout, QLabel,
                               QPushButton, QStyledItemDelegate, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.errors import ConfigError
from dlstudio.gui.common import run_format as fmt
from dlstudio.gui.runs.run_details_sections import Row, details_sections
from dlstudio.run_record import with_details

NO_RUN_TEXT = "Select a run to see its details."
RAW_ROLE = Qt.ItemDataRole.UserRole  # the value as recorded: what Copy gives
# A zero-width space every 12 characters of a long token (a commit, a SHA-256) lets the
# value wrap in a narrow pane instead of being elided; it is never copied.
_LONG_TOKEN = re.compile(r"([^\s/]{12})(?=[^\s/])")


class RunDetailsView(QWidget):
    """Shows the run ``show_run`` names; ``open_url`` opens its folder (tests may
    replace it with a recorder)."""

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.open_url = QDesktopServices.openUrl
        self.run_id: int | None = None
        self.details: dict | None = None
        self._shown_json = ""
        self._stale = False
        self._build()
        self._rebuild()

    def _build(self) -> None:
        self.title = QLabel(NO_RUN_TEXT)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Field", "Value"])
        self.tree.setColumnCount(2)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.header().resizeSection(0, 150)
        self.tree.header().setStretchLastSection(True)
        self.tree.setItemDelegate(_WrappingDelegate(self.tree))
        self.tree.header().sectionResized.connect(self._on_column_resized)
        copy = QAction("Copy", self.tree, shortcut=QKeySequence.StandardKey.Copy,
                       shortcutContext=Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        self.tree.addAction(copy)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.open_folder_button = QPushButton("Open folder")
        self.open_folder_button.setToolTip("Open the run's folder (checkpoints, artifacts) "
                                           "in the file manager")
        self.copy_json_button = QPushButton("Copy as JSON")
        self.copy_json_button.setToolTip("Copy everything shown here as JSON (what "
                                         "dlstudio show --json prints)")
        self.open_folder_button.clicked.connect(self._on_open_folder_clicked)
        self.copy_json_button.clicked.connect(self._on_copy_json_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_folder_button)
        buttons.addWidget(self.copy_json_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)

    # -- public ------------------------------------------------------------------------
    def show_run(self, run_id: int | None) -> None:
        """Show run ``run_id`` (None: no run); nothing is read when it is already shown."""
        if run_id != self.run_id:
            self.run_id = run_id
            self.reload()
            self._fit_label_column()

    @Slot()
    def reload(self) -> None:
        """Re-read the shown run; rebuild the tree only when something changed. While
        the pane is hidden the read waits until it is shown again."""
        if self.isHidden():
            self._stale = True
            return
        self._stale = False
        self.details = self._read()
        shown = json.dumps(self.details, sort_keys=True, default=str)
        if shown != self._shown_json:
            self._shown_json = shown
            self._rebuild()

    def folder(self) -> Path | None:
        """The shown run's folder, when it exists."""
        folder = (self.details or {}).get("checkpoint_dir")
        return Path(folder) if folder and Path(folder).is_dir() else None

    def text(self) -> str:
        """Every row as ``label: value`` lines, sections first (what Copy gives)."""
        root = self.tree.invisibleRootItem()
        return "\n".join(_item_lines(root.child(i), 0) for i in range(root.childCount()))

    @Slot()
    def copy_selection(self) -> None:
        """Copy the selected rows (or every row when none is selected) as text."""
        items = self.tree.selectedItems()
        text = ("\n".join(f"{item.text(0)}: {_raw(item)}" for item in items) if items
                else self.text())
        QApplication.clipboard().setText(text)

    # -- helpers -----------------------------------------------------------------------
    def _read(self) -> dict | None:
        if self.run_id is None:
            return None
        try:
            return with_details(self.store, self.store.get_run(self.run_id))
        except ConfigError:  # deleted meanwhile (another process, the command line)
            return None

    def _rebuild(self) -> None:
        folded = {self._section_name(self.tree.topLevelItem(i))
                  for i in range(self.tree.topLevelItemCount())
                  if not self.tree.topLevelItem(i).isExpanded()}
        scroll = self.tree.verticalScrollBar().value()
        self.tree.clear()
        run = self.details
        if run is None:
            self.title.setText(NO_RUN_TEXT if self.run_id is None
                               else f"Run #{self.run_id} no longer exists.")
        else:
            self.title.setText(f"<b>{_escaped(fmt.run_label(run))}</b> · {run['status']}")
            bold = QFont(self.tree.font())
            bold.setBold(True)
            for section in details_sections(run):
                item = QTreeWidgetItem(self.tree, [section.title])
                item.setFont(0, bold)
                item.setFirstColumnSpanned(True)
                _add_rows(item, section.rows)
                item.setExpanded(self._section_name(item) not in folded)
        self.tree.verticalScrollBar().setValue(scroll)
        self.open_folder_button.setEnabled(self.folder() is not None)
        self.copy_json_button.setEnabled(run is not None)

    def _fit_label_column(self) -> None:
        # Labels (config keys) do not wrap: as wide as the widest, up to 2/5 of the pane.
        metrics, indent = self.tree.fontMetrics(), self.tree.indentation()
        widest = max((metrics.horizontalAdvance(item.text(0)) + indent * depth
                      for item, depth in _items(self.tree)), default=0)
        limit = max(150, self.tree.viewport().width() * 2 // 5)
        self.tree.setColumnWidth(0, min(limit, max(150, widest + indent + 12)))

    @staticmethod
    def _section_name(item: QTreeWidgetItem) -> str:
        return item.text(0).split(" (")[0]  # "Files (3)" and "Files (4)" fold alike

    def showEvent(self, event) -> None:  # noqa: N802  (Qt's name)
        super().showEvent(event)
        if self._stale:
            self.reload()

    @Slot()
    def _on_column_resized(self) -> None:
        self.tree.doItemsLayout()  # row heights follow the wrapped text's new width

    @Slot()
    def _on_open_folder_clicked(self) -> None:
        folder = self.folder()
        if folder is not None:
            self.open_url(QUrl.fromLocalFile(str(folder)))

    @Slot()
    def _on_copy_json_clicked(self) -> None:
        if self.details is not None:
            QApplication.clipboard().setText(json.dumps(self.details, indent=2, default=str))


class _WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their wrapped text: a view asks ``sizeHint`` without a width, so
    the width given is the column's (less the indentation of the first column)."""

    def sizeHint(self, option, index):  # noqa: N802  (Qt's name)
        tree = self.parent()
        width = tree.header().sectionSize(index.column())
        if index.column() == 0:
            depth, parent = 1, index.parent()
            while parent.isValid():
                depth, parent = depth + 1, parent.parent()
            width -= depth * tree.indentation()
        option.rect = QRect(0, 0, max(40, width), 1)
        return super().sizeHint(option, index)


def _add_rows(parent: QTreeWidgetItem, rows: tuple[Row, ...]) -> None:
    for row in rows:
        item = QTreeWidgetItem(parent, [row.label, _LONG_TOKEN.sub("\\1\u200b", row.text)])
        item.setData(1, RAW_ROLE, row.text)
        item.setToolTip(0, row.label)
        item.setToolTip(1, row.text)
        _add_rows(item, row.children)
        item.setExpanded(row.label != "Error" and len(row.children) <= 12)


def _items(tree: QTreeWidget):
    stack = [(tree.topLevelItem(i), 1) for i in range(tree.topLevelItemCount())]
    while stack:
        item, depth = stack.pop()
        yield item, depth
        stack += [(item.child(i), depth + 1) for i in range(item.childCount())]


def _item_lines(item: QTreeWidgetItem, depth: int) -> str:
    text = "  " * depth + item.text(0) + (f": {_raw(item)}" if _raw(item) else "")
    return "\n".join([text, *(_item_lines(item.child(i), depth + 1)
                              for i in range(item.childCount()))])


def _raw(item: QTreeWidgetItem) -> str:
    return item.data(1, RAW_ROLE) or ""


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
