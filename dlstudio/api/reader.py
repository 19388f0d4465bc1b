"""``dlstudio.open``: the stored runs for a notebook or a script, read-only in spirit.

    db = dlstudio.open("runs.db")
    for run in db.runs(tag="cifar"):
        print(run.id, run.name, run.config.get("lr"), run.summary.get("test/accuracy"))
    loss = db.curve(run.id, "train/loss")        # NumPy arrays: loss.step, loss.value
    rows = db.table()                            # pandas.DataFrame(rows) for analysis
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from dlstudio.errors import ConfigError
from dlstudio.store import Store, resolve_db_path
from dlstudio.store.paths import run_files
from dlstudio.store.run_table import flat_run_row


@dataclass(frozen=True)
class RunInfo:
    """One stored run. ``config`` is whatever the run was started with; ``environment``
    what reproducing it needs (versions, git commit, command line, file hashes)."""

    id: int
    name: str
    status: str
    created: float
    started: float | None
    ended: float | None
    config: dict[str, Any]
    summary: dict[str, Any]
    tags: list[str]
    notes: str = ""
    error: str = ""
    environment: dict[str, Any] = field(default_factory=dict)
    dir: Path | None = None  # the run's checkpoints and artifacts

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RunInfo:
        folder = row.get("checkpoint_dir")
        return cls(id=row["id"], name=row["name"], status=row["status"],
                   created=row["created"], started=row["started"], ended=row["ended"],
                   config=row["config"], summary=row["summary"], tags=row["tags"],
                   notes=row["notes"], error=row["error"],
                   environment=row.get("environment") or {},
                   dir=Path(folder) if folder else None)


class Curve(NamedTuple):
    """One metric of one run: equal-length arrays, in step order. ``value`` is NaN
    where a NaN was logged."""

    step: np.ndarray
    epoch: np.ndarray
    value: np.ndarray
    time: np.ndarray


class Database:
    """Reads runs, configs and curves from one dlstudio database file.

    Opening it marks runs whose process died as ``interrupted`` (as every reader does).
    Use it as a context manager or call ``close()``; use it from one thread.
    """

    def __init__(self, path: Path):
        self.path = path
        self._store = Store(path)

    def runs(self, status: str | None = None, tag: str | None = None,
             text: str | None = None, sort_by: str | None = None,
             descending: bool = True) -> list[RunInfo]:
        """Runs matching every filter, newest first unless ``sort_by`` (a column or a
        summary key such as ``"test/accuracy"``) says otherwise."""
        rows = self._store.list_runs(status=status, tag=tag, text=text, sort_by=sort_by,
                                     descending=descending)
        return [RunInfo.from_row(row) for row in rows]

    def run(self, run_id: int) -> RunInfo:
        """One run by id; ``ConfigError`` when there is none."""
        return RunInfo.from_row(self._store.get_run(run_id))

    def metric_keys(self, run_id: int) -> list[str]:
        """The metric names the run logged, sorted."""
        return self._store.metric_keys(run_id)

    def curve(self, run_id: int, key: str, max_points: int | None = None) -> Curve:
        """Every point of one metric, or at most ``max_points`` (each bucket's low and
        high, so no dip or spike is lost). ``ConfigError`` for a key the run lacks."""
        data = self._store.read_curve(run_id, key, max_points)
        if data["total"] == 0:
            self._store.get_run(run_id)  # a missing run says so
            raise ConfigError(f"run {run_id}: no metric {key!r}; it has "
                              f"{', '.join(self.metric_keys(run_id)) or 'none'}")
        return Curve(data["step"], data["epoch"], data["value"], data["time"])

    def curves(self, run_id: int) -> dict[str, Curve]:
        """Every metric of the run, by name."""
        return {key: self.curve(run_id, key) for key in self.metric_keys(run_id)}

    def files(self, run_id: int) -> list[Path]:
        """The run's checkpoints and artifacts on disk."""
        info = self.run(run_id)
        return [info.dir / name for name, _ in run_files(info.dir)] if info.dir else []

    def table(self, **filters: Any) -> list[dict[str, Any]]:
        """``runs(**filters)`` as flat dicts (``config.lr``, ``summary.test/accuracy``
        ...): ready for ``pandas.DataFrame``."""
        rows = self._store.list_runs(**filters)
        return [flat_run_row(row) for row in rows]

    def close(self) -> None:
        """Close the connection."""
        self._store.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"dlstudio.Database({str(self.path)!r})"


def open(db: str | Path | None = None) -> Database:  # noqa: A001 (dlstudio.open)
    """Open a database for reading (``db`` chosen as the CLI does); a file that does
    not exist is an error here, not a new empty database."""
    path = resolve_db_path(None if db is None else str(db))
    if str(path) != ":memory:" and not path.exists():
        raise ConfigError(f"database {path}: not found")
    return Database(path)
