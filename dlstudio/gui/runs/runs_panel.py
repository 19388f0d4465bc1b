"""The runs tab: every run in the database, filterable, sortable and editable.

A cross-validation group's folds carry the group's mean ± sd (``runs_cv``); a stopped,
interrupted or failed run with a checkpoint can be resumed (``run_resume``). Actions that need
the training controller go to the main window as signals, like "Run again". The details
pane follows the current row. Another connection's writes (``context.watcher``) are read
at once while the tab is shown, else when it is next shown.
"""

from __future__ import annotations

from contextlib import nullcontext

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from dlstudio import formatting
from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.gc_pause import collector_paused
from dlstudio.gui.common.prompts import DialogPrompts
from dlstudio.gui.common.space_note import space_note
from dlstudio.gui.context import AppContext
from dlstudio.gui.runs.run_editor import RunEditor
from dlstudio.gui.workers.run_resume import resume_problem
from dlstudio.training.resumable import trained_here
from dlstudio.gui.runs.runs_cv import cv_summary, with_cv_groups
from dlstudio.gui.runs.runs_menu import build_runs_menu
from dlstudio.gui.runs.runs_model import COLUMN_INDEX, CV_COLUMN, SHOWN_CONFIG_KEYS
from dlstudio.gui.runs.runs_view_controls import RunsViewControls
from dlstudio.gui.runs.runs_panel_layout import EMPTY_TEXT, NO_MATCH_TEXT, RunsPanelLayout

