"""Widgets that fill their choices when first used, not when their data changes.

The runs table offers every config key of 10,000 runs for grouping and completion;
working those lists out on every refresh cost more than showing the table. These
widgets say when their choices are about to be needed: a combo box when it gets the
focus or opens its list, a line edit when it gets the focus.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QComboBox, QLineEdit

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)


class OnDemandComboBox(QComboBox):
    """A combo box that emits ``choices_needed`` before its items can be looked at or
    stepped through (focus, then the list opening)."""

    choices_needed = Signal()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt API)
        self.choices_needed.emit()
        super().focusInEvent(event)

    def showPopup(self) -> None:  # noqa: N802 (Qt API)
        self.choices_needed.emit()
        super().showPopup()


class OnDemandLineEdit(QLineEdit):
    """A line edit that emits ``choices_needed`` when it gets the focus and before each
    key it takes, so its completer's words are filled before they are looked up."""

    choices_needed = Signal()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt API)
        self.choices_needed.emit()
        super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        self.choices_needed.emit()
        super().keyPressEvent(event)
