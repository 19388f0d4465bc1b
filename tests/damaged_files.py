"""Real database files with real damage, for the tests of what finds it."""

from __future__ import annotations

import sqlite3

from dlstudio.store import Store

PAGE = 4096  # SQLite's default page size, which dlstudio keeps


def database_with_points(path, runs: int = 20, points: int = 500) -> None:
    """``runs`` runs of ``points`` metric points each, folded into the file itself."""
    with Store(path) as store, store.transaction():
        for index in range(runs):
            run_id = store.create_run({"index": index}, name=f"run {index}")
            store.write_metrics([(run_id, "train_loss", step, 0, 1.0 / (step + 1), 0.0)
                                 for step in range(points)])
    conn = sqlite3.connect(path)  # fold the log into the file: the damage hits the pages
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def metrics_root_page(path) -> int:
    """The page number of the top of the metrics table's tree."""
    conn = sqlite3.connect(path)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'metrics'").fetchone()
    conn.close()
    return root


def overwrite_page(path, number: int, fill: bytes, skip: int = 0) -> None:
    """Fill page ``number`` (from 1) with ``fill`` bytes, after its first ``skip`` bytes."""
    data = bytearray(path.read_bytes())
    data[(number - 1) * PAGE + skip:number * PAGE] = fill * (PAGE - skip)
    path.write_bytes(bytes(data))
