"""The queue panel: the waiting runs and sweeps in order, with Up, Down, Remove and Hold."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.gui.workers.run_queue import SWEEP, Key, QueueEntry, RunQueue

EMPTY_TEXT = ("Nothing queued. Press Queue in the form to line runs up, or start a sweep "
              "while something trains; they run one after another on each device.")
REMOVE_TIPS = {
    "run": "Take the run out of the queue and delete its row (it never trained)",
    SWEEP: "Take the sweep out of the queue; it stays stored and can be resumed or "
           "cancelled in the Sweeps tab",
}


class QueueView(QWidget):
    """Shows a ``RunQueue`` and edits its order; ``hold_toggled(True)`` asks to hold it."""

    hold_toggled = Signal(bool)

    def __init__(self, queue: RunQueue, parent: QWidget | None = None):
        super().__init__(parent)
        self.queue = queue
        self.title = QLabel("<b>Queue</b>")
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(mid);")
        self.up_button = QPushButton("Up")
        self.down_button = QPushButton("Down")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip(REMOVE_TIPS["run"])
        self.hold_button = QPushButton("Hold queue")
        self.hold_button.setCheckable(True)
        self.hold_button.setToolTip("While held, queued runs and sweeps wait; running ones "
                                    "go on")
        self._build()
        self.queue.changed.connect(self._on_queue_changed)
        self.list.currentRowChanged.connect(self._on_selection_changed)
        self.up_button.clicked.connect(self._on_up_clicked)
        self.down_button.clicked.connect(self._on_down_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.hold_button.toggled.connect(self._on_hold_toggled)
        self._on_queue_changed()

    def _build(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.up_button, self.down_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.hold_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)

    def selected_key(self) -> Key | None:
        """``("run", id)`` or ``("sweep", id)`` of the selected entry."""
        item = self.list.currentItem()
        return None if item is None else tuple(item.data(Qt.ItemDataRole.UserRole))

    def selected_run(self) -> int | None:
        """The selected run's id (None for a sweep or no selection)."""
        key = self.selected_key()
        return key[1] if key is not None and key[0] == "run" else None

    def set_held(self, held: bool) -> None:
        self.hold_button.setChecked(held)

    # -- slots ---------------------------------------------------------------------
    @Slot()
    def _on_queue_changed(self) -> None:
        selected = self.selected_key()
        self.list.clear()
        for position, entry in enumerate(self.queue.entries(), start=1):
            item = QListWidgetItem(f"{position}.  {_entry_text(entry)}")
            item.setData(Qt.ItemDataRole.UserRole, list(entry.key))
            self.list.addItem(item)
            if entry.key == selected:
                self.list.setCurrentItem(item)
        count = len(self.queue)
        self.title.setText(f"<b>Queue</b> ({count} waiting)" if count else "<b>Queue</b>")
        self.empty.setVisible(count == 0)
        self.list.setVisible(count > 0)
        self._on_selection_changed()

    @Slot(int)
    def _on_selection_changed(self, _row: int = -1) -> None:
        key = self.selected_key()
        for button in (self.up_button, self.down_button, self.remove_button):
            button.setEnabled(key is not None)
        self.remove_button.setToolTip(REMOVE_TIPS[key[0] if key else "run"])

    @Slot()
    def _on_up_clicked(self) -> None:
        if (key := self.selected_key()) is not None:
            self.queue.move_up(key)

    @Slot()
    def _on_down_clicked(self) -> None:
        if (key := self.selected_key()) is not None:
            self.queue.move_down(key)

    @Slot()
    def _on_remove_clicked(self) -> None:
        if (key := self.selected_key()) is not None:
            self.queue.remove(key)

    @Slot(bool)
    def _on_hold_toggled(self, held: bool) -> None:
        self.hold_button.setText("Start queue" if held else "Hold queue")
        self.hold_toggled.emit(held)


def _entry_text(entry: QueueEntry) -> str:
    devices = ", ".join(entry.holds())
    if entry.kind == SWEEP:
        workers = f", {entry.workers} at once" if entry.workers > 1 else ""
        return f"Sweep #{entry.run_id}  {entry.label}   [{devices}{workers}]"
    resumes = "  (continues from its checkpoint)" if entry.resume else ""
    return f"#{entry.run_id}  {entry.label}{resumes}   [{devices}]"
