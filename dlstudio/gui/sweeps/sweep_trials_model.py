"""The trials table of a sweep: one row per ``sweep_summary`` trial, sortable.

Columns: trial, run, status, bracket, rung, epochs, the sweep metric, then one per
searched parameter. Rows update in place as the sweep goes on (new trials are
inserted, changed ones report ``dataChanged``), so views keep selection and sorting.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QPersistentModelIndex,
                            QSortFilterProxyModel, Qt)
from PySide6.QtGui import QBrush, QColor

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.sweeps.progress import format_score, format_value, metric_label

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 2
FIXED_HEADERS = ("Trial", "Run", "Status", "Bracket", "Rung", "Epochs")
RUN_COLUMN = 1
STATUS_COLORS = {"running": "#1565c0", "queued": "#616161", "stopped": "#8d6e00",
                 "diverged": "#c62828", "failed": "#c62828", "interrupted": "#e65100"}
DIMMED = QColor(150, 150, 150)
MISSING = -math.inf


class SweepTrialsModel(QAbstractTableModel):
    """Trials of one sweep; ``set_trials`` replaces or updates them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._trials: list[dict[str, Any]] = []
        self._params: list[str] = []
        self._metric = "dev_loss"
        self._eliminated: set[int] = set()

    # -- filling -------------------------------------------------------------------
    def set_trials(self, trials: list[dict[str, Any]], params: list[str], metric: str,
                   eliminated: set[int] | None = None) -> None:
        """Show these trials (``sweep_summary(...)["trials"]``), ``params`` as columns."""
        eliminated = set(eliminated or ())
        same_shape = params == self._params and metric == self._metric and \
            [t["trial"] for t in trials[:len(self._trials)]] == \
            [t["trial"] for t in self._trials]
        if not same_shape:
            self.beginResetModel()
            self._trials, self._params, self._metric = list(trials), list(params), metric
            self._eliminated = eliminated
            self.endResetModel()
            return
        old = self._trials
        changed = [i for i, trial in enumerate(trials[:len(old)])
                   if trial != old[i] or ((trial["trial"] in eliminated)
                                          != (trial["trial"] in self._eliminated))]
        self._eliminated = eliminated
        self._trials = list(trials[:len(old)])
        for row in changed:
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        if len(trials) > len(old):
            self.beginInsertRows(QModelIndex(), len(old), len(trials) - 1)
            self._trials = list(trials)
            self.endInsertRows()

    def trial_at(self, row: int) -> dict[str, Any]:
        return self._trials[row]

    @property
    def headers(self) -> list[str]:
        return [*FIXED_HEADERS, metric_label(self._metric), *self._params]

    # -- QAbstractTableModel -------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._trials)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(FIXED_HEADERS) + 1 + len(self._params)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == RUN_COLUMN:
            return "Click a run id to open the run"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        trial = self._trials[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(trial, column)
        if role == SORT_ROLE:
            return self._sort_key(trial, column)
        if role == RUN_ID_ROLE:
            return trial["run_id"]
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(trial, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column != 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(trial)
        return None

    # -- cells ---------------------------------------------------------------------
    def _cell(self, trial: dict[str, Any], column: int) -> Any:
        fixed = (trial["trial"], trial["run_id"], trial["status"], trial["bracket"],
                 trial["rung"], trial["epochs"], trial["score"])
        if column < len(fixed):
            return fixed[column]
        return trial["config"].get(self._params[column - len(fixed)])

    def _text(self, trial: dict[str, Any], column: int) -> str:
        value = self._cell(trial, column)
        if column == RUN_COLUMN:
            return "" if value is None else f"#{value}"
        if column == 2 and trial["trial"] in self._eliminated:
            return "eliminated"
        if column == 2 and trial.get("outcome") == "promoted":
            return "promoted"
        if column == len(FIXED_HEADERS):
            return format_score(value) if value is not None else ""
        return format_value(value)

    def _sort_key(self, trial: dict[str, Any], column: int) -> Any:
        if column == 2:
            return self._text(trial, column)
        value = self._cell(trial, column)
        if isinstance(value, bool) or value is None:
            return MISSING if column != 2 else ""
        if isinstance(value, (int, float)):
            return float(value)
        return format_value(value).lower()

    def _foreground(self, trial: dict[str, Any], column: int) -> Any:
        if trial["trial"] in self._eliminated:
            return QBrush(DIMMED)
        if column == RUN_COLUMN:
            return QBrush(QColor("#1565c0"))
        color = STATUS_COLORS.get(trial["status"]) if column == 2 else None
        return QBrush(QColor(color)) if color else None

    def _tooltip(self, trial: dict[str, Any]) -> str:
        lines = [f"{key} = {format_value(value)}" for key, value in trial["config"].items()]
        if trial["trial"] in self._eliminated:
            lines.insert(0, f"{trial['status']}, not promoted to the next rung")
        if trial.get("start_epoch"):
            lines.append(f"continues from epoch {trial['start_epoch']} (promoted)")
        if trial["run_id"] is not None:
            lines.append("Click the run id (or double-click the row) to open the run")
        return "\n".join(lines)


class SweepTrialsProxy(QSortFilterProxyModel):
    """Sorts on the model's sort keys (numbers as numbers, missing values last)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if type(a) is not type(b):
            return str(type(a)) < str(type(b))
        return a < b
