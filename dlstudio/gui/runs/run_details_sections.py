"""What the run details pane lists, as plain rows: the run itself, its full config and
summary (nested, as stored: a RunConfig's sections or a script's free-form config),
where it came from, the resources it used and its files.

No Qt here: ``run_details_view`` puts the rows in a tree. The reproducibility and
resource fields are ``dlstudio.run_record``'s, the same ``dlstudio show`` prints.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, NamedTuple

from dlstudio.formatting import format_bytes, format_metric, is_number
from dlstudio.gui.common import run_format as fmt
from dlstudio.run_record import environment_fields, resource_fields


class Row(NamedTuple):
    label: str
    text: str
    children: tuple[Row, ...] = ()


class Section(NamedTuple):
    title: str
    rows: tuple[Row, ...]


def details_sections(run: dict[str, Any]) -> list[Section]:
    """The pane's sections for ``run`` as ``run_record.with_details`` gives it."""
    summary = run.get("summary") or {}
    files = run.get("files") or []
    return [
        Section("Run", _run_rows(run)),
        Section("Config", _nested(run.get("config") or {}) or (Row("(empty)", ""),)),
        Section("Summary", _summary_rows(summary) or (Row("(nothing yet)", ""),)),
        Section("Reproducibility",
                tuple(Row(*field) for field in environment_fields(run.get("environment") or {}))),
        Section("Resources", tuple(Row(*field) for field in
                                   resource_fields(summary, run.get("system_metrics") or {},
                                                   run.get("environment")))),
        Section(f"Files ({len(files)})", _file_rows(run.get("checkpoint_dir"), files)),
    ]


def value_text(value: Any) -> str:
    """A stored value as the pane shows it: floats to 6 significant digits, lists of
    plain values joined, anything else as JSON or text."""
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else str(value)
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        if all(isinstance(item, (str, int, float, bool)) for item in value):
            return ", ".join(value_text(item) for item in value)
        return json.dumps(value, default=str)
    return str(value)


def _run_rows(run: dict[str, Any]) -> tuple[Row, ...]:
    rows = [Row("Name", run.get("name") or ""), Row("ID", str(run["id"])),
            Row("Status", run.get("status") or "")]
    error = str(run.get("error") or "").strip()
    if error:
        lines = error.splitlines()
        trace = (Row("Traceback", error),) if len(lines) > 1 else ()
        rows.append(Row("Error", lines[-1], trace))
    for key in ("created", "started", "ended"):
        rows.append(Row(key.capitalize(), fmt.format_time(run.get(key)) or "—"))
    rows.append(Row("Duration", fmt.format_duration(fmt.run_duration(run)) or "—"))
    if run.get("sweep_id") is not None:
        rows.append(Row("Sweep", f"#{run['sweep_id']}, trial {run.get('trial_id')}"))
    rows.append(Row("Tags", ", ".join(run.get("tags") or []) or "none"))
    rows.append(Row("Notes", run.get("notes") or "none"))
    return tuple(rows)


def _nested(values: dict[str, Any]) -> tuple[Row, ...]:
    return tuple(Row(str(key), "", _nested(value)) if isinstance(value, dict) and value
                 else Row(str(key), value_text(value)) for key, value in values.items())


def _summary_rows(summary: dict[str, Any]) -> tuple[Row, ...]:
    metric = summary.get("metric_name")
    rows = []
    for key, value in summary.items():
        if key.endswith("_metric") and metric and is_number(value):
            rows.append(Row(key, format_metric(metric, value, unit=True)))
        elif isinstance(value, dict) and value:
            rows.append(Row(key, "", _nested(value)))
        else:
            rows.append(Row(key, value_text(value)))
    return tuple(rows)


def _file_rows(folder: str | None, files: list[dict[str, Any]]) -> tuple[Row, ...]:
    if not folder:
        return (Row("Folder", "none: the run saved no checkpoint or artifact"),)
    rows = [Row("Folder", folder)]
    for entry in files:
        path = Path(entry["path"])
        name = str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)
        rows.append(Row(name, format_bytes(entry["bytes"])))
    if not files:
        rows.append(Row("(empty)", "no checkpoint or artifact saved yet"))
    return tuple(rows)
