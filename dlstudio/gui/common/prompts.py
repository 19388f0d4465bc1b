"""The questions widgets ask the user, behind one object tests can replace.

A widget calls ``self.prompts.confirm(...)`` instead of ``QMessageBox.question`` so a
test swaps in an object with the same methods and answers without a modal dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget


class DialogPrompts:
    """Asks through standard Qt dialogs; every method returns None when cancelled."""

    def confirm(self, parent: QWidget, title: str, question: str) -> bool:
        """A yes/no question whose default answer is No."""
        answer = QMessageBox.question(
            parent, title, question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def inform(self, parent: QWidget, title: str, message: str) -> None:
        """A message the user acknowledges."""
        QMessageBox.information(parent, title, message)

    def text(self, parent: QWidget, title: str, label: str, current: str = "") -> str | None:
        """One line of text."""
        value, accepted = QInputDialog.getText(parent, title, label, text=current)
        return value if accepted else None

    def multiline_text(self, parent: QWidget, title: str, label: str,
                       current: str = "") -> str | None:
        """Several lines of text, such as a note."""
        value, accepted = QInputDialog.getMultiLineText(parent, title, label, current)
        return value if accepted else None

    def save_path(self, parent: QWidget, title: str, suggested: str, filters: str) -> str | None:
        """A file name to write, e.g. ``filters="PNG image (*.png);;SVG (*.svg)"``."""
        path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
        return path or None
