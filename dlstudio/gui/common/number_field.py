"""A line edit for one number ("1e-3", "0.01", "97.5") that says what is wrong with it.

Spin boxes cannot show learning rates that span eight decades, so the labs type numbers
as text. The field parses on every edit, outlines itself red when the text is not a
number within its bounds, and keeps the reason in ``problem`` for a label next to it.
Numbers are shown with up to 6 significant digits.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QLineEdit, QWidget

_BAD_STYLE = "QLineEdit { border: 1px solid #d32f2f; background: #fdecea; }"


class NumberField(QLineEdit):
    """Text in, a float (or None when empty and ``optional``) out, with bounds."""

    value_changed = Signal()

    def __init__(self, value: float | None = None, *, low: float = -math.inf,
                 high: float = math.inf, low_open: bool = False, optional: bool = False,
                 unit: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.low, self.high, self.low_open = low, high, low_open
        self.optional = optional
        self.unit = unit
        self.problem = ""
        self.textChanged.connect(self._on_text_changed)
        self.set_value(value)

    def set_value(self, value: float | None, *, announce: bool = True) -> None:
        """Show ``value`` compactly (1e-6, 0.001, 97.5); None empties the field.

        ``announce=False`` updates the field without emitting ``value_changed``.
        """
        blocked = self.blockSignals(not announce)
        self.setText("" if value is None else format_number(value, 6))
        if not announce:
            self._check()
        self.blockSignals(blocked)

    def value(self) -> float | None:
        """The number, or None when empty or invalid (``problem`` says which)."""
        number, _ = self._parse()
        return number

    def is_valid(self) -> bool:
        return not self.problem

    def mark_bad(self, bad: bool) -> None:
        """Outline the field red for a problem found elsewhere (e.g. by the core)."""
        self.setStyleSheet(_BAD_STYLE if bad or (self.problem and self.text().strip()) else "")

    def _parse(self) -> tuple[float | None, str]:
        text = self.text().strip().replace(",", ".")
        if not text:
            return None, "" if self.optional else "enter a number"
        try:
            number = float(text)
        except ValueError:
            return None, f"{text!r} is not a number"
        if not math.isfinite(number):
            return None, "must be a finite number"
        too_low = number <= self.low if self.low_open else number < self.low
        if too_low or number > self.high:
            return None, f"must be {self._bounds()}{self.unit}, got {format_number(number)}"
        return number, ""

    def _bounds(self) -> str:
        if math.isinf(self.high):
            return f"{'>' if self.low_open else '>='} {format_number(self.low)}"
        return f"in {format_number(self.low)}..{format_number(self.high)}"

    @Slot(str)
    def _on_text_changed(self, _text: str) -> None:
        self._check()
        self.value_changed.emit()

    def _check(self) -> None:
        _, self.problem = self._parse()
        # An empty required field is unfinished, not wrong: no red until text is there.
        self.setStyleSheet(_BAD_STYLE if self.problem and self.text().strip() else "")


def format_number(value: float, digits: int = 4) -> str:
    """Short, exact-enough text for a number: 1e-06, 0.003, 97.5, 1200."""
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        return f"{float(mantissa):g}e{int(exponent)}"
    return f"{value:.{digits}g}"
