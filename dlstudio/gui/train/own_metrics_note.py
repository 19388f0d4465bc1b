"""``OwnMetricsNote``: says that the shown run logs metric names of its own.

The Train tab's plots draw the keys dlstudio's trainer records (loss, dev loss and
metric, learning rate). A script's run logged through the API names its metrics itself
(``train/loss``, ``val_acc``): the note lists them and offers the Compare tab, which
draws any key, grouped by prefix, and follows the run while it is still logging.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.gui.train.run_trace import RunTrace

LISTED = 4  # keys named in the note; the rest are counted


class OwnMetricsNote(QWidget):
    """Hidden unless the shown run has metrics the plots below do not draw."""

    compare_requested = Signal(list)  # [run id]: draw its metrics in the Compare tab

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.run_id: int | None = None
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.compare_button = QPushButton("Watch in Compare")
        self.compare_button.setToolTip("Plot every metric of this run in the Compare tab, "
                                       "grouped by prefix; it follows the run while it logs")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.compare_button)
        self.compare_button.clicked.connect(self._on_compare_clicked)
        self.hide()

    def show_trace(self, trace: RunTrace | None) -> None:
        keys = trace.own_keys if trace is not None else []
        self.run_id = trace.run_id if trace is not None else None
        self.setVisible(bool(keys))
        if not keys:
            return
        named = ", ".join(keys[:LISTED]) + (f" and {len(keys) - LISTED} more"
                                            if len(keys) > LISTED else "")
        drawn = "" if trace.has_builtin_points() else " The plots below stay empty for it."
        self.label.setText(f"This run logs metrics of its own: {named}.{drawn}")

    @Slot()
    def _on_compare_clicked(self) -> None:
        if self.run_id is not None:
            self.compare_requested.emit([self.run_id])
