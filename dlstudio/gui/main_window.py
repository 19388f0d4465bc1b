"""The main window: one tab per panel over one ``AppContext``, a status bar, closing.

Train is built with the window; every other tab when it is first opened or first
asked for (``PanelTabs``): the window opens as fast as the Train tab alone needs, and
the Runs table reads 10,000 runs only when someone looks at it. ``TabWiring``
connects the tabs to each other. Closing the window while runs train asks first
(``confirm_stop`` is injectable), then stops the panels' threads, saves the window
state and closes the context (the controller's threads joined, the store closed).
"""

from __future__ import annotations

from typing import Callable

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from dlstudio.gui.about_dialog import show_about
from dlstudio.gui.check_dialog import CheckDialog
from dlstudio.gui.compact_dialog import BUSY_TO_COMPACT, CompactDialog
from dlstudio.gui.compact_dialog import TITLE as COMPACT_TITLE
from dlstudio.gui.common.theme import SETTING as THEME_SETTING
from dlstudio.gui.common.theme import ThemeKeeper
from dlstudio.gui.compare.compare_panel import ComparePanel
from dlstudio.gui.context import AppContext
from dlstudio.gui.diagnosis.diagnosis_panel import DiagnosisPanel
from dlstudio.gui.lab.optimizer_lab_panel import OptimizerLabPanel
from dlstudio.gui.lr_finder.lr_finder_panel import LRFinderPanel
from dlstudio.gui.menu_bar import MainMenus
from dlstudio.gui.panel_tabs import PanelTabs
from dlstudio.gui.preferences_dialog import PreferencesDialog
from dlstudio.gui.runs.runs_panel import RunsPanel
from dlstudio.gui.status_bar import AppStatusBar
from dlstudio.gui.sweeps.sweep_panel import SweepPanel
from dlstudio.gui.tab_wiring import TabWiring
from dlstudio.gui.train.train_panel import TrainPanel

DEFAULT_SIZE = QSize(1280, 800)  # what the panels are laid out for
LAZY_PANELS = (("runs", RunsPanel), ("compare", ComparePanel), ("sweeps", SweepPanel),
               ("lr_finder", LRFinderPanel), ("diagnosis", DiagnosisPanel),
               ("optimizer_lab", OptimizerLabPanel))


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


def ask_preferences(parent: QWidget, theme: str) -> str | None:
    """The default preferences dialog: the theme chosen, or None when cancelled."""
    dialog = PreferencesDialog(theme, parent)
    return dialog.theme() if dialog.exec() == PreferencesDialog.DialogCode.Accepted else None


