"""Form fields bound to one dotted config key, each with its error line under it.

Fields hand the form raw values (text as typed); ``RunConfig.from_dict`` converts and
validates them, and its problems come back to ``set_error`` of the field they name. So
the widgets hold no validation rules of their own.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout, QWidget)

from dlstudio.gui.common.theme import dim

ERROR_STYLE = "color: #b00020;"
INVALID_STYLE = "border: 1px solid #b00020;"


def format_value(value: Any) -> str:
    """A config value as the user would type it: lists as ``64, 32``."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float):
        return repr(value) if value and (abs(value) < 1e-3 or abs(value) >= 1e5) else f"{value:g}"
    return "" if value is None else str(value)


class FormField:
    """One labelled input for ``key``; ``container`` goes into the form layout."""

    def __init__(self, key: str, label: str, input_widget: QWidget, tooltip: str = ""):
        self.key = key
        self.label = QLabel(label)
        self.input = input_widget
        self.error = QLabel("")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.note = QLabel("")  # what the app did or does to this value, in grey
        dim(self.note)
        self.note.setWordWrap(True)
        self.note.hide()
        self.container = QWidget()
        layout = QVBoxLayout(self.container)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(input_widget)
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        if tooltip:
            self.label.setToolTip(tooltip)
            input_widget.setToolTip(tooltip)

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def connect_changed(self, slot: Callable[..., None]) -> None:
        raise NotImplementedError

    def set_error(self, message: str) -> None:
        """Show ``message`` under the input (empty clears it)."""
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self._mark_invalid(bool(message))

    def set_note(self, message: str) -> None:
        """Show ``message`` under the input in grey (empty clears it)."""
        if self.note.text() != message:
            self.note.setText(message)
        self.note.setVisible(bool(message))

    def _mark_invalid(self, invalid: bool) -> None:
        pass


class TextField(FormField):
    """Numbers and lists typed as text."""

    def __init__(self, key: str, label: str, tooltip: str = "", placeholder: str = ""):
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        super().__init__(key, label, self.edit, tooltip)

    def value(self) -> str:
        return self.edit.text().strip()

    def set_value(self, value: Any) -> None:
        self.edit.setText(format_value(value))

    def connect_changed(self, slot: Callable[..., None]) -> None:
        self.edit.textChanged.connect(slot)

    def _mark_invalid(self, invalid: bool) -> None:
        self.edit.setStyleSheet(f"QLineEdit {{ {INVALID_STYLE} }}" if invalid else "")


class ChoiceField(FormField):
    """A combo box of ``(value, label)`` choices."""

    def __init__(self, key: str, label: str, choices: Sequence[tuple[str, str]], tooltip: str = ""):
        self.combo = QComboBox()
        self.set_choices(choices)
        super().__init__(key, label, self.combo, tooltip)

    def set_choices(self, choices: Sequence[tuple[str, str]]) -> None:
        current = self.combo.currentData()
        self.combo.blockSignals(True)
        self.combo.clear()
        for value, text in choices:
            self.combo.addItem(text, value)
        self.combo.blockSignals(False)
        if current is not None:
            self.set_value(current)

    def value(self) -> str:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(str(value))
        if index < 0:  # a value this machine does not list (e.g. a device): keep it visible
            self.combo.addItem(f"{value} (not available here)", str(value))
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)

    def connect_changed(self, slot: Callable[..., None]) -> None:
        self.combo.currentIndexChanged.connect(slot)

    def _mark_invalid(self, invalid: bool) -> None:
        self.combo.setStyleSheet(f"QComboBox {{ {INVALID_STYLE} }}" if invalid else "")


class CheckField(FormField):
    """A yes/no setting; the label sits beside the box."""

    def __init__(self, key: str, label: str, text: str, tooltip: str = ""):
        self.box = QCheckBox(text)
        super().__init__(key, label, self.box, tooltip)

    def value(self) -> bool:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.setChecked(bool(value))

    def connect_changed(self, slot: Callable[..., None]) -> None:
        self.box.toggled.connect(slot)


class FileField(FormField):
    """A path with a Browse… button; ``chooser`` is injectable for tests."""

    def __init__(self, key: str, label: str, file_filter: str, tooltip: str = "",
                 chooser: Callable[[QWidget, str, str], str] | None = None):
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("choose a file…")
        self.browse = QPushButton("Browse…")
        self.file_filter = file_filter
        self.chooser = chooser or _choose_file
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.browse)
        super().__init__(key, label, row, tooltip)
        self.browse.clicked.connect(self._on_browse_clicked)

    def value(self) -> str:
        return self.edit.text().strip()

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))

    def connect_changed(self, slot: Callable[..., None]) -> None:
        self.edit.textChanged.connect(slot)

    def _on_browse_clicked(self) -> None:
        path = self.chooser(self.container, self.label.text(), self.file_filter)
        if path:
            self.edit.setText(path)

    def _mark_invalid(self, invalid: bool) -> None:
        self.edit.setStyleSheet(f"QLineEdit {{ {INVALID_STYLE} }}" if invalid else "")


def _choose_file(parent: QWidget, title: str, file_filter: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", file_filter)
    return path
