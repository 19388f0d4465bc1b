"""The LR finder's settings: which config is tested and the LR range to sweep."""

from __future__ import annotations

import inspect
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from dlstudio.gui.lr_finder.lr_test_history_list import describe_config
from dlstudio.gui.common.number_field import NumberField, format_number
from dlstudio.training.lr_finder import find_lr

# The core's defaults. Smoothing is not offered: the store keeps the raw losses only, so a
# reopened test is smoothed again with this same beta.
_DEFAULTS = {name: p.default for name, p in inspect.signature(find_lr).parameters.items()}
DEFAULT_SETTINGS = {key: _DEFAULTS[key] for key in ("min_lr", "max_lr", "num_steps")}
SMOOTHING = _DEFAULTS["smoothing"]


class LRTestSettingsForm(QWidget):
    """Config under test, min / max LR and the mini-batch budget; ``settings_edited``."""

    settings_edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.config_label = QLabel(wordWrap=True)
        self.min_lr = NumberField(DEFAULT_SETTINGS["min_lr"], low=0, low_open=True)
        self.max_lr = NumberField(DEFAULT_SETTINGS["max_lr"], low=0, low_open=True)
        self.num_steps = NumberField(DEFAULT_SETTINGS["num_steps"], low=5, high=10_000)
        self.min_lr.setToolTip("The LR of the first mini-batch")
        self.max_lr.setToolTip("The LR the test would reach on its last mini-batch")
        self.num_steps.setToolTip("At most this many mini-batches (and at most one epoch)")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Config under test", self.config_label)
        for label, field in self.fields():
            form.addRow(label, field)
            field.value_changed.connect(self._on_field_edited)

    def fields(self) -> tuple[tuple[str, NumberField], ...]:
        return (("Min LR", self.min_lr), ("Max LR", self.max_lr),
                ("Max mini-batches", self.num_steps))

    def show_config(self, config: dict[str, Any]) -> None:
        self.config_label.setText(describe_config(config))

    def problems(self) -> list[str]:
        """Each unreadable field, then a range that runs backwards."""
        problems = [f"{name}: {field.problem}" for name, field in self.fields() if field.problem]
        steps = self.num_steps.value()
        if steps is not None and not float(steps).is_integer():
            problems.append(f"Max mini-batches: a whole number, got {format_number(steps)}")
        low, high = self.min_lr.value(), self.max_lr.value()
        if not problems and low >= high:
            problems.append(f"Max LR ({format_number(high)}) must be above min LR "
                            f"({format_number(low)}).")
        return problems

    def settings(self) -> dict[str, Any]:
        """``find_lr``'s keyword arguments (check ``problems()`` first)."""
        return {"min_lr": self.min_lr.value(), "max_lr": self.max_lr.value(),
                "num_steps": int(self.num_steps.value()), "smoothing": SMOOTHING}

    @Slot()
    def _on_field_edited(self) -> None:
        self.settings_edited.emit()
