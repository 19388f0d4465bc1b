"""``RunTrace``: one run's points in growing numpy tables, and what the live view needs.

Plain data, no widgets: the live view fills a trace from the bridge's batches (or from
the store's curves for a saved run) and draws slices of it. A live run keeps two
tables, one row per step (step, epoch, time, loss, lr, momentum) and one per epoch; the
columns share their step, epoch and time arrays, so a million steps cost ~50 MB. A
saved run's curves come downsampled each on its own steps, so each gets its own table.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

STEP_KEYS = ("loss", "lr", "momentum")
EPOCH_KEYS = ("train_loss", "train_metric", "dev_loss", "dev_metric")
STEP_COLUMNS = ("step", "epoch", "time", *STEP_KEYS)
EPOCH_COLUMNS = ("step", "epoch", "time", *EPOCH_KEYS)


class ColumnTable:
    """Named float64 columns of one length, in buffers that double when full.

    ``column(name)`` is a slice (a view) of the buffer: hand it to ``setData`` as is.
    """

    def __init__(self, names: tuple[str, ...], capacity: int = 1024):
        self.buffers = {name: np.empty(capacity, dtype=np.float64) for name in names}
        self.n = 0

    def extend(self, columns: dict[str, np.ndarray]) -> None:
        count = len(next(iter(columns.values())))
        needed = self.n + count
        for name, buffer in self.buffers.items():
            if needed > len(buffer):
                buffer = self.buffers[name] = np.resize(buffer, max(needed, 2 * len(buffer)))
            buffer[self.n:needed] = columns.get(name, np.nan)
        self.n = needed

    def column(self, name: str) -> np.ndarray:
        return self.buffers[name][:self.n]


class RunTrace:
    """The step and epoch points of one run, by metric key."""

    def __init__(self, run_id: int, name: str = ""):
        self.run_id = run_id
        self.name = name or f"run {run_id}"
        self.info: dict[str, Any] = {}  # RunStarted fields
        self.steps = ColumnTable(STEP_COLUMNS)
        self.epochs = ColumnTable(EPOCH_COLUMNS, capacity=64)
        self.tables: dict[str, tuple[ColumnTable, str]] = {
            **{key: (self.steps, key) for key in STEP_KEYS},
            **{key: (self.epochs, key) for key in EPOCH_KEYS}}
        self.has_momentum = False
        self.resources: dict[str, float] = {}
        self.ended: dict[str, Any] | None = None
        self.totals: dict[str, int] = {}  # points stored, when loaded downsampled
        self.own_keys: list[str] = []  # keys a script named itself (not drawn here)
        self.own_last: tuple[int, float] | None = None  # their last (step, time)

    # -- filling -------------------------------------------------------------------
    def start(self, info: dict[str, Any]) -> None:
        self.info = dict(info)

    def add_batch(self, batch: dict[str, Any]) -> None:
        """Append a ``MetricBatcher`` batch."""
        if batch.get("steps") is not None:
            self.steps.extend(batch["steps"])
            self.has_momentum = self.has_momentum or bool(np.isfinite(batch["steps"]["momentum"]).any())
        if batch.get("epochs") is not None:
            self.epochs.extend(batch["epochs"])

    def add_curve(self, key: str, curve: dict[str, Any]) -> None:
        """Set ``key`` from a store curve (a ``read_curve`` result), on its own steps."""
        if key not in self.tables or len(curve["step"]) == 0:
            return
        table = ColumnTable(("step", "epoch", "time", "value"), capacity=len(curve["step"]))
        table.extend({"step": curve["step"], "epoch": curve["epoch"], "time": curve["time"],
                      "value": curve["value"]})
        self.tables[key] = (table, "value")
        self.totals[key] = int(curve.get("total", len(curve["step"])))
        self.has_momentum = self.has_momentum or key == "momentum"

    def extend_curve(self, key: str, curve: dict[str, Any]) -> None:
        """Append store points of ``key`` (newer than ``last_stored_step(key)``)."""
        if key not in self.tables or len(curve["step"]) == 0:
            return
        table, column = self.tables[key]
        if column != "value":  # no stored points yet: the key gets a table of its own
            self.add_curve(key, curve)
            return
        table.extend({"step": curve["step"], "epoch": curve["epoch"], "time": curve["time"],
                      "value": curve["value"]})
        self.totals[key] = self.totals.get(key, 0) + len(curve["step"])

    def last_stored_step(self, key: str) -> int:
        """The last step held for ``key``; -1 when none."""
        steps = self.tables[key][0].column("step")
        return int(steps[-1]) if len(steps) else -1

    def end(self, ended: dict[str, Any]) -> None:
        self.ended = dict(ended)

    def set_stored_keys(self, keys: list[str], last_point=None) -> None:
        """The run's stored metric names: those outside dlstudio's own (and its
        ``sys.*`` resources) are the script's. ``last_point(keys)`` gives their last
        (step, time), which the progress counts (a script's run may log no other)."""
        self.own_keys = [key for key in keys
                         if key not in self.tables and not key.startswith("sys.")]
        if last_point is not None and self.own_keys:
            self.own_last = last_point(self.own_keys)

    # -- reading -------------------------------------------------------------------
    def has_builtin_points(self) -> bool:
        """Whether any curve the live plots draw has a point."""
        return any(self.count(key) for key in self.tables)

    def count(self, key: str) -> int:
        """Points held for ``key``."""
        if key == "momentum" and not self.has_momentum:
            return 0
        return self.tables[key][0].n

    def xy(self, key: str, x_axis: str = "step") -> tuple[np.ndarray, np.ndarray]:
        """The x and y arrays of ``key`` for the x axis ``step``, ``epoch`` or ``time``."""
        table, column = self.tables[key]
        if key == "momentum" and not self.has_momentum:
            return np.empty(0), np.empty(0)
        values = table.column(column)
        if x_axis == "time":
            return table.column("time"), values
        if x_axis == "epoch":
            if key in EPOCH_KEYS:
                return table.column("epoch"), values
            return table.column("step") / self.steps_per_epoch(), values
        return table.column("step"), values

    def steps_per_epoch(self) -> float:
        if self.info.get("steps_per_epoch"):
            return float(self.info["steps_per_epoch"])
        table, _ = self.tables["dev_loss"]
        steps, epochs = table.column("step"), table.column("epoch")
        if len(steps) and epochs[0] > 0:
            return float(steps[0] / epochs[0])
        return 1.0

    @property
    def last_step(self) -> int:
        steps = self.tables["loss"][0].column("step")
        return int(steps[-1]) if len(steps) else int(self.info.get("start_step", 0))

    @property
    def last_time(self) -> float:
        times = self.tables["loss"][0].column("time")
        return float(times[-1]) if len(times) else 0.0

    @property
    def total_steps(self) -> int:
        return int(self.info.get("epochs", 0)) * int(self.info.get("steps_per_epoch", 0))

    def progress(self) -> dict[str, Any]:
        """Step, epoch, elapsed and estimated seconds left (None until known)."""
        step, total = self.last_step, self.total_steps
        epochs = int(self.info.get("epochs", 0))
        spe = max(1, int(self.info.get("steps_per_epoch", 1)))
        elapsed = self.last_time
        if self.own_last is not None:
            step, elapsed = max(step, self.own_last[0]), max(elapsed, self.own_last[1])
        done_here = step - int(self.info.get("start_step", 0))
        left = None
        if total and done_here > 0 and elapsed > 0:
            left = elapsed / done_here * max(0, total - step)
        epoch = max(1, math.ceil(step / spe))
        return {"step": step, "total_steps": total, "epoch": min(epoch, epochs) if epochs else epoch,
                "epochs": epochs, "elapsed": elapsed, "left": left}
