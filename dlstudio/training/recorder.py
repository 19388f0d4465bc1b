"""The subscriber that writes a run's events into the store, in batches."""

from __future__ import annotations

from dlstudio.store import MetricWriter
from dlstudio.training.events import EpochEvent, Event, RunEnded, StepEvent

STEP_KEYS = ("loss", "lr", "momentum")
EPOCH_KEYS = ("train_loss", "train_metric", "dev_loss", "dev_metric")


class MetricRecorder:
    """Buffers step and epoch metrics and hands them to a ``MetricWriter``.

    The writer flushes in one transaction when its buffer fills or a second has passed,
    so a crash loses at most about a second of points and never corrupts the file.
    """

    def __init__(self, writer: MetricWriter, run_id: int):
        self.writer = writer
        self.run_id = run_id

    def __call__(self, event: Event) -> None:
        if isinstance(event, StepEvent):  # every step: one call to the writer
            run, step, epoch, seconds = self.run_id, event.step, event.epoch, event.time
            rows = [(run, "loss", step, epoch, event.loss, seconds),
                    (run, "lr", step, epoch, event.lr, seconds)]
            if event.momentum is not None:
                rows.append((run, "momentum", step, epoch, event.momentum, seconds))
            self.writer.extend(rows)
        elif isinstance(event, EpochEvent):
            add = self.writer.add
            for key in EPOCH_KEYS:
                add(self.run_id, key, event.step, event.epoch, getattr(event, key), event.time)
            for name, value in event.extra.items():  # a plugin's own metrics
                add(self.run_id, f"dev_{name}", event.step, event.epoch, value, event.time)
            if event.checkpoint:
                # A checkpoint is written right after this event: its epoch's points must
                # be on disk first, or a crash would resume past points never stored.
                # (Flushing at every epoch instead cost ~6 % of a small CPU run.)
                self.writer.flush()
        elif isinstance(event, RunEnded):
            self.writer.flush()
