"""The LR finder's list of past tests (newest first); a click asks to show one again."""

from __future__ import annotations

import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from dlstudio.gui.common.number_field import format_number

ROLE_TEST_ID = Qt.ItemDataRole.UserRole


def describe_config(config: dict[str, Any]) -> str:
    """``"digits · mlp [64] · adam · batch 64"``: what a test measured."""
    data, model = config.get("data", {}), config.get("model", {})
    optim, train = config.get("optim", {}), config.get("train", {})
    layers = f" {model.get('hidden')}" if model.get("name") == "mlp" else ""
    return (f"{data.get('name', '?')} · {model.get('name', '?')}{layers} · "
            f"{optim.get('name', '?')} · batch {train.get('batch_size', '?')}")


class LRTestHistoryList(QListWidget):
    """Stored LR tests, one item each; ``test_picked(test_id)`` when one is chosen."""

    test_picked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setToolTip("Click a past test to show its curve again")
        self.currentItemChanged.connect(self._on_current_item_changed)

    def set_tests(self, tests: list[dict[str, Any]]) -> None:
        """Show ``Store.list_lr_tests()`` rows; no signal."""
        self.blockSignals(True)
        self.clear()
        for test in tests:
            item = QListWidgetItem(self._text(test))
            item.setData(ROLE_TEST_ID, test["id"])
            self.addItem(item)
        if not tests:
            placeholder = QListWidgetItem("No tests yet.")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(placeholder)
        self.blockSignals(False)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_current_item_changed(self, current: QListWidgetItem | None, _previous) -> None:
        if current is not None and current.data(ROLE_TEST_ID) is not None:
            self.test_picked.emit(int(current.data(ROLE_TEST_ID)))

    @staticmethod
    def _text(test: dict[str, Any]) -> str:
        when = datetime.datetime.fromtimestamp(test["created"]).strftime("%Y-%m-%d %H:%M")
        steepest = test["suggestions"].get("steepest")
        best = "" if steepest is None else f"  ->  steepest {format_number(steepest, 2)}"
        return f"#{test['id']}  {when}\n{describe_config(test['config'])}{best}"
