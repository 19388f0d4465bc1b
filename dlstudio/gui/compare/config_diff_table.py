"""Side-by-side configs of the compared runs, the differing settings highlighted."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from dlstudio.gui.compare.config_diff import MISSING, differing_keys

HIGHLIGHT = QColor(255, 193, 7, 90)  # amber, readable under dark and light text


def format_value(value: Any) -> str:
    if value is MISSING:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return "" if value is None else str(value)


def _swatch(color: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(color)
    return QIcon(pixmap)


class ConfigDiffTable(QWidget):
    """One row per setting (dotted key), one column per run."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.only_differences = QCheckBox("Show only differences")
        self.only_differences.setChecked(True)
        self.summary_label = QLabel()
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.keys: list[str] = []
        self.differing: list[str] = []
        header = QHBoxLayout()
        header.addWidget(QLabel("<b>Configs</b>"))
        header.addWidget(self.summary_label, 1)
        header.addWidget(self.only_differences)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)
        self.only_differences.toggled.connect(self._on_only_differences_toggled)

    def set_configs(self, labels: list[str], colors: list[QColor],
                    configs: list[dict[str, Any]]) -> None:
        """Show flat configs (``{"optim.lr": 0.01, ...}``), one per run label."""
        self.keys = list(dict.fromkeys(key for config in configs for key in config))
        self.differing = differing_keys(configs)
        differs = set(self.differing)
        self.table.clear()
        self.table.setRowCount(len(self.keys))
        self.table.setColumnCount(len(labels))
        for column, (label, color) in enumerate(zip(labels, colors)):
            item = QTableWidgetItem(_swatch(color), label)
            self.table.setHorizontalHeaderItem(column, item)
        self.table.setVerticalHeaderLabels(self.keys)
        bold = QFont(self.table.font())
        bold.setBold(True)
        for row, key in enumerate(self.keys):
            for column, config in enumerate(configs):
                item = QTableWidgetItem(format_value(config.get(key, MISSING)))
                if key in differs:
                    item.setBackground(QBrush(HIGHLIGHT))
                    item.setFont(bold)
                self.table.setItem(row, column, item)
            if key in differs:
                self.table.verticalHeaderItem(row).setFont(bold)
        self._update_summary()
        self._apply_row_filter()
        self.table.resizeColumnsToContents()

    def visible_keys(self) -> list[str]:
        """The settings currently shown, top to bottom."""
        return [key for row, key in enumerate(self.keys) if not self.table.isRowHidden(row)]

    def _update_summary(self) -> None:
        if self.table.columnCount() < 2:
            self.summary_label.setText("")
        elif self.differing:
            self.summary_label.setText(f"{len(self.differing)} of {len(self.keys)} settings "
                                       "differ (highlighted)")
        else:
            self.summary_label.setText(f"all {len(self.keys)} settings are the same")

    def _apply_row_filter(self) -> None:
        only = self.only_differences.isChecked() and bool(self.differing)
        differs = set(self.differing)
        for row, key in enumerate(self.keys):
            self.table.setRowHidden(row, only and key not in differs)

    @Slot(bool)
    def _on_only_differences_toggled(self, _checked: bool) -> None:
        self._apply_row_filter()
