"""The optimizer lab's list of optimizers: tick, learning rate, colour and outcome.

It doubles as the legend: each row carries the optimizer's colour, and after a run the
outcome column says where it ended or that it diverged.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem,
                               QWidget)

from dlstudio.gui.common.number_field import NumberField, format_number
from dlstudio.gui.lab.optimizer_styles import OPTIMIZER_COLORS, OPTIMIZER_NAMES, OPTIMIZER_TIPS
from dlstudio.training.optimizer_lab import OPTIMIZERS, Trajectory, default_lr
from dlstudio.training.surfaces import Surface

COLUMNS = ("Optimizer", "Learning rate", "Outcome")


def swatch(colour: tuple[int, int, int]) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(*colour))
    return QIcon(pixmap)


class OptimizerChoiceTable(QTableWidget):
    """One row per optimizer: a check box with its colour, an LR field, the outcome."""

    choices_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(len(OPTIMIZERS), len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().hide()
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(1, 95)
        self.lr_fields: dict[str, NumberField] = {}
        for row, name in enumerate(OPTIMIZERS):
            item = QTableWidgetItem(swatch(OPTIMIZER_COLORS[name]), OPTIMIZER_NAMES[name])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setToolTip(OPTIMIZER_TIPS[name])
            self.setItem(row, 0, item)
            field = NumberField(low=0, low_open=True)
            field.setToolTip("Learning rate (for Newton: the damping, 1 = a full step)")
            field.value_changed.connect(self._on_lr_changed)
            self.setCellWidget(row, 1, field)
            self.lr_fields[name] = field
            self.setItem(row, 2, QTableWidgetItem(""))
        self.itemChanged.connect(self._on_item_changed)
        self.resizeRowsToContents()
        height = (self.verticalHeader().length() + self.horizontalHeader().sizeHint().height()
                  + 2 * self.frameWidth())
        self.setFixedHeight(height)

    def set_surface(self, surface: Surface) -> None:
        """Each LR back to the surface's default; outcomes cleared."""
        for name, field in self.lr_fields.items():
            field.set_value(default_lr(surface, name))
        self.set_outcomes({})

    def set_checked(self, names) -> None:
        """Tick exactly ``names``."""
        self.blockSignals(True)
        for row, name in enumerate(OPTIMIZERS):
            state = Qt.CheckState.Checked if name in names else Qt.CheckState.Unchecked
            self.item(row, 0).setCheckState(state)
        self.blockSignals(False)
        self.choices_changed.emit()

    def checked(self) -> list[str]:
        return [name for row, name in enumerate(OPTIMIZERS)
                if self.item(row, 0).checkState() == Qt.CheckState.Checked]

    def choices(self) -> dict[str, dict[str, float]]:
        """``{name: {"lr": lr}}`` for the ticked rows (``compare``'s argument)."""
        return {name: {"lr": self.lr_fields[name].value()} for name in self.checked()}

    def problems(self) -> list[str]:
        """What keeps a run from starting, one line per problem."""
        problems = [f"{OPTIMIZER_NAMES[name]} learning rate: {self.lr_fields[name].problem}"
                    for name in self.checked() if self.lr_fields[name].problem]
        if not self.checked():
            problems.append("Tick at least one optimizer.")
        return problems

    def set_outcomes(self, trajectories: dict[str, Trajectory]) -> None:
        """Where each ran optimizer ended, red "diverged" where it blew up."""
        for row, name in enumerate(OPTIMIZERS):
            item = self.item(row, 2)
            trajectory = trajectories.get(name)
            if trajectory is None:
                item.setText("")
                item.setToolTip("")
                item.setForeground(QColor(0, 0, 0))
                continue
            if trajectory.diverged:
                item.setText(f"diverged at step {trajectory.steps}")
                item.setToolTip("The loss became infinite or the point left the map far "
                                "behind: lower the learning rate")
                item.setForeground(QColor(198, 40, 40))
            else:
                distance = trajectory.distance_to_minimum()
                item.setText(f"f = {format_number(trajectory.final_loss, 3)}, "
                             f"{format_number(distance, 2)} from min")
                item.setToolTip(f"Final loss {trajectory.final_loss:.6g} after "
                                f"{trajectory.steps} steps; distance to the nearest "
                                f"minimum {distance:.6g}")
                item.setForeground(QColor(0, 0, 0))

    @Slot()
    def _on_lr_changed(self) -> None:
        self.choices_changed.emit()

    @Slot(QTableWidgetItem)
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            self.choices_changed.emit()
