"""The optimizer lab: real torch optimizers walking 2-D test surfaces, side by side.

Pick a surface, tick optimizers (each with its LR), set a start point (click the map or
type it), press Run. The paths are computed by the core's ``compare`` on a worker
thread, drawn on the contour map and replayed with the step slider; the loss per step
is plotted below. "Newton step" shows one exact Newton step from the start.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QApplication, QComboBox, QDoubleSpinBox, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox,
                               QSplitter, QVBoxLayout, QWidget)

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.empty_stack import EmptyStack
from dlstudio.gui.common.theme import dim
from dlstudio.gui.common.panel import Panel
from dlstudio.gui.context import AppContext
from dlstudio.gui.lab.surface_contour_plot import SurfaceContourPlot
from dlstudio.gui.workers.job_worker import JobSession
from dlstudio.gui.lab.step_loss_plot import StepLossPlot
from dlstudio.gui.lab.optimizer_styles import OPTIMIZER_NAMES
from dlstudio.gui.lab.optimizer_choice_table import OptimizerChoiceTable
from dlstudio.gui.lab.newton_note import newton_note
from dlstudio.gui.lab.step_player import StepPlayer
from dlstudio.training.optimizer_lab import DEFAULT_STEPS, compare, newton_step
from dlstudio.training.surfaces import SURFACES, Surface

HINT = ("Tick the optimizers to compare, then press <b>Run</b>. Click the map to start "
        "from another point (it runs at once). &#9733; marks the minima, &#9675; the start.")
LOSS_EMPTY = ("Press <b>Run</b>: how far each optimizer's loss is above the minimum, "
              "f - f*, appears here step by step (log scale).")


class OptimizerLabPanel(Panel):
    """Optimizers on test surfaces: contour map, replay, loss per step, Newton step."""

    trajectories_computed = Signal(dict)  # {optimizer name: Trajectory}, GUI thread
    run_failed = Signal(str)

    tab_title = "Optimizer lab"

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)  # the lab stores nothing
        self.surface: Surface = SURFACES["quadratic"]
        self.trajectories: dict = {}
        self.session: JobSession | None = None
        self._run_again = False
        self._build()
        self._connect()
        self.set_surface("quadratic")
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- layout --------------------------------------------------------------------
    def _build(self) -> None:
        self.surface_combo = QComboBox()
        for name, surface in SURFACES.items():
            self.surface_combo.addItem(surface.title, name)
        self.formula = QLabel(wordWrap=True)
        dim(self.formula).setStyleSheet("font-family: monospace;")
        self.start_x, self.start_y = QDoubleSpinBox(), QDoubleSpinBox()
        for box in (self.start_x, self.start_y):
            box.setDecimals(3)
            box.setSingleStep(0.1)
        self.default_start = QPushButton("Default")
        self.default_start.setToolTip("Back to the surface's usual start point")
        start_row = QHBoxLayout()
        for text, widget in (("x", self.start_x), ("y", self.start_y)):
            start_row.addWidget(QLabel(text))
            start_row.addWidget(widget, 1)
        start_row.addWidget(self.default_start)
        self.steps = QSpinBox()
        self.steps.setRange(1, 5000)
        self.steps.setValue(DEFAULT_STEPS)
        form = QFormLayout()
        form.addRow("Surface", self.surface_combo)
        form.addRow("f(x, y) =", self.formula)
        form.addRow("Start", start_row)
        form.addRow("Steps", self.steps)
        self.table = OptimizerChoiceTable()
        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.newton_button = QPushButton("Newton step")
        self.newton_button.setToolTip("One exact Newton step from the start point")
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button, 2)
        buttons.addWidget(self.newton_button, 1)
        self.message = QLabel(HINT, wordWrap=True)
        self.newton_label = QLabel(wordWrap=True)
        controls = QGroupBox("Optimizers on a 2-D surface")
        column = QVBoxLayout(controls)
        column.addLayout(form)
        column.addWidget(self.table)
        column.addLayout(buttons)
        column.addWidget(self.message)
        column.addWidget(self.newton_label)
        column.addStretch(1)
        self.contour = SurfaceContourPlot()
        self.player = StepPlayer()
        self.loss_plot = StepLossPlot()
        self.loss_stack = EmptyStack(self.loss_plot, LOSS_EMPTY)
        plots = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.contour, 1)
        top_layout.addWidget(self.player)
        plots.addWidget(top)
        plots.addWidget(self.loss_stack)
        plots.setSizes([520, 230])
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(controls)
        splitter.addWidget(plots)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([420, 840])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        self.surface_combo.currentIndexChanged.connect(self._on_surface_chosen)
        self.default_start.clicked.connect(self._on_default_start_clicked)
        self.start_x.valueChanged.connect(self._on_start_edited)
        self.start_y.valueChanged.connect(self._on_start_edited)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.newton_button.clicked.connect(self._on_newton_clicked)
        self.contour.start_picked.connect(self._on_start_picked)
        self.player.step_changed.connect(self._on_step_changed)
        self.table.choices_changed.connect(self._on_choices_changed)

    # -- public API ----------------------------------------------------------------
    def set_surface(self, name: str) -> None:
        """Switch surface: its contours, default start and default LRs; paths cleared."""
        self.surface = SURFACES[name]
        index = self.surface_combo.findData(name)
        if index != self.surface_combo.currentIndex():
            self.surface_combo.setCurrentIndex(index)  # comes back here through the slot
            return
        self.formula.setText(self.surface.formula)
        for box, (low, high) in ((self.start_x, self.surface.x_range),
                                 (self.start_y, self.surface.y_range)):
            box.blockSignals(True)
            box.setRange(low, high)
            box.blockSignals(False)
        self.contour.set_surface(self.surface)
        self.table.set_surface(self.surface)
        self.set_start(*self.surface.start)
        self._clear_results(HINT)

    def set_start(self, x: float, y: float) -> None:
        """Move the start point (clamped to the plotted range)."""
        for box, value in ((self.start_x, x), (self.start_y, y)):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)
        self.contour.set_start(self.start_x.value(), self.start_y.value())

    def start_point(self) -> tuple[float, float]:
        return self.start_x.value(), self.start_y.value()

    def run(self) -> bool:
        """Compute the ticked optimizers' paths on a worker thread; False if it cannot."""
        if self.session is not None:
            self._run_again = True
            return True
        problems = self.table.problems()
        if problems:
            self._show_message("\n".join(problems), error=True)
            return False
        job = functools.partial(compare, self.surface.name, self.table.choices(),
                                self.steps.value(), self.start_point())
        self.session = JobSession(job, "dlstudio-optimizer-lab", self)
        self.session.job_done.connect(self._on_job_done)
        self.session.job_failed.connect(self._on_job_failed)
        self.session.session_ended.connect(self._on_session_ended)
        self.run_button.setEnabled(False)
        self.run_button.setText("Running ...")
        self.session.start()
        return True

    @property
    def running(self) -> bool:
        return self.session is not None

    def shutdown(self) -> None:
        """Stop the replay and wait for a running computation."""
        self.player.stop()
        self._run_again = False
        if self.session is not None:
            self.session.shutdown()

    # -- slots ---------------------------------------------------------------------
    @Slot(int)
    def _on_surface_chosen(self, index: int) -> None:
        self.set_surface(self.surface_combo.itemData(index))

    @Slot()
    def _on_default_start_clicked(self) -> None:
        self.set_start(*self.surface.start)
        self._clear_results(HINT)

    @Slot()
    def _on_start_edited(self) -> None:
        self.contour.set_start(*self.start_point())
        if self.trajectories:
            self._clear_results("The start moved: press <b>Run</b> for new paths.")

    @Slot(float, float)
    def _on_start_picked(self, x: float, y: float) -> None:
        self.set_start(x, y)
        self.run()

    @Slot()
    def _on_run_clicked(self) -> None:
        self.run()

    @Slot()
    def _on_choices_changed(self) -> None:
        problems = self.table.problems()
        self.run_button.setEnabled(not problems and self.session is None)
        if problems:
            self._show_message("\n".join(problems), error=True)
        elif self.message.property("error"):
            self._show_message(HINT)

    @Slot(object)
    def _on_job_done(self, trajectories: dict) -> None:
        self.trajectories = trajectories
        self.contour.set_trajectories(trajectories)
        self.loss_plot.set_trajectories(trajectories, self.surface)
        self.loss_stack.show_content(bool(trajectories))
        self.table.set_outcomes(trajectories)
        self.player.set_maximum(max(t.steps for t in trajectories.values()))
        self._on_step_changed(self.player.step)
        diverged = [OPTIMIZER_NAMES[name] for name, t in trajectories.items() if t.diverged]
        text = "Drag the step slider or press <b>Play</b> to replay the paths."
        if diverged:
            text += (f" <span style='color:#c62828'>Diverged: {', '.join(diverged)}"
                     " - lower its learning rate.</span>")
        self._show_message(text)
        self.trajectories_computed.emit(trajectories)

    @Slot(str)
    def _on_job_failed(self, message: str) -> None:
        self._show_message(message, error=True)
        self.run_failed.emit(message)

    @Slot()
    def _on_session_ended(self) -> None:
        self.session = None
        self.run_button.setText("Run")
        self._on_choices_changed()
        if self._run_again:
            self._run_again = False
            self.run()

    @Slot(int)
    def _on_step_changed(self, step: int) -> None:
        self.contour.show_step(step)
        self.loss_plot.show_step(step)

    @Slot()
    def _on_newton_clicked(self) -> None:
        start = self.start_point()
        end = newton_step(self.surface, start)
        self.contour.show_newton(start, end)
        self.newton_label.setText(newton_note(self.surface, start, end))

    # -- helpers -------------------------------------------------------------------
    def _clear_results(self, message: str) -> None:
        self.trajectories = {}
        self.player.set_maximum(0)
        self.contour.set_trajectories({})
        self.contour.show_newton(None, None)
        self.loss_plot.set_trajectories({}, self.surface)
        self.loss_stack.show_content(False)
        self.table.set_outcomes({})
        self.newton_label.setText("")
        self._show_message(message)

    def _show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.setStyleSheet("color: #c62828;" if error else "")
