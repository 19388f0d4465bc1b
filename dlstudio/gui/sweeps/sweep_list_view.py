"""The stored sweeps, newest first: pick one to see it, resume an unfinished one.

Rows come from ``sweep_summary`` dicts. ``sweep_picked`` fires when the user selects a
sweep; the panel decides what Resume and Cancel may do.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.sweeps.progress import format_score
from dlstudio.training.sweeps.setup import RESUMABLE_SWEEPS

HEADERS = ("ID", "Name", "Status", "Method", "Trials", "Best")
RESUMABLE = RESUMABLE_SWEEPS
STATUS_TIPS = {
    "paused": "Stopped: Resume continues where it stopped, nothing is trained twice",
    "running": "Running here, or left running by an app that closed or crashed: Resume "
               "continues it",
    "queued": "Created, not started yet",
    "cancelled": "Cancelled for good: it cannot be resumed",
}


class SweepListView(QTreeWidget):
    """One row per stored sweep; ``sweep_picked(sweep_id)`` on selection."""

    sweep_picked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setColumnCount(len(HEADERS))
        self.setHeaderLabels(HEADERS)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        for column, width in enumerate((36, 130, 70, 120, 48)):
            self.setColumnWidth(column, width)
        self.summaries: dict[int, dict[str, Any]] = {}
        self.itemSelectionChanged.connect(self._on_selection_changed)

    def set_sweeps(self, summaries: list[dict[str, Any]]) -> None:
        """Show these sweeps (newest first), keeping the selection."""
        selected = self.selected_id()
        self.blockSignals(True)
        self.clear()
        self.summaries = {s["sweep_id"]: s for s in summaries}
        for summary in summaries:
            self.addTopLevelItem(self._item(summary))
        self.blockSignals(False)
        if selected in self.summaries:
            self.select(selected)

    def update_sweep(self, summary: dict[str, Any]) -> None:
        """Refresh one sweep's row (added on top when it is new)."""
        sweep_id = summary["sweep_id"]
        self.summaries[sweep_id] = summary
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            if item.data(0, Qt.ItemDataRole.UserRole) == sweep_id:
                for column, text in enumerate(self._texts(summary)):
                    item.setText(column, text)
                return
        self.insertTopLevelItem(0, self._item(summary))

    def select(self, sweep_id: int, quietly: bool = False) -> None:
        """Select a sweep's row (``quietly``: without ``sweep_picked``)."""
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            if item.data(0, Qt.ItemDataRole.UserRole) == sweep_id:
                self.blockSignals(quietly)
                self.setCurrentItem(item)
                self.blockSignals(False)
                return

    def selected_id(self) -> int | None:
        items = self.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    # -- helpers -------------------------------------------------------------------
    def _item(self, summary: dict[str, Any]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self._texts(summary))
        item.setData(0, Qt.ItemDataRole.UserRole, summary["sweep_id"])
        item.setToolTip(2, STATUS_TIPS.get(summary["status"], ""))
        item.setToolTip(3, summary.get("description", ""))
        item.setToolTip(5, f"Best {summary.get('metric')} ({summary.get('goal')})")
        for column in (0, 4):
            item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
        return item

    @staticmethod
    def _texts(summary: dict[str, Any]) -> list[str]:
        best = summary.get("best")
        shown = f"{format_score(best['score'])}" if best else ""
        method = str(summary.get("method") or "").replace("_", " ")
        return [str(summary["sweep_id"]), summary["name"], summary["status"], method,
                str(summary.get("told", 0)), shown]

    @Slot()
    def _on_selection_changed(self) -> None:
        sweep_id = self.selected_id()
        if sweep_id is not None:
            self.sweep_picked.emit(int(sweep_id))
