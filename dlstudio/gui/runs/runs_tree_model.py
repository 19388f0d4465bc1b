"""The runs table as a tree: runs alone or in groups (a sweep, a tag, a config value).

The model filters, groups and sorts itself from cached cells: every run's texts and
sort keys are computed once (again only when the run changed or a key column is
added), so re-filtering 10,000 runs is a pass over Python lists and one model reset
(``benchmarks/runs_table.py``). A proxy model over a tree would call ``data()`` per
comparison, which costs seconds at that size. Groups list their runs best first; the
chosen column sorts the top level (a group by its best run).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.runs.key_columns import KeyColumn, key_column
from dlstudio.gui.runs.run_grouping import GROUP_SWEEP, Group, group_items
from dlstudio.gui.runs.run_row import RunRow
from dlstudio.gui.runs.runs_cells import group_data, run_data
from dlstudio.gui.runs.runs_model import COLUMN_INDEX, COLUMNS, ROLES, Column

ID_COLUMN = COLUMN_INDEX["ID"]


class RunsTreeModel(QAbstractItemModel):
    """Runs, filtered (text, status, tag, run-query ids), grouped and sorted."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: dict[int, RunRow] = {}
        self.extra_columns: list[KeyColumn] = []
        self._columns: list[Column | KeyColumn] = list(COLUMNS)
        self._groups: list[Group] = []
        self._group_rows: list[tuple[int, str]] = []
        self._mode = GROUP_SWEEP
        self._sweep_names: dict[int, str] = {}
        self._filters: dict[str, Any] = {"text": "", "status": None, "tag": None,
                                         "query_ids": None}
        self._sort_column, self._descending = -1, False

    # -- inputs ----------------------------------------------------------------------
    def set_runs(self, records: list[dict], sweep_names: dict[int, str] | None = None) -> None:
        """Show these runs (``Store.list_run_records``; cells of unchanged runs are kept)."""
        old = self._rows
        self._rows = {}
        for record in records:
            kept = old.get(record["id"])
            same = kept is not None and kept.record == record
            self._rows[record["id"]] = kept if same else RunRow(record, self.extra_columns)
        if sweep_names is not None:
            self._sweep_names = dict(sweep_names)
        self._rebuild()

    def set_key_columns(self, column_ids: list[str]) -> None:
        """Extra columns after the standard ones: ``"config:optim.momentum"``,
        ``"summary:test_loss"``."""
        self.extra_columns = [key_column(column_id) for column_id in column_ids]
        self._columns = [*COLUMNS, *self.extra_columns]
        for row in self._rows.values():
            row.add_columns(self.extra_columns)
        self._rebuild()

    def set_group_mode(self, mode: str) -> None:
        """``"none"``, ``"sweep"``, ``"tag"`` or ``"config:KEY"`` (``run_grouping``)."""
        self._mode = mode
        self._rebuild()

    def set_text(self, text: str) -> None:
        self._set_filter("text", text.strip().lower())

    def set_status(self, status: str | None) -> None:
        self._set_filter("status", status or None)

    def set_tag(self, tag: str | None) -> None:
        self._set_filter("tag", tag or None)

    def set_query_ids(self, run_ids: set[int] | None) -> None:
        """Only these runs (what a run query matched); None shows all."""
        self._set_filter("query_ids", None if run_ids is None else set(run_ids))

    def _set_filter(self, name: str, value: Any) -> None:
        if self._filters[name] != value:
            self._filters[name] = value
            self._rebuild()

    # -- reading ---------------------------------------------------------------------
    @property
    def group_mode(self) -> str:
        return self._mode

    @property
    def columns(self) -> list[Column | KeyColumn]:
        return self._columns

    def is_filtering(self) -> bool:
        return any(value not in (None, "") for value in self._filters.values())

    def run_count(self) -> int:
        return len(self._rows)

    def records(self) -> list[dict]:
        """Every run's record: what the table shows, without the config (``full_runs``)."""
        return [row.record for row in self._rows.values()]

    def full_runs(self, run_ids: list[int]) -> list[dict]:
        """These runs whole (config, environment), decoded now if not yet."""
        return [self._rows[run_id].run for run_id in run_ids]

    def flat_configs(self, sample: int | None = None) -> list[dict]:
        """Runs' configs as dotted keys (cached): every run's, or about ``sample`` of
        them spread over the table (key lists for menus need not flatten 10,000)."""
        rows = list(self._rows.values())
        if sample:
            rows = rows[::max(1, len(rows) // sample)]
        return [row.flat for row in rows]

    def shown_runs(self) -> list[tuple[Group, dict]]:
        """Every run (its record) that passes the filters, in the order shown, with its
        group."""
        return [(group, row.record) for group in self._groups for row in group.runs]

    def shown_run_count(self) -> int:
        return sum(len(group.runs) for group in self._groups)

    def cell_text(self, run: dict, column: int) -> str:
        return self._rows[run["id"]].texts[column]

    def group_rows(self) -> list[tuple[int, str]]:
        """(top-level row, group key) of every group row."""
        return list(self._group_rows)

    def group_at(self, index: QModelIndex) -> Group | None:
        """The group of a group row (None for a run's row)."""
        if not index.isValid() or index.internalId() != 0:
            return None
        group = self._groups[index.row()]
        return group if group.key is not None else None

    def run_ids_at(self, index: QModelIndex) -> list[int]:
        """The run of a run's row, or every run of a group row."""
        if not index.isValid():
            return []
        group = self._groups[index.row() if index.internalId() == 0 else index.internalId() - 1]
        if index.internalId() == 0:
            return [row.record["id"] for row in group.runs] if group.key is not None else [
                group.runs[0].record["id"]]
        return [group.runs[index.row()].record["id"]]

    # -- building --------------------------------------------------------------------
    def _rebuild(self) -> None:
        self.beginResetModel()
        groups = group_items(self._accepted(), lambda row: row.record, lambda row: row.flat,
                             self._mode, self._sweep_names)
        self._groups = self._sorted(groups)
        self._group_rows = [(row, group.key) for row, group in enumerate(self._groups)
                            if group.key is not None]
        self.endResetModel()

    def _accepted(self) -> list[RunRow]:
        text, status, tag, ids = (self._filters[k] for k in ("text", "status", "tag",
                                                             "query_ids"))
        rows = list(self._rows.values())
        if ids is not None:
            rows = [row for row in rows if row.record["id"] in ids]
        if status:
            rows = [row for row in rows if row.record.get("status") == status]
        if tag:
            rows = [row for row in rows if tag in (row.record.get("tags") or [])]
        for word in text.split():
            rows = [row for row in rows if word in row.haystack]
        return rows

    def _sorted(self, groups: list[Group]) -> list[Group]:
        column = self._sort_column
        if column < 0 or column >= len(self.columns):
            return sorted(groups, key=lambda g: g.runs[0].record["id"], reverse=True)
        if column == ID_COLUMN:  # the usual order, and ids are unique: no cell keys
            return sorted(groups, key=lambda g: g.runs[0].record["id"],
                          reverse=self._descending)
        return sorted(groups, key=lambda g: (g.runs[0].sort_key(column), g.runs[0].record["id"]),
                      reverse=self._descending)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        descending = order == Qt.SortOrder.DescendingOrder
        if (column, descending) == (self._sort_column, self._descending):
            return  # already so (every rebuild sorts; QTreeView.sortByColumn asks twice)
        self._sort_column, self._descending = column, descending
        self.layoutAboutToBeChanged.emit()
        old = self._groups
        self._groups = self._sorted(old)
        moved = {id(group): row for row, group in enumerate(self._groups)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(persistent, [self._moved(index, old, moved)
                                                    for index in persistent])
        self.layoutChanged.emit()

    def _moved(self, index, old: list[Group], moved: dict[int, int]) -> QModelIndex:
        # Runs keep their place inside a group; only top-level rows move.
        if index.internalId() == 0:
            return self.createIndex(moved[id(old[index.row()])], index.column(), 0)
        parent_row = moved[id(old[index.internalId() - 1])]
        return self.createIndex(index.row(), index.column(), parent_row + 1)

    # -- Qt model API ----------------------------------------------------------------
    # index(), hasChildren() and rowCount() answer in Python alone: the view lays out
    # every top-level row (8,000 when 10,000 runs group by sweep) through them, and Qt's
    # hasIndex() would call back into Python for rowCount() and columnCount() each time.
    def index(self, row: int, column: int, parent=QModelIndex()) -> QModelIndex:
        if not parent.isValid():
            if 0 <= row < len(self._groups) and 0 <= column < len(self._columns):
                return self.createIndex(row, column, 0)
            return QModelIndex()
        if not (0 <= row < self.rowCount(parent) and 0 <= column < len(self._columns)):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1)

    def hasChildren(self, parent=QModelIndex()) -> bool:  # noqa: N802 (Qt API)
        if not parent.isValid():
            return bool(self._groups)
        # A group row (internal id 0, key set) always holds runs; a run row none.
        return (parent.internalId() == 0 and parent.column() == 0
                and self._groups[parent.row()].key is not None)

    def parent(self, index=QModelIndex()) -> QModelIndex:  # noqa: A003 (Qt API)
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        group = self._groups[parent.row()]
        return len(group.runs) if group.key is not None else 0

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return len(self._columns)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        if role not in ROLES:  # painting asks for a dozen roles
            return None
        parent = index.internalId()  # 0 for a top-level row (and an invalid index)
        if parent:
            return run_data(self._groups[parent - 1].runs[index.row()], index.column(), role,
                            self._columns)
        if not index.isValid():
            return None
        group = self._groups[index.row()]
        if group.key is not None:
            return group_data(group, index.column(), role, self._columns)
        return run_data(group.runs[0], index.column(), role, self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or section >= len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].tooltip or None
        return None
