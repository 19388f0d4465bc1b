"""Runs for the runs table, cheap to read by the ten thousand.

Decoding every run's config in Python (a RunConfig is some 60 values) was most of the
time to open a table of 10,000 runs, yet the table shows four config values and only
a hovered, selected or compared run needs the rest. ``list_run_records`` therefore has
SQLite read the shown config values (one JSON parse per row, in C) and keeps the
config, environment and resources as text until ``full_run`` decodes them for the
rows that need them.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from typing import Any

from dlstudio.config import flatten
from dlstudio.store import codec
from dlstudio.store.base import StoreBase
from dlstudio.store.paths import resolve_checkpoint_dir

CONFIG_VALUES = "config_values"  # a record's {dotted key: value} of the keys asked for
# What the runs table shows, summed over every run in one pass: rows come and go, a
# status, start or end changes, a summary, name or note grows or shrinks, a tag is added.
# A few milliseconds for 10,000 runs, where re-reading the table takes hundreds.
_SIGNATURE = """SELECT (SELECT count(*) || ':' || total(id) || ':' || total(coalesce(started, 0))
                   || ':' || total(coalesce(ended, 0)) || ':' || total(length(summary))
                   || ':' || total(length(name) + length(notes) + length(status)) FROM runs)
               || '/' || (SELECT count(*) || ':' || total(length(tag)) FROM tags)
               || '/' || (SELECT count(*) || ':' || total(length(name)) FROM sweeps)"""
UNDECODED = "undecoded"  # (database path, config, resources, environment, checkpoint_dir)
_DECODED_COLUMNS = ("id", "name", "status", "created", "started", "ended", "summary",
                    "error", "notes", "sweep_id", "trial_id", "owner_pid", "owner_host")
_UNDECODED_COLUMNS = ("config", "resources", "environment", "checkpoint_dir")


class RunRecordsMixin(StoreBase):
    """The runs table's read of ``Store``."""

    def runs_signature(self) -> str:
        """A short text that changes when what the runs table shows changes (almost
        always: a rename to a name of the same length keeps it), so a reader told that
        another connection wrote can skip re-reading 10,000 runs for a metric flush."""
        return self.db.conn.execute(_SIGNATURE).fetchone()[0]

    def list_run_records(self, config_keys: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Every run, newest first, as ``list_runs()`` gives it except that the config,
        environment, resources and checkpoint folder are absent until ``full_run``
        decodes them; ``record["config_values"]`` holds, for each dotted key of
        ``config_keys``, the value ``flatten(config).get(key)`` gives (nested
        ``{"optim": {"lr": 0.1}}`` or flat ``{"optim.lr": 0.1}`` configs alike; a key
        written both ways, once as null, reads as the other spelling's value, where
        ``flatten`` gives whichever comes last).
        A key holding a double quote raises ``ValueError`` (no JSON path can name it).
        """
        keys = list(config_keys)
        # One json_extract (one parse of the config) reads every key nested, then its
        # other spellings; a row where one of those is set, or where a value is a
        # mapping, is flattened in Python instead: exact, and rare.
        spellings = [_spellings(key) for key in keys]
        paths = [paths[0] for paths in spellings]
        others = [path for paths in spellings for path in paths[1:]]
        # json_extract gives a JSON array only for two paths or more: one spare path.
        others += ['$."\x01"'] * (len(paths) + len(others) == 1)
        paths += others
        values = f"json_extract(config, {', '.join('?' * len(paths))})" if paths else "NULL"
        nested_only = ",null" * len(others) + "]"
        sql = (f"SELECT {', '.join(_DECODED_COLUMNS + _UNDECODED_COLUMNS)}, "
               f"{values} FROM runs ORDER BY id DESC")
        tags: dict[int, list[str]] = {}
        for run_id, tag in self.db.conn.execute(
                "SELECT run_id, tag FROM tags ORDER BY run_id, tag"):
            tags.setdefault(run_id, []).append(tag)
        records = []
        width = len(_DECODED_COLUMNS)
        for row in self.db.conn.execute(sql, paths):
            record = dict(zip(_DECODED_COLUMNS, row))
            record["summary"] = codec.loads(record["summary"], {})
            record["tags"] = tags.get(record["id"], [])
            found = row[-1]
            if found is None or (found.endswith(nested_only) and "{" not in found):
                record[CONFIG_VALUES] = dict(zip(keys, codec.loads(found, [None] * len(keys))))
            else:
                flat = _flat(row[width])
                record[CONFIG_VALUES] = {key: flat.get(key) for key in keys}
            record[UNDECODED] = (self.path, *row[width:-1])
            records.append(record)
        return records


def full_run(record: dict[str, Any]) -> dict[str, Any]:
    """The run of a ``list_run_records`` record as ``list_runs`` gives it (config,
    environment and resources decoded, checkpoint folder resolved); keys the caller
    added to the record are kept."""
    path, _, resources, environment, folder = record[UNDECODED]
    run = {key: value for key, value in record.items() if key not in (UNDECODED, CONFIG_VALUES)}
    checkpoint_dir = resolve_checkpoint_dir(path, folder)
    run.update(config=record_config(record), resources=codec.loads(resources),
               environment=codec.loads(environment, {}),
               checkpoint_dir=None if checkpoint_dir is None else str(checkpoint_dir))
    return run


def record_config(record: dict[str, Any]) -> Any:
    """The config of a ``list_run_records`` record, decoded (``{}`` when it has none)."""
    return codec.loads(record[UNDECODED][1], {})


def _spellings(key: str) -> list[str]:
    # "a.b.c" may be written nested, flat or half of each: a.b.c (first), a."b.c",
    # "a.b".c, "a.b.c".
    parts = key.split(".")
    paths = []
    for cuts in product((True, False), repeat=len(parts) - 1):
        labels, label = [], parts[0]
        for cut, part in zip(cuts, parts[1:]):
            if cut:
                labels.append(label)
                label = part
            else:
                label += "." + part
        paths.append(_path([*labels, label]))
    return paths


def _path(labels: list[str]) -> str:
    if any('"' in label for label in labels):
        raise ValueError(f"config key: {'.'.join(labels)!r} holds a double quote, which no "
                         "JSON path can name")
    return "$" + "".join(f'."{label}"' for label in labels)


def _flat(config_text: str | None) -> dict[str, Any]:
    config = codec.loads(config_text, {})
    return flatten(config) if isinstance(config, dict) else {}
