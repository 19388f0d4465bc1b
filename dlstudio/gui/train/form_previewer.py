"""The form's previews (dataset summary, LR schedule) computed off the GUI thread.

Loading a CSV or stepping a scheduler through many thousand steps takes long enough to
freeze typing, so a ``PreviewWorker`` on its own QThread computes them. Requests carry
an increasing id; the worker skips every request older than the newest one, and the
GUI-side ``FormPreviewer`` re-emits only the newest result.
"""

from __future__ import annotations

import json
import math
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError

MAX_PREVIEW_STEPS = 300_000  # ~3-5 us a scheduler step: at most ~1.5 s in the preview thread


class PreviewWorker(QObject):
    """Describes the dataset and previews the schedule for one flat config."""

    preview_computed = Signal(int, dict)

    def __init__(self):
        super().__init__()
        self.latest = 0  # set by the GUI thread; an int assignment is atomic
        self._described: tuple[str, dict[str, Any]] | None = None

    @Slot(int, dict)
    def compute(self, request_id: int, values: dict) -> None:
        if request_id != self.latest:
            return  # a newer request is queued behind this one
        try:
            result = self._preview(RunConfig.from_dict(values))
        except ConfigError as error:
            result = {"problems": list(error.problems)}
        except Exception as error:  # a loader's own error: show it, never crash the form
            result = {"problems": [f"data.name: cannot load the data: {type(error).__name__}: {error}"]}
        self.preview_computed.emit(request_id, result)

    def _preview(self, config: RunConfig) -> dict[str, Any]:
        from dlstudio.training.optimizers import FULL_BATCH
        from dlstudio.training.schedules import preview_schedule

        dataset = self._describe(config)
        train_size = int(dataset.get("splits", {}).get("train", 0)) or 1
        full_batch = config.optim.name in FULL_BATCH
        steps_per_epoch = 1 if full_batch else math.ceil(train_size / config.train.batch_size)
        total = steps_per_epoch * config.train.epochs
        result: dict[str, Any] = {"dataset": dataset, "steps_per_epoch": steps_per_epoch,
                                  "epochs": config.train.epochs, "total_steps": total}
        if total <= MAX_PREVIEW_STEPS:
            result["schedule"] = preview_schedule(config, steps_per_epoch)
        return result

    def _describe(self, config: RunConfig) -> dict[str, Any]:
        from dlstudio.data import describe

        key = json.dumps([config.to_dict()[s] for s in ("data", "split")] + [config.train.seed],
                         sort_keys=True)
        if self._described is None or self._described[0] != key:
            self._described = (key, describe(config.data, config.split, config.train.seed))
        return self._described[1]


class FormPreviewer(QObject):
    """GUI-thread owner of the preview thread; ``preview_updated`` carries the newest result."""

    preview_updated = Signal(dict)
    _requested = Signal(int, dict)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._request_id = 0
        self.worker = PreviewWorker()
        self.thread = QThread()
        self.thread.setObjectName("dlstudio-form-preview")
        self.worker.moveToThread(self.thread)
        self._requested.connect(self.worker.compute)
        self.worker.preview_computed.connect(self._on_preview_computed)
        self.thread.finished.connect(self.worker.deleteLater)
        self.thread.start()
        self.pending = False

    def request(self, values: dict[str, Any]) -> None:
        """Ask for a preview of ``values``; older pending requests are dropped."""
        self._request_id += 1
        self.worker.latest = self._request_id
        self.pending = True
        self._requested.emit(self._request_id, values)

    def shutdown(self) -> None:
        """Quit and wait for the preview thread (it finishes the preview it is on)."""
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
            self.thread = None

    @Slot(int, dict)
    def _on_preview_computed(self, request_id: int, result: dict) -> None:
        if request_id == self._request_id:
            self.pending = False
            self.preview_updated.emit(result)
