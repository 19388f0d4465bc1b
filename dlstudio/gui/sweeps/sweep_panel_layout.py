"""The sweep panel's widgets and where they sit; ``SweepPanel`` adds the behaviour.

Left, in two tabs: "New sweep" (the form in a scroll area, file buttons, the plan) and
"Stored sweeps" (the list with Resume and Cancel); under both, Start / Pause / Stop and
a message line. Right: the shown sweep, or an empty state that says how to begin.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFrame, QGroupBox, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.theme import dim
from dlstudio.gui.common.panel import Panel
from dlstudio.gui.sweeps.sweep_form import SweepForm
from dlstudio.gui.sweeps.sweep_list_view import SweepListView
from dlstudio.gui.sweeps.sweep_plan_view import SweepPlanView
from dlstudio.gui.common.empty_stack import EmptyStack
from dlstudio.gui.sweeps.sweep_results_view import SweepResultsView

WELCOME = (
    "<h2>Hyperparameter sweeps</h2>"
    "<p><b>1. Choose what to search.</b> On the left, add a row per setting: a "
    "<i>float range</i> (tick <i>log</i> for learning rates and weight decay), an "
    "<i>int range</i>, or a list of <i>values</i> such as <tt>adam, sgd</tt> or "
    "<tt>[64], [128, 64]</tt>. Every other setting comes from the base config (the Train "
    "tab's form).</p>"
    "<p><b>2. Choose how.</b> Grid and random search train every trial fully; successive "
    "halving, Hyperband and ASHA stop weak trials early and let the best continue from "
    "their checkpoints; Bayesian search learns from the results. The plan under the form shows "
    "how many trials and epochs that is, and about how long.</p>"
    "<p><b>3. Press Start.</b> Trials, their curves and the best score so far appear here. "
    "Pause and Stop keep everything: a stopped sweep resumes from the <i>Stored sweeps</i> "
    "tab, even after closing the app.</p>"
    "<p>Or <b>Open a sweep file</b> (W&amp;B-style YAML; the dialog opens on the "
    "examples, which <tt>dlstudio examples</tt> lists).</p>")
MESSAGE_STYLES = {False: "", True: "color: #b00020;"}


class SweepPanelLayout(Panel):
    """The panel's widgets, laid out for 1280x800 and up."""

    def __init__(self, context, parent: QWidget | None = None, debounce_ms: int = 250):
        super().__init__(context, parent)
        self.form = SweepForm(debounce_ms=debounce_ms)
        self.plan_view = SweepPlanView()
        self.sweep_list = SweepListView()
        self.results = SweepResultsView()
        self.results_stack = EmptyStack(self.results, WELCOME)
        self.open_button = QPushButton("Open sweep file…")
        self.save_button = QPushButton("Save as YAML…")
        self.start_button = QPushButton("Start sweep")
        self.start_button.setDefault(True)
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Continue the selected sweep where it stopped")
        self.cancel_button = QPushButton("Cancel sweep…")
        self.cancel_button.setToolTip("End the selected unfinished sweep for good")
        self.delete_button = QPushButton("Delete sweep…")
        self.delete_button.setToolTip("Delete the selected sweep with its trials and runs")
        self.message = QLabel(wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.list_tabs = QTabWidget()
        self.list_tabs.addTab(self._new_sweep_tab(), "New sweep")
        self.list_tabs.addTab(self._stored_tab(), "Stored sweeps")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._left_column())
        splitter.addWidget(self.results_stack)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        splitter.setSizes([490, 790])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self.splitter = splitter

    def _new_sweep_tab(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        files = QHBoxLayout()
        files.addWidget(self.open_button)
        files.addWidget(self.save_button)
        files.addStretch(1)
        # The plan scrolls inside a box whose height only the user changes (the splitter):
        # a plan that grew when a key was picked pushed the form's fields out from under
        # the mouse, and typed values went to the wrong field.
        plan_scroll = QScrollArea()
        plan_scroll.setWidgetResizable(True)
        plan_scroll.setFrameShape(QFrame.Shape.NoFrame)
        plan_scroll.setWidget(self.plan_view)
        plan_scroll.viewport().setAutoFillBackground(False)  # the box's own background
        self.plan_view.setAutoFillBackground(False)
        plan_box = QGroupBox("Plan")
        plan_layout = QVBoxLayout(plan_box)
        plan_layout.addWidget(plan_scroll)
        self.form_and_plan = QSplitter(Qt.Orientation.Vertical)
        self.form_and_plan.addWidget(scroll)
        self.form_and_plan.addWidget(plan_box)
        self.form_and_plan.setStretchFactor(0, 1)
        self.form_and_plan.setSizes([450, 170])
        self.form_and_plan.setChildrenCollapsible(False)
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.setContentsMargins(4, 4, 4, 4)
        column.addLayout(files)
        column.addWidget(self.form_and_plan, 1)
        return tab

    def _stored_tab(self) -> QWidget:
        buttons = QHBoxLayout()
        buttons.addWidget(self.resume_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        hint = QLabel("Select a sweep to see its trials. Stopped sweeps (and those of an "
                      "app that closed mid-sweep) resume where they stopped.", wordWrap=True)
        dim(hint)
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(hint)
        column.addWidget(self.sweep_list, 1)
        column.addLayout(buttons)
        return tab

    def _left_column(self) -> QWidget:
        controls = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button):
            controls.addWidget(button)
        left = QWidget()
        left.setMinimumWidth(420)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.list_tabs, 1)
        column.addLayout(controls)
        column.addWidget(self.message)
        return left

    def _say(self, text: str, error: bool = False) -> None:
        """A line under the buttons: what just happened, or what went wrong."""
        self.message.setText(text)
        self.message.setStyleSheet(MESSAGE_STYLES[error])
