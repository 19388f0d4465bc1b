"""The window's status bar: database file, devices found, what trains now."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

MAX_PATH_CHARS = 60


def short_path(path: Path) -> str:
    text = str(path)
    return text if len(text) <= MAX_PATH_CHARS else "…" + text[-(MAX_PATH_CHARS - 1):]


class AppStatusBar(QStatusBar):
    """Permanent labels on the right; ``showMessage`` for passing news on the left."""

    def __init__(self, db_path: Path, devices: list[tuple[str, str]],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.activity = QLabel("Idle")
        self.device = QLabel("Device: " + devices[0][1] if devices else "Device: cpu")
        self.device.setToolTip("Devices found:\n" + "\n".join(label for _, label in devices))
        self.database = QLabel("Database: " + short_path(db_path))
        self.database.setToolTip(f"All runs are stored in {db_path}\n"
                                 "Open another with: dlstudio gui --db PATH")
        for label in (self.activity, self.device, self.database):
            self.addPermanentWidget(label)

    def set_activity(self, running: list[tuple[int, str]], queued: int, held: bool,
                     sweeps: list[tuple[int, str]] = ()) -> None:
        """``running``, ``sweeps``: ``[(run or sweep id, device)]``."""
        parts = [f"Training run #{run_id} on {device}" for run_id, device in running]
        parts += [f"Sweep #{sweep_id} on {device}" for sweep_id, device in sweeps]
        if queued:
            parts.append(f"{queued} queued" + (" (held)" if held else ""))
        self.activity.setText(" · ".join(parts) if parts else "Idle")
