"""The sweep panel's running side: following the sweeps the controller runs.

Each ``SweepSession`` the context's controller starts is followed here: its live
batches feed the shown sweep's curves, trial events re-read the core's
``sweep_summary`` (throttled), and its end refreshes the list and says how it ended.
``SweepPanel`` adds defining, starting, resuming and cancelling.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from dlstudio.gui.sweeps.gpu_use import gpu_use, gpu_use_text
from dlstudio.gui.sweeps.progress import metric_curve
from dlstudio.gui.sweeps.sweep_panel_layout import SweepPanelLayout
from dlstudio.gui.workers.sweep_worker import SweepSession
from dlstudio.training.sweeps.summary import sweep_summary

# Sweep events after which the shown sweep is re-read from the store.
TRIAL_EVENTS = ("SweepStarted", "TrialStarted", "TrialFinished", "FinalRunStarted",
                "FinalRunFinished", "SweepPaused", "SweepEnded")
CURVE_POINTS = 2000  # per stored curve; longer ones come back min/max-downsampled
GPU_REFRESH_MS = 2000  # runs sample their GPU use this often (ResourceMonitor)


class SweepFollower(SweepPanelLayout):
    """Follows the running sweeps; shows the one chosen (``shown_id``)."""

    sweep_started = Signal(int)  # sweep id, once its thread started
    sweep_updated = Signal(int)  # the shown sweep was re-read from the store
    sweep_finished = Signal(int, str)  # sweep id, finished | paused | failed (thread gone)

    def __init__(self, context, parent: QWidget | None = None, debounce_ms: int = 250):
        super().__init__(context, parent, debounce_ms=debounce_ms)
        self.store = context.store
        self.controller = context.controller
        self.sessions: dict[int, SweepSession] = {}  # running sweeps, by id
        self.shown_id: int | None = None
        self._closed = False
        self._refresh_timer = QTimer(self, singleShot=True, interval=150)
        self._refresh_timer.timeout.connect(self._on_refresh_due)
        self._gpu_timer = QTimer(self, interval=GPU_REFRESH_MS)
        self._gpu_timer.timeout.connect(self._on_gpu_timer)
        self.controller.sweep_session_started.connect(self._on_sweep_session_started)
        self.controller.queue.changed.connect(self._on_queue_changed)

    def show_sweep(self, sweep_id: int) -> None:
        """Show a stored sweep: its trials, plots and stored curves."""
        self.shown_id = sweep_id
        self.results.show_sweep(self.store.get_sweep(sweep_id))
        self.results_stack.show_content(True)
        summary = self._apply_summary()
        self.sweep_list.select(sweep_id, quietly=True)
        for trial in summary["trials"]:
            if trial["run_id"] is not None:
                self._load_curves(trial["run_id"])
        self._update_buttons()

    @Slot()
    def refresh(self) -> None:
        """Re-read the stored sweeps and the one shown."""
        if self._closed:
            return
        summaries = [sweep_summary(self.store, s["id"]) for s in self.store.list_sweeps()]
        self.sweep_list.set_sweeps(summaries)
        if self.shown_id is not None:
            self._apply_summary()
        self.list_tabs.setTabText(1, f"Stored sweeps ({len(summaries)})")
        self._update_buttons()

    @property
    def session(self) -> SweepSession | None:
        """The session of the sweep shown, while it runs."""
        return self.sessions.get(self.shown_id) if self.shown_id is not None else None

    def _update_buttons(self) -> None:
        """Enable the panel's buttons for what runs now (``SweepPanel`` does)."""

    def set_paused(self, paused: bool) -> None:
        """Pause (training trials wait between two steps) or continue the sweep."""
        if self.session is not None and not self.session.stopping:
            self.session.set_paused(paused)
            self.pause_button.setText("Continue" if paused else "Pause")
            # The list follows when the runner has marked the row (its SweepPaused).
            self._say("Paused: training trials wait between two steps." if paused else
                      "Continuing.")

    def stop_sweep(self) -> None:
        """Stop: running trials stop within one step; the sweep stays resumable."""
        if self.session is not None:
            self.session.stop()
            self._say("Stopping: the running trials stop within one step; the sweep can "
                      "be resumed from the Stored sweeps tab.")
            self._update_buttons()

    @Slot(object)
    def _on_sweep_session_started(self, session: SweepSession) -> None:
        if self._closed:
            return
        sweep_id = session.sweep_id
        self.sessions[sweep_id] = session
        session.batch_received.connect(self._on_batch_received)
        session.sweep_failed.connect(self._on_sweep_failed)
        session.session_ended.connect(self._on_session_ended)
        self.show_sweep(sweep_id)
        self.pause_button.setText("Pause")
        self._say(f"Sweep {sweep_id} is running.")
        self._update_buttons()
        self.sweep_started.emit(sweep_id)

    @Slot()
    def _on_queue_changed(self) -> None:
        if not self._closed:
            self._update_buttons()

    @Slot(object)
    def _on_batch_received(self, batch: dict) -> None:
        if self._closed:
            return
        if self.shown_id is not None and batch.get("sweep_id") == self.shown_id:
            for run_id, curves in batch["curves"].items():
                self.results.add_points(run_id, curves)
        if any(event["type"] in TRIAL_EVENTS for event in batch["events"]):
            if not self._refresh_timer.isActive():
                self._refresh_timer.start(150)

    @Slot(str)
    def _on_sweep_failed(self, message: str) -> None:
        self._say(message, error=True)

    @Slot(int)
    def _on_session_ended(self, sweep_id: int) -> None:
        session = self.sessions.pop(sweep_id, None)
        if self._closed:
            return
        failure = session.failure if session is not None else ""
        self._refresh_timer.stop()
        self.pause_button.setText("Pause")
        self.refresh()
        self.form.validate_now()  # the new runs make the time estimate better
        if self.shown_id == sweep_id:
            self.show_sweep(sweep_id)  # the stored curves are the whole record
        status = "failed" if failure else self.store.get_sweep(sweep_id)["status"]
        if not failure:
            self._say({"finished": f"Sweep {sweep_id} finished.",
                       "paused": f"Sweep {sweep_id} stopped; resume it any time from the "
                                 "Stored sweeps tab."}.get(status, f"Sweep {sweep_id}: {status}."))
        self.sweep_finished.emit(sweep_id, status)

    @Slot()
    def _on_refresh_due(self) -> None:
        if not self._closed and self.shown_id is not None:
            self._apply_summary()

    def _apply_summary(self) -> dict:
        summary = sweep_summary(self.store, self.shown_id)
        self.results.apply_summary(summary)
        self._show_gpu_use()
        self.sweep_list.update_sweep(summary)
        self.list_tabs.setTabText(1, f"Stored sweeps ({len(self.sweep_list.summaries)})")
        self.sweep_updated.emit(self.shown_id)
        return summary

    def _show_gpu_use(self) -> None:
        """Each GPU's running trial, re-read while the shown sweep runs (here or in
        another process)."""
        summary = self.results.summary
        running = summary is not None and summary["status"] == "running"
        self.results.show_gpu_use(gpu_use_text(gpu_use(self.store, summary["trials"]))
                                  if running else "")
        if running and not self._gpu_timer.isActive():
            self._gpu_timer.start()
        elif not running:
            self._gpu_timer.stop()

    @Slot()
    def _on_gpu_timer(self) -> None:
        if not self._closed and self.results.summary is not None:
            self._show_gpu_use()

    def _load_curves(self, run_id: int) -> None:
        key, _ = metric_curve(self.results.metric)
        self.results.load_curves(run_id, self.store.read_curve(run_id, key, CURVE_POINTS),
                                 self.store.read_curve(run_id, "loss", CURVE_POINTS))
