"""The "Find LR" panel: the LR range test for the current config, its plot and history.

The test runs on an ``LRFinderSession`` (its own QThread); points stream into
``LRCurvePlot``; the two suggestions become buttons that emit ``lr_chosen`` for the run
form. Every finished test is saved in the store and listed under "Past tests", where a
click shows it again.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.lr_finder.lr_finder_panel_layout import LRFinderPanelLayout
from dlstudio.gui.context import AppContext
from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.gui.common.number_field import format_number
from dlstudio.gui.lr_finder.lr_finder_worker import LRFinderSession
from dlstudio.gui.lr_finder.lr_test_history_list import describe_config
from dlstudio.gui.lr_finder.lr_test_settings_form import SMOOTHING
from dlstudio.training.lr_finder import zero_lag_smooth
from dlstudio.training.optimizers import FULL_BATCH


class LRFinderPanel(LRFinderPanelLayout):
    """Run the LR range test, see the curve, send a suggestion to the run form."""

    lr_chosen = Signal(float, bool)  # lr, as the one-cycle max LR (else optim.lr)
    test_finished = Signal(dict)  # re-emitted in the GUI thread, with "test_id"
    test_failed = Signal(str)  # the message shown in the panel

    tab_title = "LR finder"

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.config = RunConfig()
        self.session: LRFinderSession | None = None
        self.run_button.clicked.connect(self._on_run_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.settings_form.settings_edited.connect(self._on_settings_edited)
        self.history.test_picked.connect(self._on_test_picked)
        self.suggestion_bar.lr_chosen.connect(self._on_lr_chosen)
        self._show_suggestions({})
        self.set_config(self.config)
        self.refresh_history()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- public API ----------------------------------------------------------------
    @Slot(object)
    def set_config(self, config: RunConfig | dict) -> None:
        """The config the next test measures (the run form's current one)."""
        try:
            if isinstance(config, dict):
                config = RunConfig.from_dict(config)
        except ConfigError as error:
            self._show_message("The config cannot be tested:\n" + "\n".join(error.problems),
                               error=True)
            return
        self.config = config
        self.settings_form.show_config(config.to_dict())
        warning = (f"{config.optim.name} is a full-batch optimizer: the test needs "
                   "mini-batches. Pick SGD, momentum, Adam ... in the form.")
        if config.optim.name in FULL_BATCH:
            self._show_message(warning, error=True)
        elif self.message.text().endswith("in the form."):  # only our own warning goes
            self._show_message("")

    def start_test(self) -> None:
        """Start a test with the settings shown; problems appear in the panel."""
        if self.session is not None:
            return
        problems = self.settings_form.problems()
        if problems:
            self._show_message("\n".join(problems), error=True)
            return
        settings = self.settings_form.settings()
        self.plot.clear((settings["min_lr"], settings["max_lr"]))
        self._show_suggestions({})
        self.stack.setCurrentWidget(self.plot)
        self.title.setText(f"Running: {describe_config(self.config.to_dict())}")
        self._show_message("")
        self._lr_span = (math.log(settings["min_lr"]), math.log(settings["max_lr"]))
        self.session = LRFinderSession(self.context.db_path, self.config, settings, self)
        self.session.points_received.connect(self._on_points_received)
        self.session.test_finished.connect(self._on_test_finished)
        self.session.test_failed.connect(self._on_test_failed)
        self.session.session_ended.connect(self._on_session_ended)
        self._set_running(True)
        self.session.start()

    def stop_test(self) -> None:
        if self.session is not None:
            self.session.stop()
            self.progress.setFormat("stopping ...")

    @property
    def running(self) -> bool:
        return self.session is not None

    @property
    def suggestions(self) -> dict[str, float]:
        """The suggested LRs shown (``steepest``, ``min_div_10``), {} before a test."""
        return self.suggestion_bar.suggestions

    def refresh_history(self) -> None:
        """Re-read the list of past tests from the store."""
        self.history.set_tests(self.context.store.list_lr_tests())

    def show_test(self, test_id: int) -> None:
        """Show a stored test again: its curve, suggestions and config."""
        test = self.context.store.get_lr_test(test_id)
        losses = np.array([np.nan if v is None else v for v in test["losses"]], float)
        curve = (test.get("details") or {}).get("suggestion_curve")
        self.plot.set_curve(test["lrs"], losses, self._smoothed(losses, curve))
        self.stack.setCurrentWidget(self.plot)
        self.title.setText(f"Test #{test_id}: {describe_config(test['config'])}")
        self._show_suggestions(test["suggestions"])

    def shutdown(self) -> None:
        """Stop a running test and wait for its thread."""
        if self.session is not None:
            self.session.shutdown()

    # -- slots ---------------------------------------------------------------------
    @Slot()
    def _on_run_clicked(self) -> None:
        self.start_test()

    @Slot()
    def _on_stop_clicked(self) -> None:
        self.stop_test()

    @Slot()
    def _on_settings_edited(self) -> None:
        problems = self.settings_form.problems()
        self._show_message("\n".join(problems), error=True)
        self.run_button.setEnabled(not problems and self.session is None)

    @Slot(object)
    def _on_points_received(self, batch: dict) -> None:
        self.plot.add_points(batch["lr"], batch["loss"], batch["smoothed"])
        lr = float(batch["lr"][-1])
        low, high = self._lr_span
        self.progress.setValue(int(1000 * (math.log(lr) - low) / (high - low)))
        self.progress.setFormat(f"LR {format_number(lr, 2)} · {self.plot.raw.n} mini-batches")

    @Slot(dict)
    def _on_test_finished(self, result: dict) -> None:
        losses = np.asarray(result["losses"], float)
        self.plot.set_curve(result["lrs"], losses,
                            self._smoothed(losses, result["suggestion_curve"]))
        self._show_suggestions(result["suggestions"])
        self.title.setText(f"Test #{result['test_id']}: {describe_config(self.config.to_dict())}")
        self._show_message(self._ending(result))
        self.refresh_history()
        self.test_finished.emit(result)

    @Slot(str)
    def _on_test_failed(self, message: str) -> None:
        self._show_message(message, error=True)
        if self.plot.raw.n == 0:
            self.stack.setCurrentWidget(self.empty_state)
            self.title.setText("")
        self.test_failed.emit(message)

    @Slot()
    def _on_session_ended(self) -> None:
        self.session = None
        self._set_running(False)

    @Slot(int)
    def _on_test_picked(self, test_id: int) -> None:
        if self.session is not None:
            return
        try:
            self.show_test(test_id)
        except ConfigError as error:
            self._show_message("\n".join(error.problems), error=True)

    @Slot(float, bool)
    def _on_lr_chosen(self, lr: float, onecycle: bool) -> None:
        self.lr_chosen.emit(lr, onecycle)

    # -- helpers -------------------------------------------------------------------
    def _show_suggestions(self, suggestions: dict[str, float]) -> None:
        self.suggestion_bar.set_suggestions(suggestions)
        self.plot.show_suggestions(self.suggestion_bar.suggestions)

    def _ending(self, result: dict) -> str:
        points = len(result["lrs"])
        text = f"Done: {points} mini-batches of {result['batch_size']} samples, saved as test " \
               f"#{result['test_id']}."
        if result.get("stopped_by_user"):
            return text + " Stopped by you: the suggestions only cover the LRs tested."
        if not result["stopped_early"]:
            return text + (" The loss never exploded, so the minimum may lie beyond max LR: "
                           "raise max LR and test again.")
        return text + " The loss exploded at the end, as it should."

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.settings_form.setEnabled(not running)
        self.history.setEnabled(not running)
        if running:
            self.progress.setValue(0)
            self.progress.setFormat("loading the data ...")
        else:
            done = bool(self.suggestions)
            self.progress.setValue(self.progress.maximum() if done else 0)
            self.progress.setFormat("done" if done else "idle")

    def _show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c62828;" if error else "")

    @staticmethod
    def _smoothed(losses: np.ndarray, curve: list[float] | None) -> np.ndarray:
        """The curve the suggestions were read from; it leaves out the final blow-up.

        Tests stored before the curve was kept are smoothed again the same way.
        """
        smoothed = np.full(len(losses), np.nan)
        if curve is not None:
            smoothed[:len(curve)] = curve
            return smoothed
        finite = np.isfinite(losses)
        smoothed[finite] = zero_lag_smooth(losses[finite], SMOOTHING)
        return smoothed
