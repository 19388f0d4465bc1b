"""The runs table's standard columns: what each cell says and how it sorts.

A column reads a run's record (``Store.list_run_records``): its config is not decoded,
only the values of ``SHOWN_CONFIG_KEYS``, which SQLite reads for the whole table. The
model that shows them (grouped, filtered) is ``runs_tree_model.RunsTreeModel``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import Qt

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.formatting import format_metric
from dlstudio.gui.common import run_format as fmt
from dlstudio.gui.runs import runs_cv
from dlstudio.run_record import environment_summary
from dlstudio.store.paths import run_files
from dlstudio.store.run_records import CONFIG_VALUES

SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the key a cell sorts by: a number or lower text
RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 2
GROUP_ROLE = Qt.ItemDataRole.UserRole + 3  # a group row's key ("sweep:3"), else None
ROLES = {int(role) for role in (  # the roles the tree model answers; painting asks more
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.FontRole,
    SORT_ROLE, RUN_ID_ROLE, GROUP_ROLE)}
NO_NUMBER = -math.inf  # missing numbers sort below every real one
# The config values the standard columns show, as dotted keys of the flattened config
# (``flatten``), so nested RunConfigs and free-form configs read alike, as in a key column.
SHOWN_CONFIG_KEYS = ("data.name", "model.name", "optim.name", "optim.lr")
STATUS_COLORS = {"running": "#1565c0", "queued": "#616161", "stopped": "#8d6e00",
                 "diverged": "#c62828", "failed": "#c62828", "interrupted": "#e65100"}


@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[dict], str]
    sort_key: Callable[[dict], Any]
    numeric: bool = False
    tooltip: str = ""


def _config(record: dict, key: str) -> Any:
    return record[CONFIG_VALUES][key]


def _summary(run: dict, key: str) -> Any:
    return (run.get("summary") or {}).get(key)


def _metric_column(header: str, key: str, tooltip: str) -> Column:
    return Column(
        header,
        lambda r: format_metric(_summary(r, "metric_name"), _summary(r, key), unit=True),
        lambda r: float(_summary(r, key)) if fmt.is_number(_summary(r, key)) else NO_NUMBER,
        numeric=True, tooltip=tooltip)


def _number_or_missing(value: Any) -> float:
    return float(value) if fmt.is_number(value) else NO_NUMBER


COLUMNS = [
    Column("ID", lambda r: str(r["id"]), lambda r: int(r["id"]), numeric=True),
    Column("Name", lambda r: r.get("name") or "", lambda r: (r.get("name") or "").lower()),
    Column("Status", lambda r: r.get("status") or "", lambda r: r.get("status") or ""),
    Column("Dataset", lambda r: _config(r, "data.name") or "",
           lambda r: _config(r, "data.name") or ""),
    Column("Model", lambda r: _config(r, "model.name") or "",
           lambda r: _config(r, "model.name") or ""),
    Column("Optimizer", lambda r: _config(r, "optim.name") or "",
           lambda r: _config(r, "optim.name") or ""),
    Column("LR", lambda r: fmt.format_lr(_config(r, "optim.lr")),
           lambda r: _number_or_missing(_config(r, "optim.lr")), numeric=True,
           tooltip="Learning rate set in the config"),
    _metric_column("Best dev", "best_dev_metric",
                   "Best dev-set metric over the epochs (accuracy in %, or RMSE: lower is "
                   "better)"),
    _metric_column("Train", "train_metric", "Train-set metric at the end of the run"),
    _metric_column("Dev", "dev_metric", "Dev-set metric at the end of the run"),
    Column("CV dev (mean ± sd)", runs_cv.cv_text, lambda r: runs_cv.cv_sort_key(r, NO_NUMBER),
           numeric=True, tooltip="For the folds of a cross-validation group (tag cv-N): the "
           "dev metric's mean ± standard deviation over the group's finished folds, on "
           "every fold's row. Hover a cell for train and test."),
    Column("Duration", lambda r: fmt.format_duration(fmt.run_duration(r)),
           lambda r: _number_or_missing(fmt.run_duration(r)), numeric=True,
           tooltip="Wall-clock training time"),
    Column("Created", lambda r: fmt.format_time(r.get("created")),
           lambda r: _number_or_missing(fmt.to_timestamp(r.get("created"))), numeric=True,
           tooltip="Local time the run was created"),
    Column("Tags", lambda r: ", ".join(r.get("tags") or []),
           lambda r: ", ".join(r.get("tags") or []).lower()),
]
COLUMN_INDEX = {column.header: i for i, column in enumerate(COLUMNS)}
STATUS_COLUMN = COLUMN_INDEX["Status"]
CV_COLUMN = COLUMN_INDEX["CV dev (mean ± sd)"]


def run_tooltip(run: dict) -> str:
    """A run row's tooltip: its label, notes, the last line of its error, where it came
    from (reproducibility record) and the files kept in its folder."""
    lines = [fmt.run_label(run)]
    if run.get("notes"):
        lines.append(f"Notes: {run['notes']}")
    error = run.get("error")
    if error:
        lines.append(f"Error: {str(error).strip().splitlines()[-1]}")
    lines += environment_summary(run.get("environment") or {})
    files = run_files(run.get("checkpoint_dir"))
    if files:
        lines.append("Files: " + ", ".join(name for name, _ in files[:6])
                     + (f" and {len(files) - 6} more" if len(files) > 6 else ""))
    return "\n".join(lines)

