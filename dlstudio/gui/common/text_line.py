"""``TextLine``: one line of text that changes often without relayouting the window.

Measured here: in the main window (a QMainWindow with tabs and splitters) every
``QLabel.setText`` that changes the text invalidates the layouts up to the window and
repaints all of it, form included. Progress text and crosshair read-outs change several
times a second, so they use this widget: a fixed height, and ``setText`` only repaints
its own rectangle (long text is elided, the full text is in the tooltip).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

MARGIN = 2


class TextLine(QWidget):
    """A label for text that changes often; its size never depends on the text."""

    def __init__(self, text: str = "", parent: QWidget | None = None,
                 alignment: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft):
        super().__init__(parent)
        self._text = text
        self._alignment = alignment | Qt.AlignmentFlag.AlignVCenter
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().height() + 2 * MARGIN)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name, so it drops in
        if text != self._text:
            self._text = text
            self.setToolTip(text)
            self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(200, self.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(40, self.height())

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        rect = self.rect().adjusted(MARGIN, 0, -MARGIN, 0)
        shown = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().windowText().color())
        painter.drawText(rect, int(self._alignment), shown)
