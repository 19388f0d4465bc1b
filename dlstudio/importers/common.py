"""What every importer shares: the run it builds, the optional-dependency message, and
writing it to the store (skipping runs imported before)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from dlstudio.errors import ConfigError
from dlstudio.formatting import parse_number
from dlstudio.reproducibility import IMPORT_MARK
from dlstudio.store import Store

INSTALL_HINT = 'pip install "dlstudio[import]"'


def missing_reader(source: str, package: str, exc: ImportError) -> ConfigError:
    return ConfigError(f"import {source}: needs {package} ({exc.name or exc} is not "
                       f"installed); install it with: {INSTALL_HINT}")


@dataclass
class SourceRun:
    """One run read from another tracker, ready to store."""

    kind: str  # "tensorboard" | "mlflow"
    source_id: str  # what identifies it in its source (a folder, an MLflow run id)
    name: str
    config: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    # key -> [(step, value, wall-clock seconds)]
    metrics: dict[str, list[tuple[int, float, float]]] = field(default_factory=dict)
    status: str = "finished"
    error: str = ""
    started: float | None = None
    ended: float | None = None
    details: dict[str, Any] = field(default_factory=dict)  # kept in imported_from


@dataclass
class ImportReport:
    """What an import did: new run ids, points written, sources skipped."""

    run_ids: list[int] = field(default_factory=list)
    points: int = 0
    skipped: list[str] = field(default_factory=list)  # already imported


def write_runs(store: Store, source: str, runs: list[SourceRun]) -> ImportReport:
    """Store each run not imported before, each in one transaction."""
    done = _already_imported(store)
    report = ImportReport()
    for run in runs:
        if (run.kind, source, run.source_id) in done:
            report.skipped.append(run.source_id)
            continue
        with store.transaction():
            run_id = store.create_run(run.config, name=run.name)
            for tag in dict.fromkeys([run.kind, *run.tags]):
                store.add_tag(run_id, tag)
            store.set_environment(run_id, {IMPORT_MARK: {
                "kind": run.kind, "source": source, "id": run.source_id, **run.details}})
            start = run.started if run.started is not None else _first_time(run)
            rows = [(run_id, key, step, 0, value, max(0.0, wall - start) if start else 0.0)
                    for key, points in run.metrics.items() for step, value, wall in points]
            store.write_metrics(rows)
            store.end_run(run_id, run.status, error=run.error)
            store.set_run_times(run_id, created=start, started=start,
                                ended=run.ended or _last_time(run))
        report.run_ids.append(run_id)
        report.points += len(rows)
    return report


def _first_time(run: SourceRun) -> float | None:
    times = [wall for points in run.metrics.values() for _, _, wall in points
             if math.isfinite(wall)]
    return min(times) if times else None


def _last_time(run: SourceRun) -> float | None:
    times = [wall for points in run.metrics.values() for _, _, wall in points
             if math.isfinite(wall)]
    return max(times) if times else None


def _already_imported(store: Store) -> set[tuple[str, str, str]]:
    found = set()
    for row in store.list_runs():
        origin = (row.get("environment") or {}).get(IMPORT_MARK)
        if origin:
            found.add((origin.get("kind"), origin.get("source"), origin.get("id")))
    return found


def parse_param(text: str) -> Any:
    """MLflow / TensorBoard params are text; numbers and booleans become numbers and
    booleans again so they sort and filter as such."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    number = parse_number(text)
    return text if number is None else number
