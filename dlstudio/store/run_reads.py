"""Reading runs: one by id, or a filtered, sorted list for the runs table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dlstudio.errors import ConfigError
from dlstudio.store import codec
from dlstudio.store.base import StoreBase
from dlstudio.store.paths import resolve_checkpoint_dir
from dlstudio.store.run_query import parse_query
from dlstudio.store.runs import check_status, not_found

RUN_COLUMNS = (
    "id", "name", "status", "created", "started", "ended", "config", "summary", "error",
    "notes", "sweep_id", "trial_id", "checkpoint_dir", "owner_pid", "owner_host", "resources",
    "environment",
)

# Tags come back with each run in the same query, as a JSON array sorted by tag.
_SELECT = (
    f"SELECT {', '.join('runs.' + c for c in RUN_COLUMNS)}, "
    "(SELECT json_group_array(tag) FROM "
    "(SELECT tag FROM tags WHERE tags.run_id = runs.id ORDER BY tag)) AS tags FROM runs"
)


class RunReadsMixin(StoreBase):
    """The run-table reads of ``Store``; rows are dicts with config, summary,
    resources and environment decoded and a ``tags`` list."""

    def get_run(self, run_id: int) -> dict[str, Any]:
        """One run; raises ``ConfigError("run 42: not found")`` when missing."""
        rows = self._rows(f"{_SELECT} WHERE runs.id = ?", (run_id,))
        if not rows:
            raise not_found(run_id)
        return self._decoded(rows[0])

    def list_runs(
        self,
        status: str | Iterable[str] | None = None,
        tag: str | None = None,
        sweep_id: int | None = None,
        text: str | None = None,
        sort_by: str | None = None,
        descending: bool = True,
        limit: int | None = None,
        where: str | None = None,
    ) -> list[dict[str, Any]]:
        """Runs matching every filter given, newest first unless ``sort_by`` says.

        ``status``: one status or several. ``text``: a substring of the name, notes or
        config (case-insensitive for ASCII). ``sort_by``: a column (``"created"``,
        ``"name"`` ...) or any summary key (``"best_dev_metric"``); runs without a
        value sort last either way. ``where``: a run query (``run_query``), e.g.
        ``"optim.name = adam and best_dev_metric > 0.95"``; a bad one raises
        ``ConfigError`` naming the position; a blank one filters nothing.
        """
        clauses, params = _filters(status, tag, sweep_id, text)
        if where and where.strip():
            query = parse_query(where)
            clauses.append(query.sql)
            params += query.params
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        order, order_params = _order(sort_by, descending)
        sql = f"{_SELECT}{where} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ?"
            order_params.append(int(limit))
        return [self._decoded(row) for row in self._rows(sql, [*params, *order_params])]

    def _decoded(self, row: dict[str, Any]) -> dict[str, Any]:
        # Rows store checkpoint folders relative to the database; callers get a path
        # they can open from any working directory.
        folder = resolve_checkpoint_dir(self.path, row["checkpoint_dir"])
        row["checkpoint_dir"] = None if folder is None else str(folder)
        return _decode(row)

    def run_ids_matching(self, where: str) -> set[int]:
        """Ids of the runs a run query matches (the app filters its table with it)."""
        query = parse_query(where)
        rows = self.db.conn.execute(f"SELECT runs.id FROM runs WHERE {query.sql}",
                                    query.params)
        return {row[0] for row in rows}


def _filters(status: str | Iterable[str] | None, tag: str | None, sweep_id: int | None,
             text: str | None) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        for one in statuses:
            check_status(one)
        clauses.append(f"runs.status IN ({', '.join('?' * len(statuses))})")
        params += statuses
    if tag is not None:
        clauses.append("runs.id IN (SELECT run_id FROM tags WHERE tag = ?)")
        params.append(tag)
    if sweep_id is not None:
        clauses.append("runs.sweep_id = ?")
        params.append(sweep_id)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append("(runs.name LIKE ? ESCAPE '\\' OR runs.notes LIKE ? ESCAPE '\\' "
                       "OR runs.config LIKE ? ESCAPE '\\')")
        params += [pattern] * 3
    return clauses, params


def _order(sort_by: str | None, descending: bool) -> tuple[str, list[Any]]:
    direction = "DESC" if descending else "ASC"
    if sort_by is None:
        return f"runs.id {direction}", []
    if sort_by in RUN_COLUMNS:
        expression, params = f"runs.{sort_by}", []
    else:
        # A JSON path key ends at a double quote, and SQLite rejects a NUL in one.
        if '"' in sort_by or "\x00" in sort_by or not sort_by.strip():
            raise ConfigError(f"sort_by: got {sort_by!r}, expected a run column or a "
                              "summary key without double quotes or NUL characters")
        expression, params = "json_extract(runs.summary, ?)", [f'$."{sort_by}"']
    # "IS NULL" first keeps runs without the value at the bottom in both directions.
    return (f"{expression} IS NULL, {expression} {direction}, runs.id {direction}",
            params * 2)


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row["config"] = codec.loads(row["config"], {})
    row["summary"] = codec.loads(row["summary"], {})
    row["resources"] = codec.loads(row["resources"])
    row["environment"] = codec.loads(row["environment"], {})
    row["tags"] = codec.loads(row["tags"], [])
    return row
