"""``RunQueue``: the order in which queued runs and sweeps train.

Single runs and whole sweeps wait in one line. The runs themselves are store rows with
status ``queued`` and the sweeps stored sweeps; the queue only holds their order and
devices in memory. ``next(busy)`` hands out the first entry whose devices are all free,
so one job trains at a time per device, and a sweep holds its devices until it ends.

An entry is named by its key, ``("run", run_id)`` or ``("sweep", sweep_id)``; methods
that take a key also take a bare run id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Union

from PySide6.QtCore import QObject, Signal

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)

RUN, SWEEP = "run", "sweep"
Key = tuple[str, int]
KeyLike = Union[Key, int]


@dataclass(frozen=True)
class QueueEntry:
    run_id: int  # the run's id, or the sweep's id for a sweep entry
    device: str = "cpu"  # a resolved device id: cpu, cuda:0, mps
    label: str = ""
    kind: str = RUN
    devices: tuple[str, ...] = ()  # every device the job holds (a sweep's workers)
    workers: int = 1  # trials a sweep trains at once
    resume: bool = False  # a stopped run continuing from its last checkpoint

    @property
    def key(self) -> Key:
        return (self.kind, self.run_id)

    def holds(self) -> tuple[str, ...]:
        return self.devices or (self.device,)


def as_key(key: KeyLike) -> Key:
    return (RUN, key) if isinstance(key, int) else (str(key[0]), int(key[1]))


class RunQueue(QObject):
    """Ordered queued jobs; ``changed`` after every edit, ``run_removed`` /
    ``sweep_removed`` when the user drops one."""

    changed = Signal()
    run_removed = Signal(int)
    sweep_removed = Signal(int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._entries: list[QueueEntry] = []

    def enqueue(self, run_id: int, device: str = "cpu", label: str = "",
                resume: bool = False) -> None:
        """Add a run at the end (a run already queued stays where it is); ``resume``:
        it continues from its last checkpoint when its turn comes."""
        self._append(QueueEntry(run_id, device, label or f"run {run_id}", resume=resume))

    def enqueue_sweep(self, sweep_id: int, devices: Iterable[str], label: str = "",
                      workers: int = 1) -> None:
        """Add a sweep at the end; it holds ``devices`` while it runs."""
        held = tuple(devices) or ("cpu",)
        self._append(QueueEntry(sweep_id, held[0], label or f"sweep {sweep_id}", SWEEP,
                                held, workers))

    def _append(self, entry: QueueEntry) -> None:
        if entry.key in self:
            return
        self._entries.append(entry)
        self.changed.emit()

    def remove(self, key: KeyLike) -> bool:
        """Take a job out of the queue; returns whether it was there."""
        index = self._index(key)
        if index is None:
            return False
        entry = self._entries.pop(index)
        self.changed.emit()
        (self.sweep_removed if entry.kind == SWEEP else self.run_removed).emit(entry.run_id)
        return True

    def move_up(self, key: KeyLike) -> bool:
        return self._move(key, -1)

    def move_down(self, key: KeyLike) -> bool:
        return self._move(key, +1)

    def next(self, busy_devices: Iterable[str] = ()) -> QueueEntry | None:
        """Pop the first job none of whose devices is busy (None if there is none)."""
        busy = set(busy_devices)
        for index, entry in enumerate(self._entries):
            if busy.isdisjoint(entry.holds()):
                del self._entries[index]
                self.changed.emit()
                return entry
        return None

    def entries(self) -> list[QueueEntry]:
        return list(self._entries)

    def ids(self) -> list[int]:
        """The queued runs' ids, in order (sweeps left out)."""
        return [entry.run_id for entry in self._entries if entry.kind == RUN]

    def keys(self) -> list[Key]:
        return [entry.key for entry in self._entries]

    def position(self, key: KeyLike) -> int | None:
        """0 for the first waiting job; None when it is not queued."""
        return self._index(key)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, (int, tuple)) and self._index(key) is not None

    def _index(self, key: KeyLike) -> int | None:
        wanted = as_key(key)
        for index, entry in enumerate(self._entries):
            if entry.key == wanted:
                return index
        return None

    def _move(self, key: KeyLike, offset: int) -> bool:
        index = self._index(key)
        if index is None or not 0 <= index + offset < len(self._entries):
            return False
        entries = self._entries
        entries[index], entries[index + offset] = entries[index + offset], entries[index]
        self.changed.emit()
        return True
