"""Load a saved run's curves from the store into a ``RunTrace`` for the live view."""

from __future__ import annotations

from dlstudio.gui.train.run_trace import EPOCH_KEYS, STEP_KEYS, RunTrace

MAX_POINTS = 20_000  # per curve; longer curves come back min/max-downsampled by the store


def load_latest_trace(store) -> RunTrace | None:
    """The newest run that ran (a queued or running one has nothing to show yet), or None:
    the app opens on it rather than on an empty view (the README's demo run)."""
    latest = store.list_runs(status=("finished", "stopped", "diverged", "failed",
                                     "interrupted"), limit=1)
    return load_trace(store, latest[0]["id"]) if latest else None


def load_trace(store, run_id: int, max_points: int = MAX_POINTS) -> RunTrace:
    """A trace holding run ``run_id``'s step and epoch curves, its summary and status."""
    run = store.get_run(run_id)
    trace = RunTrace(run_id, run["name"])
    for key in (*STEP_KEYS, *EPOCH_KEYS):
        trace.add_curve(key, store.read_curve(run_id, key, max_points=max_points))
    trace.set_stored_keys(store.metric_keys(run_id), lambda keys: store.last_point(run_id, keys))
    summary = run.get("summary") or {}
    train = (run.get("config") or {}).get("train", {})
    trace.start({"epochs": train.get("epochs", 0), "metric_name": summary.get("metric_name", ""),
                 "steps_per_epoch": _steps_per_epoch(summary)})
    error = (run.get("error") or "").strip().splitlines()
    trace.end({"status": run["status"], "summary": summary, "error": error[-1] if error else ""})
    return trace


def _steps_per_epoch(summary: dict) -> int:
    steps, epochs = summary.get("steps"), summary.get("epochs_done")
    if steps and epochs:
        return max(1, round(steps / epochs))
    return 0
