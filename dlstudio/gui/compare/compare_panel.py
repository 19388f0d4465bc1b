"""The compare tab: several runs' curves overlaid and their configs side by side."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QMenu, QPushButton, QSplitter,
                               QStackedWidget, QTabWidget, QToolButton, QVBoxLayout, QWidget)

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.errors import ConfigError
from dlstudio.formatting import format_metric
from dlstudio.gui.common import run_format as fmt
from dlstudio.gui.compare.importance_view import ImportanceView
from dlstudio.gui.compare.live_refresh import LiveRefresh
from dlstudio.gui.compare.metric_titles import (METRIC_TITLES, metric_scale,
                                               metric_title)
from dlstudio.gui.compare.metric_panels_view import MetricPanelsView
from dlstudio.gui.common.export import export_run_csv, save_image
from dlstudio.gui.common.metric_choosers import fill_metric_combo, first_key_index
from dlstudio.gui.common.panel import Panel
from dlstudio.gui.common.plot_tools import PlotOptionsBar
from dlstudio.gui.common.prompts import DialogPrompts
from dlstudio.gui.compare.config_diff import flat_config
from dlstudio.gui.compare.config_diff_table import ConfigDiffTable
from dlstudio.gui.compare.run_curves_plot import (LoadedCurve, RunCurvesPlot, points_budget,
                                                  run_color)
from dlstudio.gui.context import AppContext
from dlstudio.store import Store, read_curves

EPOCH_KEY = "train_loss"  # recorded once per epoch at the epoch's last step
EMPTY_TEXT = ("<h3>Nothing to compare yet</h3><p>In the <b>Runs</b> tab, select two or more "
              "runs (Ctrl+click or Shift+click) and press <b>Compare selected</b>.</p>")


class ComparePanel(Panel):
    """Overlays one metric of the runs given to ``set_runs`` and diffs their configs.

    Curves are read downsampled in SQL to a min and a max per pixel column of the plot,
    several runs at once (``read_curves``), so runs of any length open quickly; a notice
    names the curves that were downsampled.
    ``prompts`` asks for file names (tests pass a fake). Beside the one-metric overlay,
    the "Panels" tab shows several metrics with groups as mean and band and the
    "Parameters" tab which hyperparameters mattered; the context's ``settings`` keeps the
    panels chosen.
    """

    tab_title = "Compare"

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, prompts=None):
        super().__init__(context, parent)
        self.prompts = prompts or DialogPrompts()
        self.runs: list[dict] = []
        self._build()
        self.metric_chooser.currentIndexChanged.connect(self._on_metric_changed)
        self.options.options_changed.connect(self._on_options_changed)
        self.reload_button.clicked.connect(self._on_reload_clicked)
        self.save_plot_button.clicked.connect(self._on_save_plot_clicked)
        self.csv_menu.triggered.connect(self._on_csv_run_chosen)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.live = LiveRefresh(self, context.watcher)
        self.live.due.connect(self._on_live_due)
        self._show_page()

    # -- building ------------------------------------------------------------------
    def _build(self) -> None:
        self.metric_chooser = QComboBox()
        self.metric_chooser.setMinimumContentsLength(22)
        self.options = PlotOptionsBar()
        self.reload_button = QPushButton("Reload")
        self.reload_button.setToolTip("Read the curves again (runs still training grow)")
        self.save_plot_button = QPushButton("Save plot…")
        self.save_plot_button.setToolTip("Save the plot as a PNG image or an SVG drawing")
        self.csv_menu = QMenu(self)
        self.export_csv_button = QToolButton()
        self.export_csv_button.setText("Export CSV")
        self.export_csv_button.setToolTip("Every metric point of one run, as CSV")
        self.export_csv_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_csv_button.setMenu(self.csv_menu)
        self.curves_plot = RunCurvesPlot()
        self.config_table = ConfigDiffTable()
        toolbar = QHBoxLayout()
        toolbar.addWidget(QLabel("Metric"))
        toolbar.addWidget(self.metric_chooser)
        toolbar.addWidget(self.options, 1)
        for widget in (self.reload_button, self.save_plot_button, self.export_csv_button):
            toolbar.addWidget(widget)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.curves_plot)
        splitter.addWidget(self.config_table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(toolbar)
        content_layout.addWidget(splitter, 1)
        self.empty_label = QLabel(EMPTY_TEXT, alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.panels_view = MetricPanelsView(self.context, self.prompts)
        self.importance_view = ImportanceView()
        self.tabs = QTabWidget()
        self.tabs.addTab(content, "One metric")
        self.tabs.addTab(self.panels_view, "Panels")
        self.tabs.addTab(self.importance_view, "Parameters")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.tabs)
        self.pages.addWidget(self.empty_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    # -- public --------------------------------------------------------------------
    @property
    def run_ids(self) -> list[int]:
        return [run["id"] for run in self.runs]

    @property
    def metric(self) -> str | None:
        """The metric key shown (None while there is none)."""
        if self.metric_chooser.currentIndex() < 0:
            return None
        return self.metric_chooser.currentData()

    @Slot(list)
    def set_runs(self, run_ids: list[int], refit: bool = True) -> None:
        """Compare these runs (ids that no longer exist are skipped); ``refit=False``
        keeps the one-metric plot's view where the user zoomed it."""
        store = self.context.store
        self.runs = [run for run in (self._get_run(store, i) for i in run_ids) if run]
        keys = {key for run in self.runs for key in store.metric_keys(run["id"])}
        labels = {run["id"]: self._legend_label(run) for run in self.runs}
        self.curves_plot.set_runs(labels)
        self._fill_metric_chooser(keys)
        self._fill_csv_menu()
        self.config_table.set_configs(
            [fmt.run_label(run) for run in self.runs],
            [run_color(i) for i in range(len(self.runs))],
            [flat_config(run.get("config") or {}) for run in self.runs])
        self.live.following = any(run["status"] == "running" for run in self.runs)
        self._show_page()
        self._load_curves(refit)
        self._update_tab(force_panels=not refit)

    def _update_tab(self, force_panels: bool = False) -> None:
        # The panels and the importance are read and computed when their tab is shown:
        # most comparisons only look at the curves.
        tab = self.tabs.currentWidget()
        if tab in (self.panels_view, self.importance_view) and (
                tab.runs != self.runs or (force_panels and tab is self.panels_view)):
            tab.set_runs(self.runs)

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        self._update_tab()

    def shutdown(self) -> None:
        """Wait for the importance computation, if one is running."""
        self.importance_view.shutdown()

    def set_metric(self, key: str) -> None:
        """Show metric ``key`` (one of the chooser's)."""
        index = self.metric_chooser.findData(key)
        if index < 0:
            raise ValueError(f"metric: got {key!r}, expected one of the runs' metrics")
        self.metric_chooser.setCurrentIndex(index)

    # -- helpers -------------------------------------------------------------------
    @staticmethod
    def _get_run(store: Store, run_id: int) -> dict | None:
        try:
            return store.get_run(run_id)
        except ConfigError:  # deleted since it was selected
            return None

    @staticmethod
    def _legend_label(run: dict) -> str:
        summary = run.get("summary") or {}
        best = format_metric(summary.get("metric_name"), summary.get("best_dev_metric"), unit=True)
        return f"{fmt.run_label(run)} (best dev {best})" if best else fmt.run_label(run)

    def _show_page(self) -> None:
        self.pages.setCurrentIndex(0 if self.runs else 1)
        for widget in (self.save_plot_button, self.export_csv_button, self.reload_button):
            widget.setEnabled(bool(self.runs))

    def _fill_metric_chooser(self, keys: set[str]) -> None:
        shown = self.metric
        self.metric_chooser.blockSignals(True)
        fill_metric_combo(self.metric_chooser, keys, self._choice_label)
        index = self.metric_chooser.findData(shown if shown in keys else "loss")
        self.metric_chooser.setCurrentIndex(
            index if index >= 0 else first_key_index(self.metric_chooser))
        self.metric_chooser.blockSignals(False)

    def _choice_label(self, key: str) -> str:
        return f"{key} — {metric_title(key, self.runs)}" if key in METRIC_TITLES else key

    def _fill_csv_menu(self) -> None:
        self.csv_menu.clear()
        for run in self.runs:
            action = self.csv_menu.addAction(f"{fmt.run_label(run)}…")
            action.setData(run["id"])

    def _load_curves(self, refit: bool = True) -> None:
        key = self.metric
        if key is None:
            self.curves_plot.show_curves({}, "Value")
            return
        budget = points_budget(self.curves_plot.plot_width())
        # Each run's curve and, for the epoch x axis, the steps that ended its epochs;
        # the runs are read side by side, one connection per core.
        requests = [(run["id"], key, budget) for run in self.runs]
        if key != EPOCH_KEY:
            requests += [(run["id"], EPOCH_KEY, None) for run in self.runs]
        read = read_curves(self.context.db_path, requests)
        ends = read[len(self.runs):] or read
        curves = {run["id"]: self._loaded(run, curve, epoch_ends["step"])
                  for run, curve, epoch_ends in zip(self.runs, read, ends)}
        self.curves_plot.show_curves(curves, metric_title(key, self.runs),
                                     metric_scale(key, self.runs), refit=refit)

    @staticmethod
    def _loaded(run: dict, curve: dict, epoch_end_steps: np.ndarray) -> LoadedCurve:
        return LoadedCurve(fmt.run_label(run), curve["step"], curve["epoch"], curve["value"],
                           curve["time"], curve["total"], curve["downsampled"],
                           np.asarray(epoch_end_steps))

    def _apply_options(self) -> None:
        self.curves_plot.apply_options(self.options.x_key, self.options.smoothing_weight,
                                       self.options.log_y.isChecked())

    # -- events --------------------------------------------------------------------
    @Slot(int)
    def _on_metric_changed(self, _index: int) -> None:
        self._load_curves()

    @Slot()
    def _on_options_changed(self) -> None:
        self._apply_options()

    @Slot()
    def _on_live_due(self) -> None:
        self.set_runs(self.run_ids, refit=False)

    @Slot()
    def _on_reload_clicked(self) -> None:
        self.set_runs(self.run_ids)

    @Slot()
    def _on_save_plot_clicked(self) -> None:
        save_image(self, self.prompts, "Save plot", f"compare-{self.metric or 'plot'}.png",
                   self.curves_plot.export)

    @Slot(QAction)
    def _on_csv_run_chosen(self, action: QAction) -> None:
        run_id = action.data()
        path = self.prompts.save_path(self, "Export run as CSV", f"run-{run_id}-metrics.csv",
                                      "CSV file (*.csv)")
        if not path:
            return
        try:
            store = self.context.store
            export_run_csv(store, run_id, path)
        except (OSError, ConfigError) as exc:
            self.prompts.inform(self, "Export CSV", f"Could not export run {run_id}: {exc}")
