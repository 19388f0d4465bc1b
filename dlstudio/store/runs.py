"""Writing runs: create, start, end, rename, notes, tags, status, delete."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

from dlstudio.errors import ConfigError
from dlstudio.store import codec
from dlstudio.store.owners import HOST, OwnersMixin
from dlstudio.store.paths import checkpoint_root, resolve_checkpoint_dir, storable_checkpoint_dir

log = logging.getLogger(__name__)

RUN_STATUSES = ("queued", "running", "finished", "stopped", "diverged", "failed", "interrupted")


def check_status(status: str) -> str:
    """Return ``status`` if it is one of ``RUN_STATUSES``, else raise ``ConfigError``."""
    if status not in RUN_STATUSES:
        raise ConfigError(f"run status: unknown {status!r}; expected one of "
                          f"{', '.join(RUN_STATUSES)}")
    return status


def not_found(run_id: int) -> ConfigError:
    return ConfigError(f"run {run_id}: not found")


# How ``delete_run`` says the usual outcomes, which a caller listing many may leave out;
# its other sentences (a folder kept, or not removable) always matter.
NO_CHECKPOINTS = "it had no checkpoints on disk"
REMOVED = "removed its checkpoints"
USUAL_OUTCOMES = (NO_CHECKPOINTS, REMOVED)


def still_running(ids: list[int], kind: str = "run") -> ConfigError:
    """Why runs (or a sweep: ``kind``) cannot be deleted while they train."""
    return ConfigError(f"{kind} {', '.join(map(str, ids))}: still running; stop it "
                       "first, then delete it")


def default_run_name(config: dict[str, Any], run_id: int) -> str:
    """``"digits-mlp-adam #12"`` when the config names them, else ``"run 12"``."""
    stem = run_name_stem(config)
    return f"run {run_id}" if stem is None else f"{stem} #{run_id}"


def run_name_stem(config: dict[str, Any]) -> str | None:
    """``"digits-mlp-adam"``: the part of the automatic name that the config decides
    (None when it does not name its data, model and optimizer)."""
    parts = [_lookup(config, section) for section in ("data", "model", "optim")]
    if any(part in (None, "") for part in parts):
        return None
    return "-".join(str(part) for part in parts)


def _lookup(config: dict[str, Any], section: str) -> Any:
    # Nested ({"data": {"name": ..}}) as RunConfig.to_dict() gives, or flat ("data.name").
    nested = config.get(section)
    if isinstance(nested, dict):
        return nested.get("name")
    return config.get(f"{section}.name")


class RunsMixin(OwnersMixin):
    """The run-table writes of ``Store``; every one raises ``ConfigError`` for a
    missing run (``"run 42: not found"``)."""

    def create_run(
        self,
        config: dict[str, Any],
        name: str = "",
        status: str = "queued",
        sweep_id: int | None = None,
        trial_id: int | None = None,
    ) -> int:
        """Insert a run with its full config; returns the new run id."""
        check_status(status)
        with self._write() as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO runs (name, status, created, config, sweep_id, trial_id) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (name, status, time.time(), codec.dumps(config), sweep_id, trial_id),
                )
            except sqlite3.IntegrityError as exc:
                raise ConfigError(f"sweep {sweep_id}: not found") from exc
            run_id = int(cursor.lastrowid)
            if not name:
                conn.execute("UPDATE runs SET name = ? WHERE id = ?",
                             (default_run_name(config, run_id), run_id))
        return run_id

    def start_run(self, run_id: int) -> None:
        """Mark the run ``running`` and owned by this process and host.

        ``started`` keeps the first start when a run is resumed; ``ended`` and
        ``error`` are cleared.
        """
        self._update(
            run_id,
            "status = 'running', started = COALESCE(started, ?), ended = NULL, "
            "error = '', owner_pid = ?, owner_host = ?",
            (time.time(), os.getpid(), HOST),
        )
        self._claim(run_id)

    def end_run(self, run_id: int, status: str, summary: dict[str, Any] | None = None,
                error: str = "") -> None:
        """Record the end: status, ``ended`` time, summary (merged into the stored
        one) and the error text (a traceback for ``failed``)."""
        check_status(status)
        with self._write():
            merged = {**self._summary(run_id), **(summary or {})}
            self._update(run_id, "status = ?, ended = ?, summary = ?, error = ?",
                         (status, time.time(), codec.dumps(merged), error))

    def update_summary(self, run_id: int, partial: dict[str, Any]) -> dict[str, Any]:
        """Merge ``partial`` into the run's summary (top-level keys); returns the result."""
        with self._write():
            merged = {**self._summary(run_id), **partial}
            self._update(run_id, "summary = ?", (codec.dumps(merged),))
        return merged

    def set_run_times(self, run_id: int, created: float | None = None,
                      started: float | None = None, ended: float | None = None) -> None:
        """Set the times a run was created / started / ended (runs imported from other
        trackers keep their own); ``None`` leaves a time as it is."""
        self._update(run_id, "created = COALESCE(?, created), started = COALESCE(?, started), "
                     "ended = COALESCE(?, ended)", (created, started, ended))

    def replace_summary(self, run_id: int, summary: dict[str, Any]) -> None:
        """Replace the whole summary (to drop keys, which ``update_summary`` cannot)."""
        self._update(run_id, "summary = ?", (codec.dumps(summary),))

    def set_status(self, run_id: int, status: str) -> None:
        """Change the status only (e.g. back to ``queued``)."""
        self._update(run_id, "status = ?", (check_status(status),))

    def rename_run(self, run_id: int, name: str) -> None:
        """Change the display name."""
        self._update(run_id, "name = ?", (name,))

    def set_notes(self, run_id: int, notes: str) -> None:
        """Replace the free-text notes."""
        self._update(run_id, "notes = ?", (notes,))

    def set_checkpoint_dir(self, run_id: int, path: str | Path | None) -> None:
        """Remember the run's checkpoint folder (removed with the run).

        A folder inside the database's own checkpoint folder is stored relative to the
        database, so a copied or moved database still finds (and deletes) its own.
        """
        self._update(run_id, "checkpoint_dir = ?",
                     (None if path is None else storable_checkpoint_dir(self.path, path),))

    def set_resources(self, run_id: int, resources: dict[str, Any] | None) -> None:
        """Store the device / resource description (samples over time are metrics)."""
        self._update(run_id, "resources = ?",
                     (None if resources is None else codec.dumps(resources),))

    def set_environment(self, run_id: int, environment: dict[str, Any]) -> None:
        """Store what reproducing the run needs (see ``dlstudio.reproducibility``)."""
        self._update(run_id, "environment = ?", (codec.dumps(environment),))

    def add_tag(self, run_id: int, tag: str) -> None:
        """Tag a run; adding a tag it already has does nothing."""
        tag = _clean_tag(tag)
        try:
            with self._write() as conn:
                conn.execute("INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)",
                             (run_id, tag))
        except sqlite3.IntegrityError as exc:  # the foreign key: no such run
            raise not_found(run_id) from exc

    def remove_tag(self, run_id: int, tag: str) -> None:
        """Remove a tag; removing one the run lacks does nothing."""
        with self._write() as conn:
            conn.execute("DELETE FROM tags WHERE run_id = ? AND tag = ?",
                         (run_id, _clean_tag(tag)))

    def delete_run(self, run_id: int) -> str:
        """Delete a run, its metrics and tags, then its checkpoint folder on disk.

        The folder is removed only when it lies inside this database's own checkpoint
        folder (``<stem>-checkpoints``): a row copied with the database, or edited to
        name some other folder, must not make a delete remove files it does not own.
        Returns what happened to the folder, as a sentence for the user. A ``running``
        run is refused (``ConfigError``): its trainer, maybe in another process, would
        go on writing points for a run that is gone.
        """
        with self._write() as conn:
            row = conn.execute("SELECT checkpoint_dir, status FROM runs WHERE id = ?",
                               (run_id,)).fetchone()
            if row is None:
                raise not_found(run_id)
            if row[1] == "running":
                raise still_running([run_id])
            conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))  # cascades
        # Only after the commit: a failed delete must not have lost the checkpoints.
        folder = resolve_checkpoint_dir(self.path, row[0])
        if folder is None or not folder.exists():
            return NO_CHECKPOINTS
        root = Path(os.path.realpath(checkpoint_root(self.path)))
        real = Path(os.path.realpath(folder))
        if real == root or root not in real.parents:
            return (f"its checkpoint folder {folder} was kept: it is not inside this "
                    f"database's checkpoint folder {root}")
        try:
            shutil.rmtree(real)
        except OSError as exc:
            log.warning("run %s deleted, but its checkpoints %s were not: %s",
                        run_id, real, exc)
            return f"its checkpoints {real} could not be removed: {exc.strerror or exc}"
        return f"{REMOVED} {real}"

    # -- helpers -------------------------------------------------------------------
    def _update(self, run_id: int, assignments: str, params: tuple[Any, ...]) -> None:
        with self._write() as conn:
            cursor = conn.execute(f"UPDATE runs SET {assignments} WHERE id = ?",
                                  (*params, run_id))
        if cursor.rowcount == 0:
            raise not_found(run_id)

    def _summary(self, run_id: int) -> dict[str, Any]:
        row = self.db.conn.execute("SELECT summary FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise not_found(run_id)
        return codec.loads(row[0], {})


def _clean_tag(tag: str) -> str:
    tag = str(tag).strip()
    if not tag:
        raise ConfigError("tag: got an empty tag, expected some text")
    return tag
