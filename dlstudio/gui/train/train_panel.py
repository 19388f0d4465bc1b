"""The Train tab: the run form on the left, the live view and the queue on the right.

Run and Queue go to the context's ``TrainingController``; a session it starts is
watched in the live view. Opening, resuming and "Run again" come from other tabs
through ``gui.tab_wiring`` and land here as the public slots below.
"""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.gui.common.panel import Panel
from dlstudio.gui.context import AppContext
from dlstudio.gui.train.live_view import LiveView
from dlstudio.gui.train.queue_view import QueueView
from dlstudio.gui.train.run_form import RunForm
from dlstudio.gui.train.saved_run import load_latest_trace, load_trace
from dlstudio.gui.train.external_runs import ExternalRuns
from dlstudio.gui.workers.run_resume import resume_run

log = logging.getLogger(__name__)


class TrainPanel(Panel):
    """Form, live view and queue of one window."""

    tab_title = "Train"
    runs_changed = Signal()  # a run was created or started: the runs table is stale
    compare_requested = Signal(list)  # run ids whose own metrics the Compare tab draws

    def __init__(self, context: AppContext, devices: list[tuple[str, str]],
                 parent: QWidget | None = None):
        super().__init__(context, parent)
        self.controller = context.controller
        self.form = RunForm(devices, self)
        self.live_view = LiveView(self)
        self.queue_view = QueueView(self.controller.queue, self)
        self._build()
        self.form.run_requested.connect(self._on_run_requested)
        self.form.queue_requested.connect(self._on_queue_requested)
        self.form.validated.connect(self._on_form_validated)
        self.live_view.stop_requested.connect(self._on_stop_requested)
        self.live_view.pause_requested.connect(self.controller.set_paused)
        self.live_view.own_metrics.compare_requested.connect(self.compare_requested)
        self.queue_view.hold_toggled.connect(self.controller.set_held)
        self.controller.session_started.connect(self._on_session_started)
        self.controller.activity_changed.connect(self.update_run_blocked)
        if (latest := load_latest_trace(context.store)) is not None:
            self.live_view.show_saved(latest)  # open on the newest run, not "no run yet"
        # Runs of other processes (the command line, the API) stream into the live view.
        self.external_runs = ExternalRuns(context.store, self.live_view, self)
        context.watcher.changed.connect(self.external_runs.poll)
        self.external_runs.poll()

    def _build(self) -> None:
        self.right_splitter = QSplitter(Qt.Orientation.Vertical)
        self.right_splitter.addWidget(self.live_view)
        self.right_splitter.addWidget(self.queue_view)
        self.right_splitter.setStretchFactor(0, 5)
        self.right_splitter.setStretchFactor(1, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.form)
        self.splitter.addWidget(self.right_splitter)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)
        self.splitter.setSizes([450, 830])
        self.right_splitter.setSizes([680, 90])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    # -- what other tabs ask for -----------------------------------------------------
    def form_config(self) -> RunConfig | None:
        """The form's config, or None while it has problems (the form shows them)."""
        try:
            return RunConfig.from_dict(self.form.values())
        except ConfigError:
            return None

    @Slot(dict)
    def load_config(self, values: dict) -> None:
        """Fill the form (a stored run's config, or some dotted keys)."""
        self.form.set_config(values)

    @Slot(int)
    def open_run(self, run_id: int) -> None:
        """Show a run in the live view: live while it trains, else its stored curves."""
        if run_id in self.controller.sessions or run_id in self.live_view.external:
            self.live_view.show_run(run_id)
        else:
            self.live_view.show_saved(load_trace(self.context.store, run_id))

    @Slot(int)
    def resume(self, run_id: int) -> bool:
        """Continue a run now or after the queue; False (and says why) when it cannot."""
        try:
            self.status_message.emit(resume_run(self.controller, run_id), 8000)
        except ConfigError as error:  # not resumable, or already queued: say why
            self.status_message.emit(" ".join(error.problems), 15000)
            return False
        return True

    @Slot()
    def update_run_blocked(self) -> None:
        """Disable Run while the form's device is taken by a run or a sweep."""
        config = self.form_config()
        if config is not None:
            self.form.set_blocked(self.controller.busy_reason(config))

    # -- the form and the live view --------------------------------------------------
    @Slot(object)
    def _on_run_requested(self, config: RunConfig) -> None:
        self._submit(self.controller.run_now, config, "started")

    @Slot(object)
    def _on_queue_requested(self, config: RunConfig) -> None:
        self._submit(self.controller.enqueue, config, "queued")

    def _submit(self, submit, config: RunConfig, done: str) -> None:
        """Create the run through ``submit``; its problems go next to the form's fields."""
        try:
            run_id = submit(config)
        except ConfigError as error:
            self.form.show_problems(error.problems)
            return
        if done == "queued":  # a started run says so through the session it starts
            self.runs_changed.emit()
        self.status_message.emit(f"Run #{run_id} {done}.", 5000)

    @Slot(list)
    def _on_form_validated(self, _problems: list) -> None:
        self.update_run_blocked()

    @Slot(object)
    def _on_session_started(self, session) -> None:
        self.live_view.watch(session.bridge, self.context.store.get_run(session.run_id)["name"])
        self.runs_changed.emit()

    @Slot(int)
    def _on_stop_requested(self, run_id: int) -> None:
        self.controller.stop(run_id)
        self.status_message.emit(f"Stopping run #{run_id}…", 3000)

    # -- settings and closing ----------------------------------------------------------
    def restore_settings(self, settings: QSettings) -> None:
        for name, splitter in (("train_splitter", self.splitter),
                               ("right_splitter", self.right_splitter)):
            state = settings.value(f"window/{name}")
            if state is not None:
                splitter.restoreState(state)
        form_values = settings.value("form/last_config")
        if form_values:
            try:
                self.form.set_config(json.loads(form_values))
            except (ValueError, TypeError):
                log.warning("ignoring an unreadable saved form config")
        options = self.live_view.plots.options
        options.log_y.setChecked(settings.value("plots/log_y", False, type=bool))
        options.smoothing.setValue(settings.value("plots/smoothing", 0, type=int))

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("window/train_splitter", self.splitter.saveState())
        settings.setValue("window/right_splitter", self.right_splitter.saveState())
        last = {key: value for key, value in self.form.values().items() if key != "name"}
        settings.setValue("form/last_config", json.dumps(last))  # a name is for one run
        options = self.live_view.plots.options
        settings.setValue("plots/log_y", options.log_y.isChecked())
        settings.setValue("plots/smoothing", options.smoothing.value())

    def shutdown(self) -> None:
        self.form.shutdown()
