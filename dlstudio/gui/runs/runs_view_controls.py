"""The runs table's second toolbar: group by, the run query, columns, CSV export.

Grouping and added columns are remembered in ``QSettings``; the query runs as SQL
(``Store.run_ids_matching``) so the table, the CLI's ``runs --where`` and
``dlstudio importance`` agree on what a query means.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTreeView, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.errors import ConfigError
from dlstudio.gui.common.on_demand import OnDemandComboBox
from dlstudio.gui.runs.column_chooser import ColumnChooserButton
from dlstudio.gui.runs.query_bar import QueryBar
from dlstudio.gui.runs.run_grouping import CONFIG_PREFIX, GROUP_NONE, GROUP_SWEEP, GROUP_TAG
from dlstudio.gui.runs.runs_tree_model import RunsTreeModel
from dlstudio.store.run_query import COMPUTED, RUN_COLUMNS

GROUP_KEY = "runs/group_by"
MAX_GROUP_VALUES = 50  # a key with more values (lr of a random search) makes no groups
# Runs whose config keys the grouping and completion lists offer: flattening every
# config of 10,000 runs would cost more than the table itself. The lists are worked out
# when the group box or the query box is first used after a refresh, not at each one.
KEY_SAMPLE = 1000


class RunsViewControls(QWidget):
    """Drives ``model`` and ``view``; ``open_store`` gives a short-lived ``Store``."""

    query_applied = Signal()  # the table shows the current query's runs (or its error)

    def __init__(self, model: RunsTreeModel, view: QTreeView, settings: QSettings,
                 open_store: Callable, prompts, parent: QWidget | None = None):
        super().__init__(parent)
        self.model, self.view, self.settings = model, view, settings
        self.open_store, self.prompts = open_store, prompts
        self.group_by = OnDemandComboBox()
        self.group_by.setToolTip("Group the runs: a sweep, a tag or a config value per "
                                 "row that opens to its runs, best first")
        self.group_by.setMinimumContentsLength(16)
        self.query_bar = QueryBar()
        self.columns_button = ColumnChooserButton(model, view, settings)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("The table as shown (filters, grouping, visible "
                                      "columns) as a CSV file, one line per run")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.group_by)
        layout.addWidget(self.query_bar, 1)
        layout.addWidget(self.columns_button)
        layout.addWidget(self.export_button)
        self._fill_group_choices([])
        saved = str(self.settings.value(GROUP_KEY, GROUP_SWEEP))
        self._choose_group(saved)
        self.model.set_group_mode(self.group_by.currentData())
        self.columns_button.restore()
        self.group_by.currentIndexChanged.connect(self._on_group_by_changed)
        self.query_bar.query_edited.connect(self._on_query_edited)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.model.modelReset.connect(self.columns_button.apply_hidden)
        self.group_by.choices_needed.connect(self._on_choices_needed)
        self.query_bar.keys_needed.connect(self._on_choices_needed)
        self._choices_stale = True

    # -- after each refresh ----------------------------------------------------------
    def update_choices(self) -> None:
        """Offer the keys of the runs now loaded (grouping, completion: now if either box
        is in use, else when one is next used) and re-run the query on them."""
        self._choices_stale = True
        if self.group_by.hasFocus() or self.query_bar.edit.hasFocus():
            self._fill_choices()
        self.apply_query()

    @Slot()
    def _on_choices_needed(self) -> None:
        if self._choices_stale:
            self._fill_choices()

    def _fill_choices(self) -> None:
        self._choices_stale = False
        flats = self.model.flat_configs(sample=KEY_SAMPLE)
        self._fill_group_choices(flats)
        records = self.model.records()
        tags = sorted({tag for run in records for tag in run.get("tags") or []})
        sweeps = sorted({run["sweep_id"] for run in records if run.get("sweep_id")})
        summary = {key for run in records for key in (run.get("summary") or {})}
        keys = sorted({key for flat in flats for key in flat} | summary)
        self.query_bar.set_keys([*RUN_COLUMNS, *COMPUTED, *keys,
                                 *(f"tag:{tag}" if " " not in tag else f"tag:'{tag}'"
                                   for tag in tags),
                                 *(f"sweep:{sweep}" for sweep in sweeps)])

    def apply_query(self) -> None:
        """Filter the table by the query box (a bad query keeps the last good one)."""
        text = self.query_bar.text().strip()
        if not text:
            self.query_bar.clear_error()
            self.model.set_query_ids(None)
        else:
            try:
                with self.open_store() as store:
                    ids = store.run_ids_matching(text)
            except ConfigError as error:
                self.query_bar.show_error(str(error))
            else:
                self.query_bar.clear_error()
                self.model.set_query_ids(ids)
        self.query_applied.emit()

    # -- grouping --------------------------------------------------------------------
    def _fill_group_choices(self, flats: list[dict]) -> None:
        current = self.group_by.currentData() or GROUP_SWEEP
        values: dict[str, set] = {}
        for flat in flats:
            for key, value in flat.items():
                seen = values.setdefault(key, set())
                if len(seen) <= MAX_GROUP_VALUES:
                    seen.add(value if isinstance(value, (str, int, float, bool)) else repr(value))
        keys = [key for key, seen in sorted(values.items())
                if 1 < len(seen) <= MAX_GROUP_VALUES]
        self.group_by.blockSignals(True)
        self.group_by.clear()
        self.group_by.addItem("No grouping", GROUP_NONE)
        self.group_by.addItem("Group by sweep", GROUP_SWEEP)
        self.group_by.addItem("Group by tag", GROUP_TAG)
        for key in keys:
            self.group_by.addItem(f"Group by {key}", CONFIG_PREFIX + key)
        self._choose_group(current)
        self.group_by.blockSignals(False)

    def _choose_group(self, mode: str) -> None:
        index = self.group_by.findData(mode)
        if index < 0 and mode.startswith(CONFIG_PREFIX):  # a key no run has (yet)
            self.group_by.addItem(f"Group by {mode[len(CONFIG_PREFIX):]}", mode)
            index = self.group_by.count() - 1
        self.group_by.setCurrentIndex(max(index, 0))

    @Slot(int)
    def _on_group_by_changed(self, _index: int) -> None:
        mode = self.group_by.currentData()
        if mode is None:  # no item chosen (setCurrentIndex(-1)): the grouping stays
            return
        self.settings.setValue(GROUP_KEY, mode)
        self.model.set_group_mode(mode)

    @Slot(str)
    def _on_query_edited(self, _text: str) -> None:
        self.apply_query()

    # -- export ----------------------------------------------------------------------
    @Slot()
    def _on_export_clicked(self) -> None:
        path = self.prompts.save_path(self, "Export the runs table", "runs.csv",
                                      "CSV file (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str | Path) -> Path:
        """Write the runs shown (filters applied, groups in order, runs of collapsed
        groups too) with the visible columns in their on-screen order."""
        header = self.view.header()
        columns = sorted((c for c in range(self.model.columnCount())
                          if not self.view.isColumnHidden(c)), key=header.visualIndex)
        grouped = self.model.group_mode != GROUP_NONE
        path = Path(path)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            titles = [self.model.columns[c].header for c in columns]
            writer.writerow(["Group", *titles] if grouped else titles)
            for group, run in self.model.shown_runs():
                cells = [self.model.cell_text(run, c) for c in columns]
                writer.writerow([group.label, *cells] if grouped else cells)
        return path
