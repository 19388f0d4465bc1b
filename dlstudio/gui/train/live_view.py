"""The live view: the run that trains (or was last opened), plotted as it grows.

``watch(bridge, name)`` follows a run through its ``EventBridge``; points arrive as
coalesced batches (a few a second), go into the run's ``RunTrace`` and, when that
run is the one shown, into the curves. Several runs can train at once (one per device):
each keeps its own trace and a selector switches between them.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout,
                               QWidget)

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.gui.workers.event_bridge import EventBridge
from dlstudio.gui.train.live_plots_view import LivePlotsView
from dlstudio.gui.train.own_metrics_note import OwnMetricsNote
from dlstudio.gui.train.run_progress_view import RunProgressView
from dlstudio.gui.train.run_trace import RunTrace

EMPTY_TEXT = ("<h3>No run yet</h3><p>Fill the form on the left and press <b>Run</b>.</p>"
              "<p>The training loss (per step), the dev loss and accuracy (per epoch) and the "
              "learning rate appear here while the model trains.<br>Open a saved run from "
              "the <b>Runs</b> tab to see its curves again.</p>")
KEEP_FINISHED = 3  # finished traces kept for the selector, besides the running ones
# The plots redraw between MIN_REDRAW_MS and MAX_REDRAW_MS apart: as often as keeps
# drawing (data and paint) within REDRAW_SHARE of the GUI thread's time, but at least
# once a second, so they never look stuck, unless that would take more than
# MAX_REDRAW_SHARE (a run of a million steps: a redraw took ~175 ms here). Painting holds
# the GIL, so what it takes comes off the training thread's steps/s: measured on 2 cores,
# redrawing at 30 Hz halved them, and a share of 0.08 cost ~8 %. A redraw of the three
# plots took 20-35 ms of GUI-thread CPU on a 2-core machine while a short run trained,
# so there they redraw once a second and the training thread waits ~2.5 % of its time
# (benchmarks/gui_latency.py); a faster machine redraws more often. The progress line
# changes with the plots: when it followed every batch it ran ahead of them (step 1,804
# counted, the curves at ~360), and the two disagreed about where the run was.
MIN_REDRAW_MS = 150
MAX_REDRAW_MS = 1000
REDRAW_SHARE = 0.015
MAX_REDRAW_SHARE = 0.05


def redraw_wait_ms(cost_seconds: float) -> int:
    """How long after new points the plots redraw, given what the last redraw took."""
    paced = 1000 * cost_seconds / REDRAW_SHARE
    slowest = max(MAX_REDRAW_MS, 1000 * cost_seconds / MAX_REDRAW_SHARE)
    return int(max(MIN_REDRAW_MS, min(paced, slowest)))


class LiveView(QWidget):
    """Progress, controls and plots of one run at a time; ``stop_requested`` / ``pause_requested``
    carry the run id to whoever owns the training sessions."""

    stop_requested = Signal(int)
    pause_requested = Signal(int, bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.traces: dict[int, RunTrace] = {}
        self.active: set[int] = set()
        self.external: set[int] = set()  # running in another process: watched only
        self.paused: set[int] = set()
        self.shown: int | None = None
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.run_selector = QComboBox()
        self.run_selector.setToolTip("Runs training now and the last ones shown")
        self.progress = RunProgressView()
        self.plots = LivePlotsView()
        self.own_metrics = OwnMetricsNote()
        self.stack = QStackedWidget()
        # Points go into the trace as they arrive (a few batches a second); the
        # plots catch up between MIN_REDRAW_MS and MAX_REDRAW_MS later, so painting never
        # takes the GUI thread (and the GIL) away from the training thread for long.
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.timeout.connect(self._on_redraw_due)
        self._redraw_cost = 0.0
        self._build()
        self.run_selector.activated.connect(self._on_run_selected)
        self.progress.stop_clicked.connect(self._on_stop_clicked)
        self.progress.pause_toggled.connect(self._on_pause_toggled)

    def _build(self) -> None:
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        selector_row = QHBoxLayout()
        selector_row.addWidget(QLabel("Showing"))
        selector_row.addWidget(self.run_selector, 1)
        self.selector_row = QWidget()
        self.selector_row.setLayout(selector_row)
        selector_row.setContentsMargins(0, 0, 0, 0)
        self.progress.add_beside_title(self.selector_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.own_metrics)
        layout.addWidget(self.plots, 1)
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    # -- what to show --------------------------------------------------------------
    def watch(self, bridge: EventBridge, name: str = "") -> RunTrace:
        """Follow a training run through its bridge and show it."""
        trace = RunTrace(bridge.run_id, name)
        self.traces[bridge.run_id] = trace
        self.active.add(bridge.run_id)
        bridge.run_started.connect(self._on_run_started)
        bridge.points_arrived.connect(self._on_points_arrived)
        bridge.resources_sampled.connect(self._on_resources_sampled)
        bridge.run_ended.connect(self._on_run_ended)
        self.show_run(bridge.run_id)
        return trace

    def show_saved(self, trace: RunTrace) -> None:
        """Show a run loaded from the store (not training)."""
        self.traces[trace.run_id] = trace
        self.active.discard(trace.run_id)
        self.show_run(trace.run_id)

    def show_run(self, run_id: int) -> None:
        self.shown = run_id
        self._prune()
        trace = self.traces[run_id]
        self.stack.setCurrentIndex(1)
        self._fill_selector()
        self.plots.show_trace(trace)
        self.progress.reset_stop_button()
        self._show_state(trace)

    def trace(self, run_id: int | None = None) -> RunTrace | None:
        return self.traces.get(self.shown if run_id is None else run_id)

    def follow_external(self, trace: RunTrace) -> None:
        """Offer a run another process trains in the selector (shown if nothing is)."""
        self.traces[trace.run_id] = trace
        self.external.add(trace.run_id)
        if self.shown is None:
            self.show_run(trace.run_id)
        else:
            self._fill_selector()

    def external_grew(self, run_id: int) -> None:
        """New points of an external run are in its trace."""
        trace = self.traces.get(run_id)
        if trace is not None and run_id == self.shown:
            self.own_metrics.show_trace(trace)  # a script's first keys come after its start
            if not self._redraw_timer.isActive():
                self._redraw_timer.start(redraw_wait_ms(self._redraw_cost))

    def external_ended(self, run_id: int, ended: dict) -> None:
        self.external.discard(run_id)
        trace = self.traces.get(run_id)
        if trace is not None:
            self._end_trace(trace, ended)

    def _state_text(self, run_id: int, trace: RunTrace) -> str:
        if run_id in self.external:
            return "training in another process"
        if run_id in self.active:
            return "paused" if run_id in self.paused else "training"
        return (trace.ended or {}).get("status", "saved")

    def _show_state(self, trace: RunTrace) -> None:
        running = trace.run_id in self.active or trace.run_id in self.external
        self.progress.title.setText(f"{trace.name}  ({self._state_text(trace.run_id, trace)})")
        # Pause and Stop reach this app's runs only.
        self.progress.set_active(trace.run_id in self.active, trace.run_id in self.paused)
        self.progress.show_progress(trace.progress(), paused=trace.run_id in self.paused,
                                    running=running)
        self.progress.show_resources(trace.resources)
        self.progress.show_outcome(trace.ended)
        self.own_metrics.show_trace(trace)

    def _fill_selector(self) -> None:
        self.run_selector.clear()
        for run_id, trace in self.traces.items():
            self.run_selector.addItem(f"#{run_id}  {trace.name}  "
                                      f"({self._state_text(run_id, trace)})", run_id)
        self.run_selector.setCurrentIndex(self.run_selector.findData(self.shown))
        self.selector_row.setVisible(len(self.traces) > 1)

    def _prune(self) -> None:
        finished = [rid for rid in self.traces if rid not in self.active
                    and rid not in self.external and rid != self.shown]
        for run_id in finished[:-KEEP_FINISHED] if len(finished) > KEEP_FINISHED else []:
            del self.traces[run_id]

    # -- bridge events -------------------------------------------------------------
    @Slot(int, dict)
    def _on_run_started(self, run_id: int, info: dict) -> None:
        trace = self.traces[run_id]
        trace.start(info)
        if run_id == self.shown:
            if self.plots.trace is trace:  # shown since watch(), still without points
                self.plots.trace_started()
            else:
                self.plots.show_trace(trace)
            self._show_state(trace)

    @Slot(int, object)
    def _on_points_arrived(self, run_id: int, batch: object) -> None:
        trace = self.traces.get(run_id)
        if trace is None:
            return
        trace.add_batch(batch)
        if run_id != self.shown:
            return
        if not self._redraw_timer.isActive():
            self._redraw_timer.start(redraw_wait_ms(self._redraw_cost))

    @Slot()
    def _on_redraw_due(self) -> None:
        trace = self.traces.get(self.shown)
        if trace is None:
            return
        started = time.perf_counter()
        self.plots.refresh()
        self.progress.show_progress(trace.progress(), paused=trace.run_id in self.paused)
        # The paint comes later, once pyqtgraph has applied the new ranges: count the
        # last one measured.
        self._redraw_cost = time.perf_counter() - started + self.plots.last_paint_seconds()

    @Slot(int, dict)
    def _on_resources_sampled(self, run_id: int, sample: dict) -> None:
        trace = self.traces.get(run_id)
        if trace is not None:
            trace.resources = dict(sample)
            if run_id == self.shown:
                self.progress.show_resources(trace.resources)

    @Slot(int, dict)
    def _on_run_ended(self, run_id: int, ended: dict) -> None:
        trace = self.traces.get(run_id)
        self.active.discard(run_id)
        self.paused.discard(run_id)
        if trace is not None:
            self._end_trace(trace, ended)

    def _end_trace(self, trace: RunTrace, ended: dict) -> None:
        run_id = trace.run_id
        trace.end(ended)
        self._fill_selector()
        if run_id == self.shown:
            self._redraw_timer.stop()
            self.plots.refresh()
            self._show_state(trace)

    # -- controls ------------------------------------------------------------------
    @Slot(int)
    def _on_run_selected(self, index: int) -> None:
        self.show_run(self.run_selector.itemData(index))

    @Slot()
    def _on_stop_clicked(self) -> None:
        if self.shown in self.active:
            self.stop_requested.emit(self.shown)

    @Slot(bool)
    def _on_pause_toggled(self, paused: bool) -> None:
        if self.shown not in self.active:
            return
        (self.paused.add if paused else self.paused.discard)(self.shown)
        self.pause_requested.emit(self.shown, paused)
        self._show_state(self.traces[self.shown])
