"""The LR finder tab's widgets and where they sit; ``LRFinderPanel`` adds the behaviour."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QSplitter, QStackedWidget, QVBoxLayout, QWidget)

from dlstudio.gui.common.panel import Panel
from dlstudio.gui.lr_finder.lr_curve_plot import LRCurvePlot
from dlstudio.gui.lr_finder.lr_suggestion_bar import LRSuggestionBar
from dlstudio.gui.lr_finder.lr_test_history_list import LRTestHistoryList
from dlstudio.gui.lr_finder.lr_test_settings_form import LRTestSettingsForm

EMPTY_TEXT = (
    "<h2>Find a good learning rate in one short test</h2>"
    "<p>The LR range test trains the model from its fresh start for at most one epoch, "
    "multiplying the learning rate by a constant factor after every mini-batch, from "
    "<b>min LR</b> to <b>max LR</b>. It stops as soon as the smoothed loss explodes (4x its "
    "best), then puts the model back as it was.</p>"
    "<p>Pick the LR where the smoothed loss falls <b>fastest</b> (steepest descent), or "
    "the LR of the <b>minimum divided by 10</b> - at the minimum itself the loss is already "
    "about to blow up.</p>"
    "<p>It tests the config in the Train tab's form (mini-batch optimizers only: not GD "
    "or L-BFGS). Press <b>Run test</b>; past tests are listed on the left.</p>")



class LRFinderPanelLayout(Panel):
    """Settings, Run / Stop, progress and past tests on the left; the curve on the right."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._build()

    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._build_controls())
        splitter.addWidget(self._build_results())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 930])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _build_controls(self) -> QWidget:
        self.settings_form = LRTestSettingsForm()
        self.run_button = QPushButton("Run test")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.stop_button)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFormat("idle")
        self.progress.setValue(0)
        self.message = QLabel(wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.history = LRTestHistoryList()
        box = QGroupBox("Range test")
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.settings_form)
        box_layout.addLayout(buttons)
        box_layout.addWidget(self.progress)
        box_layout.addWidget(self.message)
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(box)
        column.addWidget(QLabel("<b>Past tests</b> (newest first)"))
        column.addWidget(self.history, 1)
        return panel

    def _build_results(self) -> QWidget:
        self.plot = LRCurvePlot()
        self.empty_state = QLabel(EMPTY_TEXT, wordWrap=True)
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_state.setContentsMargins(60, 20, 60, 20)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self.plot)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.suggestion_bar = LRSuggestionBar()
        results = QWidget()
        column = QVBoxLayout(results)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.title)
        column.addWidget(self.stack, 1)
        column.addWidget(self.suggestion_bar)
        return results
