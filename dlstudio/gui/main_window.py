"""The main window: the Train tab (form, live view, queue) and the other panels as tabs.

It owns the GUI thread's store connection, the ``TrainingController`` and the window
state kept in ``QSettings``. Closing it while runs train asks first (``confirm_stop``
is injectable), then stops the workers, joins their threads and closes the database.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Callable

import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QApplication, QMainWindow, QMessageBox, QSplitter, QTabWidget,
                               QWidget)

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.gui.live_view import LiveViewWidget
from dlstudio.gui.optional_panels import load_panel
from dlstudio.gui.queue_panel import QueuePanel
from dlstudio.gui.run_form import RunFormWidget
from dlstudio.gui.saved_run import load_latest_trace, load_trace
from dlstudio.gui.status_bar import AppStatusBar
from dlstudio.gui.study_panels import StudyPanels
from dlstudio.gui.training_controller import TrainingController
from dlstudio.store import Store

log = logging.getLogger(__name__)


def ask_to_stop(parent: QWidget, running: int) -> bool:
    """The default close question."""
    runs = "A run is" if running == 1 else f"{running} runs are"
    answer = QMessageBox.question(
        parent, "Stop training?",
        f"{runs} still training. Stop and quit?\n\nWhat was trained so far and the last "
        "checkpoint are kept; the run is marked stopped and can be resumed later.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


class MainWindow(QMainWindow):
    """dlstudio's window on one database file."""

    run_started = Signal(int)
    run_finished = Signal(int, dict)  # re-emitted in the GUI thread after the thread ended

    def __init__(self, db_path: Path, settings: QSettings | None = None,
                 confirm_stop: Callable[[QWidget, int], bool] | None = None,
                 devices: list[tuple[str, str]] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        if devices is None:
            from dlstudio.training.device import available_devices

            devices = available_devices()
        # No global antialiasing: it makes dense curves (20 overlaid runs) ~4x slower to
        # paint; the few curves that gain from it ask for it themselves.
        pg.setConfigOptions(background="w", foreground="k")
        self.db_path = Path(db_path)
        self.settings = settings if settings is not None else QSettings("dlstudio", "dlstudio")
        self.confirm_stop = confirm_stop or ask_to_stop
        self.store = Store(self.db_path)
        self.controller = TrainingController(self.db_path, self.store, parent=self)
        self.form = RunFormWidget(devices, self)
        self.live_view = LiveViewWidget(self)
        self.queue_panel = QueuePanel(self.controller.queue, self)
        self.tabs = QTabWidget(self)
        self.status = AppStatusBar(self.db_path, devices, self)
        self.runs_panel = self.compare_view = None
        self._closed = False
        self.setWindowTitle(f"dlstudio — {self.db_path.name}")
        self.setStatusBar(self.status)
        self._build()
        self._connect()
        self._restore_settings()
        self._restore_queue()
        self._on_activity_changed()
        if (latest := load_latest_trace(self.store)) is not None:
            self.live_view.show_saved(latest)

    # -- layout --------------------------------------------------------------------
    def _build(self) -> None:
        self.right_splitter = QSplitter(Qt.Orientation.Vertical)
        self.right_splitter.addWidget(self.live_view)
        self.right_splitter.addWidget(self.queue_panel)
        self.right_splitter.setStretchFactor(0, 5)
        self.right_splitter.setStretchFactor(1, 1)
        self.train_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.train_splitter.addWidget(self.form)
        self.train_splitter.addWidget(self.right_splitter)
        self.train_splitter.setStretchFactor(0, 0)
        self.train_splitter.setStretchFactor(1, 1)
        self.train_splitter.setCollapsible(0, False)
        self.train_splitter.setSizes([450, 830])
        self.right_splitter.setSizes([680, 90])
        self.tabs.addTab(self.train_splitter, "Train")
        self.runs_panel = load_panel("dlstudio.gui.runs_panel", "RunsPanel", self.db_path, self)
        self.add_panel(self.runs_panel, "Runs")
        self.compare_view = load_panel("dlstudio.gui.compare_view", "CompareView", self.db_path, self)
        self.add_panel(self.compare_view, "Compare")
        self.study_panels = StudyPanels(self)
        self.setCentralWidget(self.tabs)
        self.resize(1280, 800)

    def add_panel(self, widget: QWidget, title: str) -> int:
        """Add a panel as a tab (sweeps, LR finder ...); returns its tab index."""
        return self.tabs.addTab(widget, title)

    def _connect(self) -> None:
        self.form.run_requested.connect(self._on_run_requested)
        self.form.queue_requested.connect(self._on_queue_requested)
        self.form.validated.connect(self._on_form_validated)
        self.live_view.stop_requested.connect(self._on_stop_requested)
        self.live_view.pause_requested.connect(self._on_pause_requested)
        self.queue_panel.hold_toggled.connect(self._on_hold_toggled)
        self.controller.session_started.connect(self._on_session_started)
        self.controller.run_finished.connect(self._on_run_finished)
        self.controller.activity_changed.connect(self._on_activity_changed)
        self._connect_panel(self.runs_panel, {"run_again_requested": self._on_run_again_requested,
                                              "compare_requested": self._on_compare_requested,
                                              "open_run_requested": self._on_open_run_requested,
                                              "resume_requested": self._on_resume_requested})
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @staticmethod
    def _connect_panel(panel: QWidget, handlers: dict[str, Callable]) -> None:
        for signal_name, handler in handlers.items():
            signal = getattr(panel, signal_name, None)
            if signal is not None:
                signal.connect(handler)

    # -- the form ------------------------------------------------------------------
    @Slot(object)
    def _on_run_requested(self, config: RunConfig) -> None:
        try:
            run_id = self.controller.run_now(config)
        except ConfigError as error:
            self.form.show_problems(error.problems)
            return
        self.status.showMessage(f"Run #{run_id} started.", 5000)

    @Slot(object)
    def _on_queue_requested(self, config: RunConfig) -> None:
        try:
            run_id = self.controller.enqueue(config)
        except ConfigError as error:
            self.form.show_problems(error.problems)
            return
        self._refresh_runs()
        self.status.showMessage(f"Run #{run_id} queued.", 5000)

    @Slot(list)
    def _on_form_validated(self, problems: list) -> None:
        self._update_run_blocked()

    def _update_run_blocked(self) -> None:
        try:
            config = RunConfig.from_dict(self.form.values())
        except ConfigError:
            return  # the form shows those problems itself
        self.form.set_blocked(self.controller.busy_reason(config))

    # -- training ------------------------------------------------------------------
    @Slot(object)
    def _on_session_started(self, session) -> None:
        name = self.store.get_run(session.run_id)["name"]
        self.live_view.watch(session.bridge, name)
        self._refresh_runs()
        self.run_started.emit(session.run_id)

    @Slot(int, dict)
    def _on_run_finished(self, run_id: int, ended: dict) -> None:
        if self._closed:
            return
        self._refresh_runs()
        status = ended.get("status", "?")
        message = f"Run #{run_id} {status}."
        if status == "failed":
            message += f" {ended.get('error', '')}"
        self.status.showMessage(message, 10000)
        self.run_finished.emit(run_id, ended)

    @Slot(int)
    def _on_stop_requested(self, run_id: int) -> None:
        self.controller.stop(run_id)
        self.status.showMessage(f"Stopping run #{run_id}…", 3000)

    @Slot(int, bool)
    def _on_pause_requested(self, run_id: int, paused: bool) -> None:
        self.controller.set_paused(run_id, paused)

    @Slot(bool)
    def _on_hold_toggled(self, held: bool) -> None:
        self.controller.set_held(held)

    @Slot()
    def _on_activity_changed(self) -> None:
        if self._closed:
            return
        self._update_run_blocked()  # a run or sweep took or left a device
        self.status.set_activity(self.controller.active_runs(), len(self.controller.queue),
                                 self.controller.held, self.controller.active_sweeps())

    def _restore_queue(self) -> None:
        count = self.controller.restore_queued()
        if count:
            self.queue_panel.set_held(True)
            what = "1 run or sweep was" if count == 1 else f"{count} runs and sweeps were"
            self.status.showMessage(f"{what} left queued: press Start queue to train them.",
                                    15000)

    # -- other panels --------------------------------------------------------------
    def _refresh_runs(self) -> None:
        refresh = getattr(self.runs_panel, "refresh", None)
        if refresh is not None:
            refresh()

    @Slot(dict)
    def _on_run_again_requested(self, config: dict) -> None:
        self.form.set_config(config)
        self.tabs.setCurrentIndex(0)
        self.status.showMessage("The form holds that run's settings: change them and press Run.",
                                8000)

    @Slot(int)
    def _on_resume_requested(self, run_id: int) -> None:
        from dlstudio.gui.run_resume import resume_run

        try:
            self.status.showMessage(resume_run(self.controller, run_id), 8000)
        except ConfigError as error:  # not resumable, or its device is busy: say why
            self.status.showMessage(" ".join(error.problems), 15000)
            return
        self.tabs.setCurrentIndex(0)  # watch it train

    @Slot(list)
    def _on_compare_requested(self, run_ids: list) -> None:
        set_runs = getattr(self.compare_view, "set_runs", None)
        if set_runs is not None:
            set_runs(list(run_ids))
            self.tabs.setCurrentWidget(self.compare_view)

    @Slot(int)
    def _on_open_run_requested(self, run_id: int) -> None:
        if run_id in self.controller.sessions:
            self.live_view.show_run(run_id)
        else:
            self.live_view.show_saved(load_trace(self.store, run_id))
        self.tabs.setCurrentIndex(0)

    # -- settings and closing ------------------------------------------------------
    def _restore_settings(self) -> None:
        settings = self.settings
        if settings.value("window/geometry") is not None:
            self.restoreGeometry(settings.value("window/geometry"))
        for name in ("train_splitter", "right_splitter"):
            state = settings.value(f"window/{name}")
            if state is not None:
                getattr(self, name).restoreState(state)
        form_values = settings.value("form/last_config")
        if form_values:
            try:
                self.form.set_config(json.loads(form_values))
            except (ValueError, TypeError):
                log.warning("ignoring an unreadable saved form config")
        options = self.live_view.plots.options
        options.log_y.setChecked(settings.value("plots/log_y", False, type=bool))
        options.smoothing.setValue(settings.value("plots/smoothing", 0, type=int))

    def _save_settings(self) -> None:
        settings = self.settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/train_splitter", self.train_splitter.saveState())
        settings.setValue("window/right_splitter", self.right_splitter.saveState())
        last = {key: value for key, value in self.form.values().items() if key != "name"}
        settings.setValue("form/last_config", json.dumps(last))  # a name is for one run
        options = self.live_view.plots.options
        settings.setValue("plots/log_y", options.log_y.isChecked())
        settings.setValue("plots/smoothing", options.smoothing.value())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        running = self.controller.running_count()
        if running and not self._closed and not self.confirm_stop(self, running):
            event.ignore()
            return
        self.shutdown()
        event.accept()

    @Slot()
    def shutdown(self) -> None:
        """Save the window state, stop and join every thread, close the database (once)."""
        if self._closed:
            return
        self._closed = True
        self._save_settings()
        self.controller.shutdown()
        self.form.shutdown()
        self.study_panels.shutdown()
        for panel in (self.runs_panel, self.compare_view):
            close = getattr(panel, "shutdown", None)
            if close is not None:
                close()
        self.store.close()

