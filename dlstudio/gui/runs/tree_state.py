"""Keeps a runs tree's selection, current row and open groups across model resets.

The tree model rebuilds itself (one reset) on every filter, grouping or refresh, which
would otherwise clear what the user selected and collapse every group.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QObject, Slot
from PySide6.QtWidgets import QTreeView

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.runs.runs_model import RUN_ID_ROLE
from dlstudio.gui.runs.runs_model import GROUP_ROLE
from dlstudio.gui.runs.runs_tree_model import RunsTreeModel


class TreeStateKeeper(QObject):
    """Saves the state before each reset of ``model`` and puts it back after."""

    def __init__(self, view: QTreeView, model: RunsTreeModel):
        super().__init__(view)
        self.view, self.model = view, model
        self._selected: tuple[set, set] = (set(), set())
        self._current: int | str | None = None
        self._expanded: set[str] = set()
        model.modelAboutToBeReset.connect(self._on_model_about_to_be_reset)
        model.modelReset.connect(self._on_model_reset)

    def rows(self):
        """Every index in column 0: top-level rows, then each group's runs."""
        for row in range(self.model.rowCount()):
            top = self.model.index(row, 0)
            yield top
            for child in range(self.model.rowCount(top)):
                yield self.model.index(child, 0, top)

    def select(self, run_ids, group_keys=(), current=None) -> None:
        """Select these runs' and groups' rows; ``current``: a run id or group key."""
        wanted_runs, wanted_groups = set(run_ids), set(group_keys)
        selection, current_index = QItemSelection(), QModelIndex()
        last = self.model.columnCount() - 1
        for index in self.rows():
            group, run_id = index.data(GROUP_ROLE), index.data(RUN_ID_ROLE)
            key = group if group is not None else run_id
            if (group is not None and group in wanted_groups) or (
                    group is None and run_id in wanted_runs):
                selection.select(index, index.siblingAtColumn(last))
            if key is not None and key == current:
                current_index = index
        model = self.view.selectionModel()
        if current_index.isValid():
            model.setCurrentIndex(current_index, QItemSelectionModel.SelectionFlag.NoUpdate)
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    @Slot()
    def _on_model_about_to_be_reset(self) -> None:
        runs, groups = set(), set()
        for index in self.view.selectionModel().selectedRows():
            group = index.data(GROUP_ROLE)
            if group is not None:
                groups.add(group)
            else:
                runs.add(index.data(RUN_ID_ROLE))
        self._selected = (runs, groups)
        current = self.view.currentIndex()
        self._current = (None if not current.isValid() else
                         current.data(GROUP_ROLE) or current.data(RUN_ID_ROLE))
        self._expanded = {key for row, key in self.model.group_rows()
                          if self.view.isExpanded(self.model.index(row, 0))}

    @Slot()
    def _on_model_reset(self) -> None:
        for row, key in self.model.group_rows():
            if key in self._expanded:
                self.view.setExpanded(self.model.index(row, 0), True)
        if self._selected != (set(), set()) or self._current is not None:
            self.select(*self._selected, current=self._current)
