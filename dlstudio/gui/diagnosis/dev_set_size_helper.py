"""How big a dev set has to be: the course's rule of thumb and the sample size for a
chosen confidence and power, next to the interval the current dev set gives.

All the arithmetic is the core's (``dlstudio.diagnosis.dev_set_size``); this box turns
percent fields into rates and shows the answers, or the core's message when an input
is out of range.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from dlstudio.diagnosis import ci_half_width, samples_for_events, samples_to_detect_difference
from dlstudio.errors import ConfigError
from dlstudio.gui.common.number_field import NumberField


def _row(*widgets) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(QLabel(widget) if isinstance(widget, str) else widget)
    row.addStretch(1)
    return row


def _answer() -> QLabel:
    return QLabel(wordWrap=True)


class DevSetSizeHelper(QGroupBox):
    """Three small calculators for the dev (or test) set size."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("How big a dev set?", parent)
        self.events = NumberField(10)
        self.rate = NumberField(10)
        self.error_a = NumberField(5)
        self.error_b = NumberField(4)
        self.confidence = NumberField(95)
        self.power = NumberField(80)
        for field in (self.events, self.rate, self.error_a, self.error_b, self.confidence,
                      self.power):
            field.setMaximumWidth(56)
            field.value_changed.connect(self._on_inputs_edited)
        self.events_answer, self.difference_answer = _answer(), _answer()
        self.current_answer = _answer()
        form = QFormLayout()
        form.addRow(QLabel("<b>Rule of thumb</b>: enough dev samples to see"))
        form.addRow(_row(self.events, "cases of an error type that"))
        form.addRow(_row("happens in", self.rate, "% of the samples"))
        form.addRow(self.events_answer)
        form.addRow(QLabel("<b>Tell two models apart</b>: error rates"))
        form.addRow(_row(self.error_a, "% vs", self.error_b, "%"))
        form.addRow(_row("confidence", self.confidence, "%  power", self.power, "%"))
        form.addRow(self.difference_answer)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.current_answer)
        self._dev_context: tuple[int | None, float | None] = (None, None)
        self._on_inputs_edited()
        self.set_dev_context(None, None)

    def set_dev_context(self, dev_size: int | None, dev_error_percent: float | None) -> None:
        """The diagnosed dev set: its size and error (percent), for the interval line."""
        self._dev_context = (dev_size, dev_error_percent)
        if dev_size is None or dev_error_percent is None:
            self.current_answer.setText("<i>With a dev-set size, the interval of the dev "
                                        "error appears here.</i>")
            return
        try:
            half = 100 * ci_half_width(dev_error_percent / 100, dev_size)
        except ConfigError as error:
            self._show(self.current_answer, error)
            return
        self.current_answer.setText(
            f"<b>Your dev set</b>: {dev_size:,} samples at {dev_error_percent:.1f} % error "
            f"measure it to <b>&plusmn; {half:.1f} points</b> (95 % CI): gaps smaller than "
            "that are noise.")

    @Slot()
    def _on_inputs_edited(self) -> None:
        try:
            samples = samples_for_events(self._whole(self.events), self._rate(self.rate))
            self.events_answer.setText(f"&rarr; <b>{samples:,} samples</b> (2 x events / "
                                       "rate, a margin for chance)")
            self.events_answer.setStyleSheet("")
        except ConfigError as error:
            self._show(self.events_answer, error)
        try:
            per_set = samples_to_detect_difference(
                self._rate(self.error_a), self._rate(self.error_b),
                confidence=self._rate(self.confidence), power=self._rate(self.power))
            self.difference_answer.setText(f"&rarr; <b>{per_set:,} samples</b> per set "
                                           "(two-proportion z-test)")
            self.difference_answer.setStyleSheet("")
        except ConfigError as error:
            self._show(self.difference_answer, error)

    @staticmethod
    def _rate(field: NumberField):
        value = field.value()
        return field.text() if value is None else value / 100  # text: the core names it

    @staticmethod
    def _whole(field: NumberField):
        value = field.value()
        return int(value) if value is not None and value.is_integer() else field.text()

    @staticmethod
    def _show(label: QLabel, error: ConfigError) -> None:
        label.setText("\n".join(error.problems))
        label.setStyleSheet("color: #c62828;")
