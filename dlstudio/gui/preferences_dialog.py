"""Preferences (Ctrl+,): the colour theme. Saved in the app's settings when accepted."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QWidget

from dlstudio.gui.common.theme import THEMES


class PreferencesDialog(QDialog):
    """Asks for the preferences; ``theme()`` is the choice (a key of ``THEMES``)."""

    def __init__(self, theme: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.theme_choice = QComboBox()
        for key, text in THEMES:
            self.theme_choice.addItem(text, key)
        self.theme_choice.setCurrentIndex(max(0, self.theme_choice.findData(theme)))
        self.theme_choice.setToolTip("Light or dark; \"Follow the system\" changes with the "
                                     "system's setting, plots included.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow("Theme", self.theme_choice)
        layout.addRow(buttons)

    def theme(self) -> str:
        return self.theme_choice.currentData()
