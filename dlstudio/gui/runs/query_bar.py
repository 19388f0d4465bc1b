"""The run-query box: ``optim.name = adam and best_dev_metric > 0.95 and tag:baseline``.

Completes the word under the cursor from the keys the runs have (config keys, summary
values, run columns, ``tag:NAME``, ``sweep:ID``). A bad query is shown with the parser's
message (position and what was expected) and the last good one stays applied, so the
table does not flicker to "everything" while a query is being typed.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QStringListModel, Qt, Signal, Slot
from PySide6.QtWidgets import QCompleter, QLabel, QVBoxLayout, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.on_demand import OnDemandLineEdit

PLACEHOLDER = "Query: optim.name = adam and best_dev_metric > 0.95 and tag:baseline"
HELP = ("Run query: key op value, joined by and / or / not and parentheses.\n"
        "Operators: = != < <= > >= and ~ (contains, any case). Keys: config keys "
        "(optim.lr), summary values (best_dev_metric), status, name, created, duration; "
        "tag:NAME and sweep:ID.\nQuote values with spaces: name ~ 'my run'.")
_LAST_WORD = re.compile(r"[^\s()]*\Z")


class WordCompleter(QCompleter):
    """Completes the last word of a line edit, keeping the text before it."""

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 (Qt API)
        return [_LAST_WORD.search(path).group()]

    def pathFromIndex(self, index) -> str:  # noqa: N802
        if not index.isValid():  # no completion (as QCompleter answers)
            return ""
        text = self.widget().text()
        start = _LAST_WORD.search(text).start()
        return text[:start] + index.data()


class QueryBar(QWidget):
    """A query line edit with key completion and an error line.

    ``query_edited(text)`` fires on every edit; the owner evaluates the query and
    reports back with ``show_error`` or ``clear_error``. ``keys_needed`` fires when the
    box gets the focus: the owner then calls ``set_keys`` if the keys changed.
    """

    query_edited = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = OnDemandLineEdit(placeholderText=PLACEHOLDER)
        self.keys_needed = self.edit.choices_needed
        self.edit.setClearButtonEnabled(True)
        self.edit.setToolTip(HELP)
        self.keys_model = QStringListModel(self)
        self.completer = WordCompleter(self.keys_model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.edit.setCompleter(self.completer)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.message)
        self.edit.textChanged.connect(self._on_text_changed)

    def set_keys(self, keys: list[str]) -> None:
        """The words to complete."""
        if keys != self.keys_model.stringList():
            self.keys_model.setStringList(keys)

    def text(self) -> str:
        return self.edit.text()

    def show_error(self, message: str) -> None:
        self.message.setText(f"Query not applied: {message}")
        self.message.show()
        self.edit.setStyleSheet("QLineEdit { border: 1px solid #c62828; }")

    def clear_error(self) -> None:
        self.message.hide()
        self.message.clear()
        self.edit.setStyleSheet("")

    @Slot(str)
    def _on_text_changed(self, text: str) -> None:
        self.query_edited.emit(text)
