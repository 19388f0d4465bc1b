"""Sweeps and their trials: the stored state that lets a closed app resume a queue.

The store keeps what the search layer hands it (spec, strategy state, trial configs and
scores) as JSON; it knows nothing about strategies.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from dlstudio.errors import ConfigError
from dlstudio.store import codec
from dlstudio.store.base import StoreBase
from dlstudio.store.runs import still_running

_SWEEP_JSON = ("spec", "state")
_TRIAL_FIELDS = ("run_id", "status", "config", "epochs", "resume_from", "score", "bracket",
                 "rung")
_TRIAL_JSON = ("config",)


class SweepsMixin(StoreBase):
    """Sweep and trial rows of ``Store``."""

    def create_sweep(self, name: str, spec: dict[str, Any], status: str = "queued") -> int:
        """Insert a sweep with its spec (space, strategy, budget ...); returns its id."""
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO sweeps (name, status, created, spec, state) VALUES (?, ?, ?, ?, '{}')",
                (name, status, time.time(), codec.dumps(spec)),
            )
        return int(cursor.lastrowid)

    def update_sweep(self, sweep_id: int, status: str | None = None,
                     state: dict[str, Any] | None = None) -> None:
        """Change the status and/or replace the strategy state (after every ``tell``)."""
        fields: dict[str, Any] = {}
        if status is not None:
            fields["status"] = status
        if state is not None:
            fields["state"] = codec.dumps(state)
        self._set(f"sweep {sweep_id}", "sweeps", sweep_id, fields)

    def get_sweep(self, sweep_id: int) -> dict[str, Any]:
        """One sweep with spec and state decoded; ``ConfigError`` when missing."""
        rows = self._rows("SELECT * FROM sweeps WHERE id = ?", (sweep_id,))
        if not rows:
            raise ConfigError(f"sweep {sweep_id}: not found")
        return _decode(rows[0], _SWEEP_JSON)

    def list_sweeps(self, status: str | None = None) -> list[dict[str, Any]]:
        """All sweeps (or those with ``status``), newest first."""
        where, params = ("WHERE status = ?", (status,)) if status else ("", ())
        rows = self._rows(f"SELECT * FROM sweeps {where} ORDER BY id DESC", params)
        return [_decode(row, _SWEEP_JSON) for row in rows]

    def delete_sweep(self, sweep_id: int, with_runs: bool = True) -> list[str]:
        """Delete a sweep and its trials, and its runs with their metrics and checkpoints
        (``with_runs``) or keep them as runs of no sweep. Returns what happened to each
        run's checkpoints (``delete_run``'s sentences). Refused (``ConfigError``) while
        the sweep or one of its runs is running; the runs go first, so a delete cut short
        leaves the sweep, to be deleted again.
        """
        sweep = self.get_sweep(sweep_id)
        if sweep["status"] == "running":
            raise still_running([sweep_id], "sweep")
        runs = self._rows("SELECT id, status FROM runs WHERE sweep_id = ? ORDER BY id",
                          (sweep_id,))
        running = [row["id"] for row in runs if row["status"] == "running"]
        if running:
            raise still_running(running)
        said = [self.delete_run(row["id"]) for row in runs] if with_runs else []
        with self._write() as conn:
            conn.execute("UPDATE runs SET trial_id = NULL WHERE sweep_id = ?", (sweep_id,))
            conn.execute("DELETE FROM sweeps WHERE id = ?", (sweep_id,))  # trials cascade,
            # and the runs kept lose their sweep (ON DELETE SET NULL)
        return said

    def add_trial(self, sweep_id: int, config: dict[str, Any], epochs: int,
                  resume_from: int | str | None = None, bracket: int | None = None,
                  rung: int | None = None, status: str = "queued") -> int:
        """Queue a trial of a sweep; ``resume_from`` is a run id or checkpoint path."""
        try:
            with self._write() as conn:
                cursor = conn.execute(
                    "INSERT INTO trials (sweep_id, status, config, epochs, resume_from, "
                    "bracket, rung, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (sweep_id, status, codec.dumps(config), epochs, resume_from, bracket,
                     rung, time.time()),
                )
        except sqlite3.IntegrityError as exc:
            raise ConfigError(f"sweep {sweep_id}: not found") from exc
        return int(cursor.lastrowid)

    def update_trial(self, trial_id: int, **fields: Any) -> None:
        """Set any of run_id, status, config, epochs, resume_from, score, bracket, rung."""
        unknown = sorted(set(fields) - set(_TRIAL_FIELDS))
        if unknown:
            raise ConfigError(f"trial field: unknown {', '.join(unknown)}; expected "
                              f"{', '.join(_TRIAL_FIELDS)}")
        values = {k: codec.dumps(v) if k in _TRIAL_JSON else v for k, v in fields.items()}
        self._set(f"trial {trial_id}", "trials", trial_id, values)

    def get_trial(self, trial_id: int) -> dict[str, Any]:
        """One trial with its config decoded; ``ConfigError`` when missing."""
        rows = self._rows("SELECT * FROM trials WHERE id = ?", (trial_id,))
        if not rows:
            raise ConfigError(f"trial {trial_id}: not found")
        return _decode(rows[0], _TRIAL_JSON)

    def list_trials(self, sweep_id: int) -> list[dict[str, Any]]:
        """A sweep's trials in the order they were added."""
        rows = self._rows("SELECT * FROM trials WHERE sweep_id = ? ORDER BY id", (sweep_id,))
        return [_decode(row, _TRIAL_JSON) for row in rows]

    def _set(self, label: str, table: str, row_id: int, fields: dict[str, Any]) -> None:
        # Column names come from the fixed tuples above, never from the caller.
        assignments = ", ".join(f"{name} = ?" for name in fields) or "id = id"
        try:
            with self._write() as conn:
                cursor = conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?",
                                      (*fields.values(), row_id))
        except sqlite3.IntegrityError as exc:  # e.g. a trial's run_id that does not exist
            raise ConfigError(f"{label}: {exc}") from exc
        if cursor.rowcount == 0:
            raise ConfigError(f"{label}: not found")


def _decode(row: dict[str, Any], json_columns: tuple[str, ...]) -> dict[str, Any]:
    for column in json_columns:
        row[column] = codec.loads(row[column], {})
    return row
