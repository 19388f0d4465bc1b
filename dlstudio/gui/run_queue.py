"""``RunQueue``: the order in which queued runs train.

The runs themselves are store rows with status ``queued``; the queue only holds their
order and device in memory. ``next(busy)`` hands out the first run whose device is free,
so one run trains at a time per device. Sweeps can add their trials with ``enqueue``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from PySide6.QtCore import QObject, Signal

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)


@dataclass(frozen=True)
class QueueEntry:
    run_id: int
    device: str = "cpu"  # a resolved device id: cpu, cuda:0, mps
    label: str = ""


class RunQueue(QObject):
    """Ordered queued runs; ``changed`` after every edit, ``run_removed`` when the user drops one."""

    changed = Signal()
    run_removed = Signal(int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._entries: list[QueueEntry] = []

    def enqueue(self, run_id: int, device: str = "cpu", label: str = "") -> None:
        """Add a run at the end (a run already queued stays where it is)."""
        if run_id in self:
            return
        self._entries.append(QueueEntry(run_id, device, label or f"run {run_id}"))
        self.changed.emit()

    def remove(self, run_id: int) -> bool:
        """Take a run out of the queue; returns whether it was there."""
        index = self._index(run_id)
        if index is None:
            return False
        del self._entries[index]
        self.changed.emit()
        self.run_removed.emit(run_id)
        return True

    def move_up(self, run_id: int) -> bool:
        return self._move(run_id, -1)

    def move_down(self, run_id: int) -> bool:
        return self._move(run_id, +1)

    def next(self, busy_devices: Iterable[str] = ()) -> QueueEntry | None:
        """Pop the first run whose device is not busy (None if there is none)."""
        busy = set(busy_devices)
        for index, entry in enumerate(self._entries):
            if entry.device not in busy:
                del self._entries[index]
                self.changed.emit()
                return entry
        return None

    def entries(self) -> list[QueueEntry]:
        return list(self._entries)

    def ids(self) -> list[int]:
        return [entry.run_id for entry in self._entries]

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, run_id: object) -> bool:
        return self._index(run_id) is not None

    def _index(self, run_id: object) -> int | None:
        for index, entry in enumerate(self._entries):
            if entry.run_id == run_id:
                return index
        return None

    def _move(self, run_id: int, offset: int) -> bool:
        index = self._index(run_id)
        if index is None or not 0 <= index + offset < len(self._entries):
            return False
        entries = self._entries
        entries[index], entries[index + offset] = entries[index + offset], entries[index]
        self.changed.emit()
        return True
