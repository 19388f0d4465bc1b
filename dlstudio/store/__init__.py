"""The run store: one SQLite file (via sqlite-utils) holding runs, metrics, tags,
sweeps, trials and LR tests. No torch, no Qt.

    from dlstudio.store import Store, MetricWriter, resolve_db_path

    with Store(resolve_db_path(args.db)) as store:
        run_id = store.create_run(config.to_dict())
"""

from __future__ import annotations

from dlstudio.store.curve_batch import read_curves
from dlstudio.store.paths import DB_ENV, default_db_path, resolve_db_path
from dlstudio.store.runs import RUN_STATUSES
from dlstudio.store.schema import SCHEMA_VERSION
from dlstudio.store.store import Store
from dlstudio.store.writer import MetricWriter

__all__ = [
    "DB_ENV",
    "RUN_STATUSES",
    "SCHEMA_VERSION",
    "MetricWriter",
    "Store",
    "default_db_path",
    "read_curves",
    "resolve_db_path",
]
