"""A widget that says what to do while it has nothing to show."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from dlstudio.gui.common.theme import dim


class EmptyStack(QStackedWidget):
    """A widget, or a centred text that says what to do while it has nothing to show."""

    def __init__(self, content: QWidget, empty_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.content = content
        self.empty = QLabel(empty_text, wordWrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setContentsMargins(40, 20, 40, 20)
        dim(self.empty)
        self.addWidget(self.empty)
        self.addWidget(content)

    def show_content(self, shown: bool, empty_text: str | None = None) -> None:
        if empty_text is not None:
            self.empty.setText(empty_text)
        self.setCurrentWidget(self.content if shown else self.empty)
