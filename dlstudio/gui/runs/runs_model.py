"""The runs table: a model over ``Store.list_runs()`` rows and a filtering proxy.

Every cell's text and sort key are computed once per run (and again only when the run
changed), so painting, sorting and filtering thousands of runs only index Python lists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QPersistentModelIndex,
                            QSortFilterProxyModel, Qt)
from PySide6.QtGui import QColor

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.formatting import format_metric
from dlstudio.gui.common import run_format as fmt
from dlstudio.gui.runs import runs_cv

SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the key a cell sorts by: a number or lower text
RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 2
NO_NUMBER = -math.inf  # missing numbers sort below every real one
STATUS_COLORS = {"running": "#1565c0", "queued": "#616161", "stopped": "#8d6e00",
                 "diverged": "#c62828", "failed": "#c62828", "interrupted": "#e65100"}


@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[dict], str]
    sort_key: Callable[[dict], Any]
    numeric: bool = False
    tooltip: str = ""


def _section(run: dict, section: str, key: str) -> Any:
    return ((run.get("config") or {}).get(section) or {}).get(key)


def _summary(run: dict, key: str) -> Any:
    return (run.get("summary") or {}).get(key)


def _metric_column(header: str, key: str, tooltip: str) -> Column:
    return Column(
        header,
        lambda r: format_metric(_summary(r, "metric_name"), _summary(r, key), unit=True),
        lambda r: float(_summary(r, key)) if fmt.is_number(_summary(r, key)) else NO_NUMBER,
        numeric=True, tooltip=tooltip)


def _number_or_missing(value: Any) -> float:
    return float(value) if fmt.is_number(value) else NO_NUMBER


COLUMNS = [
    Column("ID", lambda r: str(r["id"]), lambda r: int(r["id"]), numeric=True),
    Column("Name", lambda r: r.get("name") or "", lambda r: (r.get("name") or "").lower()),
    Column("Status", lambda r: r.get("status") or "", lambda r: r.get("status") or ""),
    Column("Dataset", lambda r: _section(r, "data", "name") or "",
           lambda r: _section(r, "data", "name") or ""),
    Column("Model", lambda r: _section(r, "model", "name") or "",
           lambda r: _section(r, "model", "name") or ""),
    Column("Optimizer", lambda r: _section(r, "optim", "name") or "",
           lambda r: _section(r, "optim", "name") or ""),
    Column("LR", lambda r: fmt.format_lr(_section(r, "optim", "lr")),
           lambda r: _number_or_missing(_section(r, "optim", "lr")), numeric=True,
           tooltip="Learning rate set in the config"),
    _metric_column("Best dev", "best_dev_metric",
                   "Best dev-set metric over the epochs (accuracy in %, or RMSE: lower is "
                   "better)"),
    _metric_column("Train", "train_metric", "Train-set metric at the end of the run"),
    _metric_column("Dev", "dev_metric", "Dev-set metric at the end of the run"),
    Column("CV dev (mean ± sd)", runs_cv.cv_text, lambda r: runs_cv.cv_sort_key(r, NO_NUMBER),
           numeric=True, tooltip="For the folds of a cross-validation group (tag cv-N): the "
           "dev metric's mean ± standard deviation over the group's finished folds, on "
           "every fold's row. Hover a cell for train and test."),
    Column("Duration", lambda r: fmt.format_duration(fmt.run_duration(r)),
           lambda r: _number_or_missing(fmt.run_duration(r)), numeric=True,
           tooltip="Wall-clock training time"),
    Column("Created", lambda r: fmt.format_time(r.get("created")),
           lambda r: _number_or_missing(fmt.to_timestamp(r.get("created"))), numeric=True,
           tooltip="Local time the run was created"),
    Column("Tags", lambda r: ", ".join(r.get("tags") or []),
           lambda r: ", ".join(r.get("tags") or []).lower()),
]
COLUMN_INDEX = {column.header: i for i, column in enumerate(COLUMNS)}
STATUS_COLUMN = COLUMN_INDEX["Status"]
CV_COLUMN = COLUMN_INDEX["CV dev (mean ± sd)"]


@dataclass
class _Row:
    run: dict
    texts: list[str]
    sort_keys: list[Any]
    haystack: str

    @classmethod
    def of(cls, run: dict) -> _Row:
        texts = [c.text(run) for c in COLUMNS]
        haystack = " ".join([*texts, run.get("notes") or ""]).lower()
        return cls(run, texts, [c.sort_key(run) for c in COLUMNS], haystack)


class RunsTableModel(QAbstractTableModel):
    """One row per run dict; sorts itself on the cached sort keys (a Python sort of
    thousands of rows takes milliseconds, a proxy calling ``data()`` per comparison
    takes a noticeable fraction of a second).

    ``set_runs`` updates in place when no run disappeared: unchanged rows keep their
    cells, changed rows report ``dataChanged`` and new runs are inserted, so views keep
    their selection. A deleted run resets the model.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    def set_runs(self, runs: list[dict]) -> bool:
        """Show these runs; returns True when the model had to reset."""
        by_id = {run["id"]: run for run in runs}
        if not {row.run["id"] for row in self._rows} <= by_id.keys():
            self.beginResetModel()
            self._rows = self._sorted([_Row.of(run) for run in runs])
            self.endResetModel()
            return True
        for index, row in enumerate(self._rows):
            run = by_id.pop(row.run["id"])
            if run != row.run:
                self._rows[index] = _Row.of(run)
                self.dataChanged.emit(self.index(index, 0), self.index(index, len(COLUMNS) - 1))
        if by_id:  # new runs
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(by_id) - 1)
            self._rows += [_Row.of(run) for run in by_id.values()]
            self.endInsertRows()
        self._apply_sort()
        return False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        self._apply_sort()

    def _sorted(self, rows: list[_Row]) -> list[_Row]:
        column = self._sort_column
        if column < 0:
            return rows
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        return sorted(rows, key=lambda row: (row.sort_keys[column], row.run["id"]),
                      reverse=descending)

    def _apply_sort(self) -> None:
        rows = self._sorted(self._rows)
        if all(new is old for new, old in zip(rows, self._rows)):
            return
        self.layoutAboutToBeChanged.emit()
        new_row = {id(row): index for index, row in enumerate(rows)}
        old_rows, self._rows = self._rows, rows
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(persistent, [
            self.index(new_row[id(old_rows[index.row()])], index.column())
            for index in persistent])
        self.layoutChanged.emit()

    def run_at(self, row: int) -> dict:
        return self._rows[row].run

    def runs(self) -> list[dict]:
        return [row.run for row in self._rows]

    def haystack(self, row: int) -> str:
        """Lower-case text a filter searches: every cell plus the notes."""
        return self._rows[row].haystack

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == SORT_ROLE:
            return row.sort_keys[column]
        if role == RUN_ID_ROLE:
            return row.run["id"]
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[column].numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS_COLUMN:
            color = STATUS_COLORS.get(row.run.get("status"))
            return QColor(color) if color else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == CV_COLUMN and runs_cv.cv_summary(row.run) is not None:
                return runs_cv.cv_tooltip(row.run)
            return self._tooltip(row.run)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section].tooltip or None
        return None

    @staticmethod
    def _tooltip(run: dict) -> str | None:
        lines = [fmt.run_label(run)]
        if run.get("notes"):
            lines.append(f"Notes: {run['notes']}")
        error = run.get("error")
        if error:
            lines.append(f"Error: {str(error).strip().splitlines()[-1]}")
        return "\n".join(lines)


class RunsFilterProxyModel(QSortFilterProxyModel):
    """Filters by free text (every word in some cell or the notes), by status and by
    tag. Sorting is passed to the source model, which sorts numbers as numbers."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._text = ""
        self._status: str | None = None
        self._tag: str | None = None
        self.setDynamicSortFilter(True)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)  # the proxy keeps the source's order

    def set_text(self, text: str) -> None:
        self._change_filter("_text", text.strip().lower())

    def set_status(self, status: str | None) -> None:
        self._change_filter("_status", status or None)

    def set_tag(self, tag: str | None) -> None:
        self._change_filter("_tag", tag or None)

    def is_filtering(self) -> bool:
        return bool(self._text or self._status or self._tag)

    def _change_filter(self, attribute: str, value: Any) -> None:
        if getattr(self, attribute) == value:
            return
        self.beginFilterChange()
        setattr(self, attribute, value)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:  # noqa: N802
        model: RunsTableModel = self.sourceModel()
        run = model.run_at(source_row)
        if self._status and run.get("status") != self._status:
            return False
        if self._tag and self._tag not in (run.get("tags") or []):
            return False
        if self._text:
            return all(word in model.haystack(source_row) for word in self._text.split())
        return True