class RunsPanel(RunsPanelLayout):
    """Lists the runs of the database; edits them through the store.

    ``prompts`` asks the user (confirmations, names, notes); tests pass a stand-in,
    or set ``panel.editor.prompts``. The grouping and the columns are kept in the
    context's ``settings``.
    """

    run_again_requested = Signal(dict)
    compare_requested = Signal(list)
    open_run_requested = Signal(int)
    resume_requested = Signal(int)  # a stopped / interrupted run with a checkpoint

    tab_title = "Runs"

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, prompts=None):
        super().__init__(context, parent)
        self.editor = RunEditor(context.store, prompts or DialogPrompts(), self)
        self.view_controls = RunsViewControls(self.model, self.table, context.settings,
                                              lambda: nullcontext(context.store),
                                              self.editor.prompts)
        self.layout().insertWidget(1, self.view_controls)  # under the filters
        self.view_controls.layout().addWidget(self.details_button)
        self._connect()
        # Sorted before the runs are in: refresh then sorts 10,000 rows once, not twice.
        self.table.sortByColumn(COLUMN_INDEX["ID"], Qt.SortOrder.DescendingOrder)
        self.refresh()
        if not self.model.run_count():  # else refresh sized them to the first rows
            self._fit_columns()

    def _connect(self) -> None:
        self.search.textChanged.connect(self._on_search_changed)
        self.status_filter.currentIndexChanged.connect(self._on_status_filter_changed)
        self.tag_filter.currentIndexChanged.connect(self._on_tag_filter_changed)
        self.model.modelReset.connect(self._on_model_reset)  # query, grouping, filters
        self.table.doubleClicked.connect(self._on_row_double_clicked)
        self.table.customContextMenuRequested.connect(self._on_context_menu_requested)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.compare_button.clicked.connect(self._on_compare_clicked)
        self.run_again_button.clicked.connect(self._on_run_again_clicked)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self.rename_button.clicked.connect(self._on_rename_clicked)
        self.tags_button.clicked.connect(self._on_tags_clicked)
        self.notes_button.clicked.connect(self._on_notes_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self._add_shortcut(QKeySequence.StandardKey.Delete, self._on_delete_clicked)
        self._add_shortcut(QKeySequence(Qt.Key.Key_F2), self._on_rename_clicked)
        self._add_shortcut(QKeySequence(Qt.Key.Key_Return), self._on_open_clicked)
        self.table.selectionModel().currentChanged.connect(self._on_selection_changed)
        self.context.watcher.changed.connect(self._on_database_changed)

    def _add_shortcut(self, keys, slot) -> None:
        action = QAction(self.table)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.table.addAction(action)

    # -- public --------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        """Re-read the runs (and the shown run's details) from the store, keeping the
        selection, sort and filters."""
        self._stale = False
        self._signature = self.context.store.runs_signature()
        with collector_paused():
            self._refresh()

    def _refresh(self) -> None:
        store = self.context.store
        records = with_cv_groups(store.list_run_records(SHOWN_CONFIG_KEYS))
        sweep_names = {sweep["id"]: sweep["name"] for sweep in store.list_sweeps()}
        self.model.set_runs(records, sweep_names)  # tree_state keeps selection and groups
        self.view_controls.update_choices()
        self.table.setColumnHidden(CV_COLUMN, not any(cv_summary(record) for record in records))
        if records and not self.column_sizing.by_user:  # else the user's widths stay
            self._fit_columns()
        self._update_tag_choices(records)
        self._update_state()
        self.details.reload()

    def selected_run_ids(self) -> list[int]:
        """Ids of the selected runs in the order shown; a selected group row counts
        as all of its runs."""
        rows = sorted(self.table.selectionModel().selectedRows(), key=_shown_order)
        return list(dict.fromkeys(run_id for index in rows
                                  for run_id in self.model.run_ids_at(index)))

    def select_run_ids(self, run_ids: list[int], current: int | None = None) -> None:
        """Select these runs' rows (in groups too) and make ``current`` the current row."""
        self.tree_state.select(run_ids, current=current)

    # -- helpers -------------------------------------------------------------------
    def _update_state(self) -> None:
        total, shown = self.model.run_count(), self.model.shown_run_count()
        self.empty_label.setText(EMPTY_TEXT if total == 0 else NO_MATCH_TEXT)
        self.pages.setCurrentWidget(self.table if shown else self.empty_label)
        selected = len(self.selected_run_ids())
        count = (formatting.count(total, "run") if shown == total
                 else f"{shown:,} of {formatting.count(total, 'run')}")
        hint = " (Ctrl+click to add runs to compare)" if selected == 1 else ""
        self.count_label.setText(count + (f", {selected} selected{hint}" if selected else ""))
        self.compare_button.setText(f"Compare selected ({selected})" if selected > 1
                                    else "Compare selected")
        self.compare_button.setEnabled(selected >= 2)
        for button in (self.open_button, self.run_again_button, self.rename_button):
            button.setEnabled(selected == 1)
        # A run a script logged (or one imported) has no dlstudio config to train again:
        # the actions are absent for it, not disabled.
        run = self._single_selected_run()
        trainable = run is None or trained_here(run)
        self.run_again_button.setVisible(trainable)
        self.resume_button.setVisible(trainable)
        for button in (self.tags_button, self.notes_button, self.delete_button):
            button.setEnabled(selected >= 1)
        self.notes_button.setEnabled(selected == 1)
        self._update_resume_button()
        self.details.show_run(self._current_run_id())

    def _current_run_id(self) -> int | None:
        index = self.table.currentIndex()
        run_ids = self.model.run_ids_at(index) if index.isValid() else []
        if len(run_ids) == 1 and self.model.group_at(index) is None:
            return run_ids[0]
        run = self._single_selected_run()
        return None if run is None else run["id"]

    def _update_resume_button(self) -> None:
        run = self._single_selected_run()
        problem = ("Select one stopped, interrupted or failed run." if run is None
                   else resume_problem(run))
        self.resume_button.setEnabled(not problem)
        self.resume_button.setToolTip(problem or "Continue training this run from its last "
                                      "checkpoint, on the device its config names")

    def _selected_runs(self) -> list[dict]:
        return self.model.full_runs(self.selected_run_ids())

    def _single_selected_run(self) -> dict | None:
        # Asked on every selection change: a big selection's configs stay undecoded.
        run_ids = self.selected_run_ids()
        return self.model.full_runs(run_ids)[0] if len(run_ids) == 1 else None

    # -- events --------------------------------------------------------------------
    @Slot()
    def _on_database_changed(self) -> None:
        # Behind another tab nothing is read (the signature is a pass over every run,
        # ~7 ms for 10,000, and the app's own training commits every second).
        if self.isVisible():
            self._catch_up()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802  (Qt's name)
        super().showEvent(event)
        if self._stale:
            self._catch_up()

    def _catch_up(self) -> None:
        if self.context.store.runs_signature() != self._signature:
            self.refresh()
        else:
            self._stale = False
            self.details.reload()  # a metric flush: only a live run's details change

    @Slot(str)
    def _on_search_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_state()

    @Slot(int)
    def _on_status_filter_changed(self, _index: int) -> None:
        self.proxy.set_status(self.status_filter.currentData())
        self._update_state()

    @Slot(int)
    def _on_tag_filter_changed(self, _index: int) -> None:
        self.proxy.set_tag(self.tag_filter.currentData())
        self._update_state()

    @Slot()
    def _on_model_reset(self) -> None:
        self._update_state()

    @Slot()
    def _on_selection_changed(self) -> None:
        self._update_state()

    @Slot(QModelIndex)
    def _on_row_double_clicked(self, index: QModelIndex) -> None:
        run_ids = self.model.run_ids_at(index)
        if len(run_ids) == 1 and self.model.group_at(index) is None:
            self.open_run_requested.emit(run_ids[0])

    @Slot()
    def _on_open_clicked(self) -> None:
        run = self._single_selected_run()
        if run is not None:
            self.open_run_requested.emit(run["id"])

    @Slot()
    def _on_compare_clicked(self) -> None:
        run_ids = self.selected_run_ids()
        if len(run_ids) >= 2:
            self.compare_requested.emit(run_ids)

    @Slot()
    def _on_run_again_clicked(self) -> None:
        run = self._single_selected_run()
        if run is not None:
            self.run_again_requested.emit(dict(run.get("config") or {}))

    @Slot()
    def _on_resume_clicked(self) -> None:
        run = self._single_selected_run()
        if run is not None and not resume_problem(run):
            self.resume_requested.emit(run["id"])

    @Slot()
    def _on_rename_clicked(self) -> None:
        run = self._single_selected_run()
        if run is not None and self.editor.rename(run):
            self.refresh()

    @Slot()
    def _on_tags_clicked(self) -> None:
        runs = self._selected_runs()
        if runs and self.editor.edit_tags(runs):
            self.refresh()

    @Slot()
    def _on_notes_clicked(self) -> None:
        run = self._single_selected_run()
        if run is not None and self.editor.edit_notes(run):
            self.refresh()

    @Slot()
    def _on_delete_clicked(self) -> None:
        runs = self._selected_runs()
        if runs and self.editor.delete(runs):
            self.refresh()
            if note := space_note(self.context.store):
                self.status_message.emit(note, 15000)

    @Slot("QPoint")
    def _on_context_menu_requested(self, position) -> None:
        menu = self.context_menu()
        menu.popup(self.table.viewport().mapToGlobal(position))

    def context_menu(self) -> QMenu:
        """The right-click menu for the selection (``runs_menu``)."""
        return build_runs_menu(self, (self.open_button, self.compare_button,
                                      self.run_again_button, self.resume_button,
                                      self.details_button, None,
                                      self.rename_button, self.tags_button, self.notes_button,
                                      None, self.delete_button),
                               self._single_selected_run(), self._on_show_group_triggered)

    @Slot()
    def _on_show_group_triggered(self) -> None:
        tag = self.sender().data()
        self.tag_filter.setCurrentIndex(max(0, self.tag_filter.findData(tag)))


def _shown_order(index: QModelIndex) -> tuple[int, int]:
    parent = index.parent()
    return (parent.row(), index.row()) if parent.isValid() else (index.row(), -1)
