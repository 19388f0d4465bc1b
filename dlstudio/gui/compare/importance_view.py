"""Which hyperparameters mattered, for the compared runs (a sweep's trials, a query's
runs): importance bars, parallel coordinates with a colour legend, the metric against
each parameter, and how many runs it all comes from.

The importance is computed by ``dlstudio.search.importance`` (the same numbers as
``dlstudio importance``) on a worker thread: fANOVA fits a random forest, about a
second for a few dozen runs. Too few runs are refused with the reason.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.compare.importance_plots import draw_bars, draw_parallel, draw_scatters
from dlstudio.gui.workers.job_worker import JobSession
from dlstudio.search.importance import (DEFAULT_METRIC, EVALUATOR_TITLES, EVALUATORS,
                                        ImportanceResult, compute_importance)

SUMMARY_METRICS = (DEFAULT_METRIC, "dev_metric", "dev_loss", "test_metric", "train_loss")


class ImportanceView(QWidget):
    """``set_runs(runs)`` computes and draws; ``result_shown`` / ``refused`` tell when."""

    result_shown = Signal()
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.runs: list[dict] = []
        self.result: ImportanceResult | None = None
        self._session: JobSession | None = None
        self._pending = False
        self.metric = QComboBox()
        for key in SUMMARY_METRICS:
            self.metric.addItem(key, key)
        self.evaluator = QComboBox()
        for key in EVALUATORS:
            self.evaluator.addItem(EVALUATOR_TITLES[key], key)
        self.status = QLabel("Select runs to compare: a sweep's trials or a query's runs.")
        self.status.setWordWrap(True)
        self.bars = pg.PlotWidget(background="w")
        self.parallel = pg.GraphicsLayoutWidget()
        self.parallel.setBackground("w")
        self.scatters = pg.GraphicsLayoutWidget()
        self.scatters.setBackground("w")
        top = QHBoxLayout()
        for widget in (QLabel("Metric"), self.metric, QLabel("Evaluator"), self.evaluator):
            top.addWidget(widget)
        top.addWidget(self.status, 1)
        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(self.bars)
        upper.addWidget(self.parallel)
        upper.setSizes([350, 650])
        plots = QSplitter(Qt.Orientation.Vertical)
        plots.addWidget(upper)
        plots.addWidget(self.scatters)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(plots, 1)
        self.metric.currentIndexChanged.connect(self._on_metric_changed)
        self.evaluator.currentIndexChanged.connect(self._on_evaluator_changed)

    def set_runs(self, runs: list[dict]) -> None:
        """Compute the importance over ``runs`` (store rows) in the background."""
        self.runs = list(runs)
        self._compute()

    def is_busy(self) -> bool:
        """True while a computation's thread is running."""
        return self._session is not None

    def shutdown(self) -> None:
        """Wait for a computation still running (the window is closing)."""
        if self._session is not None:
            self._session.shutdown()

    def _compute(self) -> None:
        if self._session is not None:  # one at a time; the newest request runs next
            self._pending = True
            return
        runs, metric = list(self.runs), self.metric.currentData()
        self.status.setText(f"Computing the importance over {len(runs)} runs…")
        self._session = JobSession(lambda: compute_importance(runs, metric),
                                   "dlstudio-importance", self)
        self._session.job_done.connect(self._on_job_done)
        self._session.job_failed.connect(self._on_job_failed)
        self._session.session_ended.connect(self._on_session_ended)
        self._session.start()

    def _draw(self) -> None:
        result = self.result
        if result is None:
            return
        evaluator = self.evaluator.currentData()
        draw_bars(self.bars.getPlotItem(), result, evaluator)
        draw_parallel(self.parallel.ci, result)
        draw_scatters(self.scatters.ci, result)
        left_out = (f"; {result.runs_without_metric} without {result.metric} left out"
                    if result.runs_without_metric else "")
        skipped = ("; not a parameter: " + ", ".join(result.skipped) if result.skipped else "")
        self.status.setText(f"Importance of {len(result.params)} parameters for "
                            f"{result.metric}, computed from {result.runs_used} runs"
                            f"{left_out}{skipped}.")

    def _clear(self) -> None:
        self.result = None
        self.bars.getPlotItem().clear()
        self.parallel.ci.clear()
        self.scatters.ci.clear()

    @Slot(object)
    def _on_job_done(self, result: ImportanceResult) -> None:
        self.result = result
        self._draw()
        self.result_shown.emit()

    @Slot(str)
    def _on_job_failed(self, message: str) -> None:
        self._clear()
        self.status.setText(message)
        self.refused.emit(message)

    @Slot()
    def _on_session_ended(self) -> None:
        self._session = None
        if self._pending:
            self._pending = False
            self._compute()

    @Slot(int)
    def _on_metric_changed(self, _index: int) -> None:
        self._compute()

    @Slot(int)
    def _on_evaluator_changed(self, _index: int) -> None:
        self._draw()
