"""The right side of the sweep panel: one sweep's status, trials table and plots.

It shows what it is given: ``show_sweep`` (the sweep row's spec) resets it, each
``apply_summary`` (a ``sweep_summary`` dict) updates the table, best-so-far curve,
parallel coordinates and scatter, and curve points come from live batches
(``add_points``) or the store (``load_curves``). A click on a run id, a double-click on
a row, a line or a point asks to open that run.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QSplitter, QTableView,
                               QTabWidget, QVBoxLayout, QWidget)

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.theme import dim
from dlstudio.errors import ConfigError
from dlstudio.search.sweep_spec import SCHEDULED
from dlstudio.gui.sweeps.param_axis import ParamAxis, axes_for
from dlstudio.gui.sweeps.parallel_coordinates_plot import ParallelCoordinatesPlot
from dlstudio.gui.common.empty_stack import EmptyStack
from dlstudio.gui.sweeps.sweep_plots import BestSoFarPlot, MetricScatterPlot, score_colors
from dlstudio.gui.sweeps.progress import (eliminated_trials, latest_per_config, parent_runs,
                                        startup_note, status_line, trial_name)
from dlstudio.gui.sweeps.trial_curves_plot import TrialCurvesPlot
from dlstudio.gui.sweeps.sweep_trials_model import (RUN_COLUMN, RUN_ID_ROLE, SweepTrialsModel,
                                             SweepTrialsProxy)
from dlstudio.search import SearchSpace

NO_TRIALS = ("No trials yet. They appear here as the sweep hands them out; each row is "
             "one trial (a configuration trained to some number of epochs).")
NEEDS_TWO = "This plot needs at least two trials with a result."


class SweepResultsView(QWidget):
    """Status, trials and plots of the sweep being shown."""

    run_open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(wordWrap=True)
        self.status = QLabel(wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.gpus = QLabel()  # which trial trains on which GPU, how busy it is
        dim(self.gpus)
        self.gpus.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.gpus.setToolTip("Each GPU's running trial: utilisation (NVML) and the memory "
                             "its tensors hold, from the run's latest resource sample")
        self.startup = QLabel(wordWrap=True)
        self.startup.setStyleSheet("background: #fff4d6; padding: 4px; border-radius: 3px;")
        self.model = SweepTrialsModel(self)
        self.proxy = SweepTrialsProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self._setup_table()
        self.curves = TrialCurvesPlot()
        self.best_plot = BestSoFarPlot()
        self.parallel = ParallelCoordinatesPlot()
        self.scatter = MetricScatterPlot()
        self.tabs = QTabWidget()
        self.table_stack = EmptyStack(self.table, NO_TRIALS)
        self.stacks = {name: EmptyStack(widget, NEEDS_TWO) for name, widget in (
            ("curves", self.curves), ("best", self.best_plot), ("parallel", self.parallel),
            ("scatter", self.scatter))}
        for name, label in (("curves", "Trial curves"), ("best", "Best so far"),
                            ("parallel", "Parallel coordinates"),
                            ("scatter", "Metric vs hyperparameter")):
            self.tabs.addTab(self.stacks[name], label)
        self._layout()
        self.axes: list[ParamAxis] = []
        self.metric, self.goal = "dev_loss", "minimize"
        self.record: dict[str, Any] = {}
        self.summary: dict[str, Any] | None = None
        for plot in (self.parallel, self.scatter, self.curves):
            plot.run_clicked.connect(self._on_run_clicked)

    def _setup_table(self) -> None:
        table = self.table
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(22)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        table.clicked.connect(self._on_table_clicked)
        table.doubleClicked.connect(self._on_table_double_clicked)

    def _layout(self) -> None:
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table_stack)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([260, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.gpus)
        layout.addWidget(self.startup)
        layout.addWidget(splitter, 1)
        self.startup.hide()
        self.gpus.hide()

    # -- filling -------------------------------------------------------------------
    def show_sweep(self, sweep: dict[str, Any]) -> None:
        """Start showing a sweep (a ``Store.get_sweep`` row): forget the previous one."""
        self.record = sweep["spec"]
        self.metric = self.record.get("metric", "dev_loss")
        self.goal = self.record.get("goal", "minimize")
        strategy = self.record.get("strategy") or {}
        try:
            space = SearchSpace.from_dict(strategy.get("space") or {}, strategy.get("base"))
            self.axes = axes_for(space)
        except ConfigError:
            self.axes = []
        self.title.setText(f"<b>Sweep {sweep['id']}: {sweep['name']}</b> — "
                           f"{self.record.get('description', '')}")
        self.model.set_trials([], [a.name for a in self.axes], self.metric)
        brackets = self.record.get("method") in SCHEDULED
        for column in (3, 4):  # bracket, rung
            self.table.setColumnHidden(column, not brackets)
        self.curves.reset(self.metric)
        self.parallel.clear_trials()
        self.show_gpu_use("")
        self.summary = None

    def apply_summary(self, summary: dict[str, Any]) -> None:
        """Show a fresh ``sweep_summary`` of the sweep being shown."""
        self.summary = summary
        trials = summary["trials"]
        eliminated = eliminated_trials(trials)
        params = [a.name for a in self.axes]
        grew = len(trials) != self.model.rowCount()
        self.model.set_trials(trials, params, self.metric, eliminated)
        names = {t["run_id"]: trial_name(t, params) for t in trials if t["run_id"] is not None}
        for plot in (self.curves, self.scatter, self.parallel):
            plot.set_names(names)
        self.table_stack.show_content(bool(trials))
        if grew and len(trials) <= 500:
            self.table.resizeColumnsToContents()
        self.status.setText(status_line(summary))
        note = startup_note(summary)
        self.startup.setText(note)
        self.startup.setVisible(bool(note))
        scored = [t for t in trials if t["score"] is not None]
        self.best_plot.set_curve(summary["curve"], self.metric, summary.get("method", ""))
        self.stacks["best"].show_content(bool(scored), "The best score so far appears once "
                                         "a trial has a result.")
        configs = latest_per_config(trials)  # a promoted configuration once, at its last rung
        self.parallel.set_data(self.axes, configs, self.metric, self.goal)
        self.stacks["parallel"].show_content(len(scored) >= 2 and bool(self.axes))
        self.scatter.set_data(self.axes, configs, self.metric, self.goal)
        self.stacks["scatter"].show_content(len(scored) >= 2 and bool(self.axes))
        self._style_curves(trials, eliminated)

    def show_gpu_use(self, text: str) -> None:
        """Lines from ``gpu_use_text`` (empty: hidden)."""
        self.gpus.setText(text)
        self.gpus.setVisible(bool(text))

    def add_points(self, run_id: int, curves: dict[str, Any]) -> None:
        self.curves.add_points(run_id, curves)
        self._show_curves()

    def load_curves(self, run_id: int, metric_points: dict[str, Any],
                    loss_points: dict[str, Any]) -> None:
        self.curves.load_run(run_id, metric_points, loss_points)
        self._show_curves()

    def _show_curves(self) -> None:
        self.stacks["curves"].show_content(True)

    def _style_curves(self, trials: list[dict[str, Any]], eliminated: set[int]) -> None:
        colors = score_colors([t["score"] for t in trials], self.goal)
        styles = {}
        for trial, color in zip(trials, colors):
            if trial["run_id"] is None:
                continue
            told = trial["status"] in ("finished", "diverged", "failed")
            styles[trial["run_id"]] = (color if told else None, trial["trial"] in eliminated)
        self.curves.set_styles(styles)
        self.curves.set_parents(parent_runs(trials))
        self.stacks["curves"].show_content(bool(self.curves.items), "Curves appear as soon "
                                           "as the first trial trains.")

    # -- clicks --------------------------------------------------------------------
    @Slot(QModelIndex)
    def _on_table_clicked(self, index: QModelIndex) -> None:
        if index.column() == RUN_COLUMN:
            self._open(index)

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self._open(index)

    def _open(self, index: QModelIndex) -> None:
        run_id = index.data(RUN_ID_ROLE)
        if run_id is not None:
            self.run_open_requested.emit(int(run_id))

    @Slot(int)
    def _on_run_clicked(self, run_id: int) -> None:
        self.run_open_requested.emit(run_id)
