"""Runs for the runs table, cheap to read by the ten thousand.

Decoding every run's config in Python (a RunConfig is some 60 values) was most of the
time to open a table of 10,000 runs, yet the table shows four config values and only
a hovered, selected or compared run needs the rest. ``list_run_records`` therefore has
SQLite read the shown config values (one JSON parse per row, in C); the config,
environment and resources are read when a record first needs them (``RunTexts``, one
query) and decoded by ``full_run`` for the rows that need them. The summary and the
shown config values are mappings decoded on first use (``codec.LazyObject``,
``ConfigValues``): a table opened on 10,000 runs decodes the rows on screen and the
sweeps' trials it orders, not every run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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
UNDECODED = "undecoded"  # the RunTexts that holds the run's config, environment, ...
_DECODED_COLUMNS = ("id", "name", "status", "created", "started", "ended", "summary",
                    "error", "notes", "sweep_id", "trial_id", "owner_pid", "owner_host")
_TEXT_COLUMNS = ("config", "resources", "environment", "checkpoint_dir")
_NO_TEXTS = (None, None, None, None)
_IDS_PER_QUERY = 500  # under SQLite's limit on parameters


class RunTexts:
    """The config, resources, environment and checkpoint folder of the runs of one
    ``list_run_records`` read, as stored text, read in one query when a record first
    needs them: the table shows none of them (some 13 MB for 10,000 runs).

    These are written when a run is created or starts, and a run's status changes
    then too, so two reads of one database compare equal: a record whose other fields
    did not change between two reads is the same record.
    """

    def __init__(self, conn, path):
        self._conn, self.path = conn, path
        self._texts: dict[int, tuple] | None = None

    def of(self, run_id: int) -> tuple:
        """(config, resources, environment, checkpoint_dir) of the run; all None once
        the run is deleted."""
        if self._texts is None:
            self._texts = {row[0]: row[1:] for row in self._conn.execute(
                f"SELECT id, {', '.join(_TEXT_COLUMNS)} FROM runs")}
        return self._texts.get(run_id, _NO_TEXTS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunTexts) and other.path == self.path

    __hash__ = None  # type: ignore[assignment]


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
        sql = f"SELECT {', '.join(_DECODED_COLUMNS)}, {values} FROM runs ORDER BY id DESC"
        conn = self.db.conn
        tags: dict[int, list[str]] = {}
        for run_id, tag in conn.execute("SELECT run_id, tag FROM tags ORDER BY run_id, tag"):
            tags.setdefault(run_id, []).append(tag)
        records, flattened = [], {}
        texts = RunTexts(conn, self.path)
        for row in conn.execute(sql, paths):
            record = dict(zip(_DECODED_COLUMNS, row))
            record["summary"] = codec.LazyObject(record["summary"])
            record["tags"] = tags.get(record["id"], [])
            found = row[-1]
            if found is None or (found.endswith(nested_only) and "{" not in found):
                record[CONFIG_VALUES] = ConfigValues(keys, found)
            else:
                flattened[record["id"]] = record
            record[UNDECODED] = texts
            records.append(record)
        ids = list(flattened)
        for start in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[start:start + _IDS_PER_QUERY]
            for run_id, config in conn.execute(
                    f"SELECT id, config FROM runs WHERE id IN ({', '.join('?' * len(chunk))})",
                    chunk):
                flat = _flat(config)
                flattened[run_id][CONFIG_VALUES] = {key: flat.get(key) for key in keys}
        return records


def full_run(record: dict[str, Any]) -> dict[str, Any]:
    """The run of a ``list_run_records`` record as ``list_runs`` gives it (config,
    environment and resources decoded, checkpoint folder resolved); keys the caller
    added to the record are kept."""
    texts = record[UNDECODED]
    config, resources, environment, folder = texts.of(record["id"])
    run = {key: value for key, value in record.items() if key not in (UNDECODED, CONFIG_VALUES)}
    checkpoint_dir = resolve_checkpoint_dir(texts.path, folder)
    run.update(config=codec.loads(config, {}), summary=dict(record["summary"]),
               resources=codec.loads(resources),
               environment=codec.loads(environment, {}),
               checkpoint_dir=None if checkpoint_dir is None else str(checkpoint_dir))
    return run


def record_config(record: dict[str, Any]) -> Any:
    """The config of a ``list_run_records`` record, decoded (``{}`` when it has none)."""
    return codec.loads(record[UNDECODED].of(record["id"])[0], {})


class ConfigValues(codec.LazyObject):
    """``{dotted key: value}`` of the keys asked for, from the JSON array that SQLite's
    ``json_extract`` read (one value per key, nested spellings first), decoded on first
    use; the values of the other spellings, all null on this path, are ignored."""

    __slots__ = ("keys_",)

    def __init__(self, keys: list[str], text: str | None):
        super().__init__(text)
        self.keys_ = keys

    def _decode(self) -> dict:
        return dict(zip(self.keys_, codec.loads(self.text, [None] * len(self.keys_))))

    def _source(self) -> object:
        return self.keys_, self.text

    def __iter__(self) -> Iterator[str]:  # the keys are known without decoding
        return iter(self.keys_)

    def __len__(self) -> int:
        return len(self.keys_)


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