class MainWindow(QMainWindow):
    """dlstudio's window on one database file; it closes ``context`` when it closes."""

    run_started = Signal(int)
    run_finished = Signal(int, dict)  # re-emitted in the GUI thread after the thread ended

    def __init__(self, context: AppContext,
                 confirm_stop: Callable[[QWidget, int], bool] | None = None,
                 devices: list[tuple[str, str]] | None = None, parent: QWidget | None = None,
                 preferences: Callable[[QWidget, str], str | None] | None = None):
        super().__init__(parent)
        if devices is None:
            from dlstudio.training.device import available_devices

            devices = available_devices()
        # No global antialiasing: it makes dense curves (20 overlaid runs) ~4x slower to
        # paint; the few curves that gain from it ask for it themselves. The theme sets
        # the plots' colours before any plot is built.
        pg.setConfigOptions(antialias=False)
        self.theme = ThemeKeeper(QApplication.instance())
        self.theme.apply(str(context.settings.value(THEME_SETTING, "system")))
        self.ask_preferences = preferences or ask_preferences
        self.context = context
        self.controller = context.controller
        self.confirm_stop = confirm_stop or ask_to_stop
        self._closed = False
        self._check: CheckDialog | None = None  # File > Check database, once opened
        self._compact: CompactDialog | None = None  # File > Compact database, the last
        self.setWindowTitle(f"dlstudio — {context.db_path.name}")
        self.devices = devices
        self.status = AppStatusBar(context.db_path, devices, self)
        self.setStatusBar(self.status)
        self.tabs = PanelTabs(self)
        self.wiring = TabWiring(self.tabs, self.controller, self.status, context.watcher)
        self.train = TrainPanel(context, devices)
        self.tabs.add("train", self.train)
        for key, panel_class in LAZY_PANELS:
            self.tabs.add_lazy(key, panel_class.tab_title,
                               lambda parent, cls=panel_class: cls(context, parent))
        self.form, self.live_view = self.train.form, self.train.live_view
        self.queue_view = self.train.queue_view
        self.setCentralWidget(self.tabs)
        self.menus = MainMenus(self)
        self._fit_first_size()
        self.controller.session_started.connect(self._on_session_started)
        self.controller.run_finished.connect(self._on_run_finished)
        self.controller.activity_changed.connect(self._on_activity_changed)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._restore_settings()
        self._restore_queue()
        self._on_activity_changed()

    @property
    def runs_panel(self) -> RunsPanel:
        """The Runs tab's panel, built now if it was not yet."""
        return self.tabs.panel("runs")

    @property
    def compare_panel(self) -> ComparePanel:
        """The Compare tab's panel, built now if it was not yet."""
        return self.tabs.panel("compare")

    # -- what the controller says --------------------------------------------------------
    @Slot(object)
    def _on_session_started(self, session) -> None:
        self.run_started.emit(session.run_id)

    @Slot(int, dict)
    def _on_run_finished(self, run_id: int, ended: dict) -> None:
        if self._closed:
            return
        status = ended.get("status", "?")
        message = f"Run #{run_id} {status}."
        if status == "failed":
            message += f" {ended.get('error', '')}"
        self.status.showMessage(message, 10000)
        self.run_finished.emit(run_id, ended)

    @Slot()
    def _on_activity_changed(self) -> None:
        if self._closed:
            return
        self.train.update_run_blocked()  # a run or sweep took or left a device
        self.status.set_activity(self.controller.active_runs(), len(self.controller.queue),
                                 self.controller.held, self.controller.active_sweeps())

    def _restore_queue(self) -> None:
        count = self.controller.restore_queued()
        if count:
            self.queue_view.set_held(True)
            what = "1 run or sweep was" if count == 1 else f"{count} runs and sweeps were"
            self.status.showMessage(f"{what} left queued: press Start queue to train them.",
                                    15000)

    @Slot()
    def edit_preferences(self) -> None:
        """Ask for the preferences; apply and save them when accepted."""
        theme = self.ask_preferences(self, self.theme.choice)
        if theme is not None:
            self.theme.apply(theme)
            self.context.settings.setValue(THEME_SETTING, theme)

    @Slot()
    def check_database(self) -> CheckDialog:
        """File > Check database: read every page on a worker thread (the box shows the
        one still running, if any); returns the box."""
        if self._check is None or not self._check.running:
            self._check = CheckDialog(self.context.db_path, self)
        self._check.open()
        return self._check

    @Slot()
    def compact_database(self) -> QMessageBox:
        """File > Compact database: the rewrite behind a window-modal box, refused while
        this app trains, holds a queue or runs an LR range test (it would hold up their
        writes); returns the box."""
        lr_finder = self.tabs.panels.get("lr_finder")
        if self.controller.running_count() or len(self.controller.queue) or (
                lr_finder is not None and lr_finder.running):
            box = QMessageBox(QMessageBox.Icon.Information, COMPACT_TITLE, BUSY_TO_COMPACT,
                              QMessageBox.StandardButton.Close, self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        else:
            box = self._compact = CompactDialog(self.context.db_path, self)
        box.open()
        return box

    @Slot()
    def show_about(self) -> QMessageBox:
        """Help > About: versions, database and devices (not blocking); returns the box."""
        return show_about(self, self.context.db_path, self.devices)

    # -- settings and closing ------------------------------------------------------------
    def _fit_first_size(self) -> None:
        # A laptop's 1366x768 or a 1024x700 screen is smaller than the size the panels are
        # laid out for: there the first window fills the screen instead of running off it.
        # A saved geometry, restored next, replaces this.
        fitted = DEFAULT_SIZE.boundedTo(self.screen().availableGeometry().size())
        self.resize(fitted)
        if fitted != DEFAULT_SIZE:
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def _restore_settings(self) -> None:
        settings = self.context.settings
        if settings.value("window/geometry") is not None:
            self.restoreGeometry(settings.value("window/geometry"))
        self.train.restore_settings(settings)

    def _save_settings(self) -> None:
        settings = self.context.settings
        settings.setValue("window/geometry", self.saveGeometry())
        self.train.save_settings(settings)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802  (Qt's name)
        running = self.controller.running_count()
        if running and not self._closed and not self.confirm_stop(self, running):
            event.ignore()
            return
        self.shutdown()
        event.accept()

    @Slot()
    def shutdown(self) -> None:
        """Save the window state, stop and join every thread, close the context (once)."""
        if self._closed:
            return
        self._closed = True
        self._save_settings()
        for box in (self._check, self._compact):
            if box is not None:
                box.shutdown()
        self.controller.shutdown()  # first: a sweep panel follows the controller's sweeps
        for panel in self.tabs.panels.values():
            panel.shutdown()
        self.context.close()
