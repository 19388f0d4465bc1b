"""A step slider with a Play button: replays the optimizer lab's paths step by step."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

FRAME_MS = 30
FRAMES_PER_RUN = 150  # a whole replay takes about 150 x 30 ms = 4.5 s, whatever the steps


class StepPlayer(QWidget):
    """``step_changed(step)`` when the slider moves, by hand or while playing."""

    step_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Replay the paths from the start point")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.label = QLabel()
        self.label.setMinimumWidth(110)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.play_button)
        layout.addWidget(QLabel("Step"))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self.play_button.toggled.connect(self._on_play_toggled)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.timer.timeout.connect(self._on_timer_ticked)
        self._update_label()

    @property
    def step(self) -> int:
        return self.slider.value()

    def set_maximum(self, steps: int) -> None:
        """Steps of the longest path; the slider jumps to the end (the whole paths)."""
        self.stop()
        self.slider.setMaximum(max(0, steps))
        self.set_step(steps)
        self._update_label()

    def set_step(self, step: int) -> None:
        self.slider.setValue(step)

    def stop(self) -> None:
        self.play_button.setChecked(False)

    @Slot(bool)
    def _on_play_toggled(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")
        if not playing:
            self.timer.stop()
            return
        if self.slider.value() >= self.slider.maximum():
            self.slider.setValue(0)
        self.timer.start()

    @Slot()
    def _on_timer_ticked(self) -> None:
        stride = max(1, round(self.slider.maximum() / FRAMES_PER_RUN))
        self.slider.setValue(min(self.slider.value() + stride, self.slider.maximum()))
        if self.slider.value() >= self.slider.maximum():
            self.stop()

    @Slot(int)
    def _on_slider_moved(self, step: int) -> None:
        self._update_label()
        self.step_changed.emit(step)

    def _update_label(self) -> None:
        self.label.setText(f"{self.slider.value()} / {self.slider.maximum()}")
