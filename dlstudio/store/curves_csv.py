"""Several runs' curves in one long CSV: one line per (run, metric, step).

The long format (MLflow #5383 asks for the full history) is what pandas, R and
spreadsheets pivot from: ``run_id, run_name, key, step, epoch, time, wall_time, value``.
``time`` is seconds since the run started, ``wall_time`` the Unix time of the point
(the run's start plus ``time``; empty when the start is unknown). Every stored point is
written, never a downsampled curve; a NaN (diverged step) is an empty cell.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from typing import TextIO

from dlstudio.errors import ConfigError

LONG_HEADER = ("run_id", "run_name", "key", "step", "epoch", "time", "wall_time", "value")


def write_curves_long_csv(store, run_ids: Iterable[int], handle: TextIO,
                          keys: Iterable[str] | None = None) -> int:
    """Write the runs' curves (all keys, or ``keys``) to ``handle``; returns the lines
    written after the header. Raises ``ConfigError`` naming a run that does not exist."""
    runs = []
    for run_id in run_ids:
        runs.append(store.get_run(run_id))  # "run 42: not found"
    if not runs:
        raise ConfigError("runs: got none, expected at least one run to export")
    wanted = None if keys is None else set(keys)
    writer = csv.writer(handle)
    writer.writerow(LONG_HEADER)
    lines = 0
    for run in runs:
        started = run.get("started")
        for key in store.metric_keys(run["id"]):
            if wanted is not None and key not in wanted:
                continue
            curve = store.read_curve(run["id"], key)
            for step, epoch, time, value in zip(curve["step"].tolist(), curve["epoch"].tolist(),
                                                curve["time"].tolist(), curve["value"].tolist()):
                wall = "" if started is None else repr(started + time)
                writer.writerow((run["id"], run["name"], key, step, epoch, repr(time), wall,
                                 "" if math.isnan(value) else repr(value)))
                lines += 1
    return lines
