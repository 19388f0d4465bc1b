"""The LR finder's suggestion buttons: send a suggested LR to the run form."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QWidget

from dlstudio.gui.common.number_field import format_number


class LRSuggestionBar(QWidget):
    """"Use steepest" / "Use min/10" and whether the LR is the one-cycle peak."""

    lr_chosen = Signal(float, bool)  # lr, as the one-cycle max LR (else optim.lr)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.suggestions: dict[str, float] = {}
        self.use_steepest = QPushButton()
        self.use_min_div_10 = QPushButton()
        self.as_onecycle = QCheckBox("as the one-cycle max LR")
        self.as_onecycle.setToolTip("Checked: also switch the form to the one-cycle "
                                    "schedule, whose peak is this LR (optim.lr)")
        self.chosen_label = QLabel()
        self.chosen_label.setStyleSheet("color: #2e7d32;")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.use_steepest, self.use_min_div_10, self.as_onecycle):
            row.addWidget(widget)
        row.addWidget(self.chosen_label, 1)
        self.use_steepest.clicked.connect(self._on_use_steepest_clicked)
        self.use_min_div_10.clicked.connect(self._on_use_min_div_10_clicked)
        self.set_suggestions({})

    def set_suggestions(self, suggestions: dict[str, float]) -> None:
        """The suggested LRs by key (``steepest``, ``min_div_10``); {} disables the buttons."""
        self.suggestions = {k: float(v) for k, v in suggestions.items()
                            if isinstance(v, (int, float))}
        for key, button, name in (("steepest", self.use_steepest, "Use steepest"),
                                  ("min_div_10", self.use_min_div_10, "Use min/10")):
            lr = self.suggestions.get(key)
            button.setEnabled(lr is not None)
            button.setText(name if lr is None else f"{name}: {format_number(lr, 2)}")
        self.chosen_label.setText("")

    @Slot()
    def _on_use_steepest_clicked(self) -> None:
        self._choose("steepest")

    @Slot()
    def _on_use_min_div_10_clicked(self) -> None:
        self._choose("min_div_10")

    def _choose(self, key: str) -> None:
        lr = self.suggestions.get(key)
        if lr is None:
            return
        onecycle = self.as_onecycle.isChecked()
        target = "optim.lr, the one-cycle peak" if onecycle else "optim.lr"
        self.chosen_label.setText(f"Sent {format_number(lr, 2)} to the run form as {target}.")
        self.lr_chosen.emit(lr, onecycle)
