"""MLflow runs, read with MLflow's own client from an ``mlruns`` folder or a tracking
URI (``sqlite:///mlflow.db``, a ``.db`` file path, or a tracking server). Params become
the config (numbers parsed back from MLflow's text), user tags become ``key=value`` tags
plus the experiment's name, every metric's full history becomes the curves.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dlstudio.errors import ConfigError
from dlstudio.importers.common import (
    ImportReport, SourceRun, missing_reader, parse_param, write_runs)
from dlstudio.store import Store

# MLflow's run statuses -> dlstudio's; a run still RUNNING there is not running here.
STATUSES = {"FINISHED": "finished", "FAILED": "failed", "KILLED": "stopped",
            "SCHEDULED": "queued", "RUNNING": "interrupted"}


def tracking_uri(source: str) -> str:
    """An ``mlruns`` folder or a ``.db`` file as MLflow URIs; URIs pass unchanged."""
    if "://" in source:
        return source
    path = Path(source).expanduser()
    if path.is_dir():
        return path.resolve().as_uri()
    if path.is_file():
        return f"sqlite:///{path.resolve()}"
    raise ConfigError(f"import mlflow: {source}: no such folder or file; expected an "
                      "mlruns folder, an MLflow .db file or a tracking URI")


def import_mlflow(store: Store, source: str) -> ImportReport:
    """Import every run of every experiment at ``source``."""
    uri = tracking_uri(source)
    if uri.startswith("file:"):
        # Reading an existing mlruns folder: MLflow 3 refuses its file store unless asked.
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    try:
        from mlflow.entities import ViewType
        from mlflow.tracking import MlflowClient
    except ImportError as exc:
        raise missing_reader("mlflow", "MLflow's client", exc) from None
    try:
        client = MlflowClient(tracking_uri=uri)
        experiments = {e.experiment_id: e.name
                       for e in client.search_experiments(view_type=ViewType.ALL)}
        runs = [_read_run(client, uri, run, experiments)
                for run in _all_runs(client, list(experiments))]
    except ConfigError:
        raise
    except Exception as exc:  # MLflow raises its own types for a bad store
        raise ConfigError(f"import mlflow: {source}: {type(exc).__name__}: {exc}") from exc
    if not runs:
        raise ConfigError(f"import mlflow: {source}: no runs found")
    return write_runs(store, uri, runs)


def _all_runs(client: Any, experiment_ids: list[str]) -> list[Any]:
    from mlflow.entities import ViewType

    runs, token = [], None
    while experiment_ids:
        page = client.search_runs(experiment_ids, run_view_type=ViewType.ALL,
                                  max_results=1000, page_token=token)
        runs.extend(page)
        token = page.token
        if not token:
            break
    return runs


def _read_run(client: Any, uri: str, run: Any, experiments: dict[str, str]) -> SourceRun:
    info, data = run.info, run.data
    start = info.start_time / 1000 if info.start_time else None
    metrics = {}
    for key in data.metrics:
        history = client.get_metric_history(info.run_id, key)
        metrics[key] = [(int(m.step), float(m.value), m.timestamp / 1000) for m in history]
    user_tags = {k: v for k, v in data.tags.items() if not k.startswith("mlflow.")}
    experiment = experiments.get(info.experiment_id, info.experiment_id)
    return SourceRun(
        kind="mlflow", source_id=info.run_id, name=info.run_name or info.run_id,
        config={key: parse_param(value) for key, value in data.params.items()},
        tags=[f"experiment={experiment}", *(f"{k}={v}" for k, v in sorted(user_tags.items()))],
        metrics=metrics, status=STATUSES.get(info.status, "finished"),
        error="imported while still RUNNING in MLflow" if info.status == "RUNNING" else "",
        started=start, ended=info.end_time / 1000 if info.end_time else None,
        details={"experiment": experiment, "tags": dict(data.tags)})
