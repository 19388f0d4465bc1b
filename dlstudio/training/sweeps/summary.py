"""A sweep at a glance, read from the store: what the CLI prints and the GUI shows.

Everything comes from the sweep row, its trial rows and its runs, so it works for a
sweep that is running in another thread, paused, or finished long ago. No strategy is
rebuilt (listing many sweeps stays cheap).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from dlstudio.search.best import Result, running_best
from dlstudio.store import Store
from dlstudio.training.sweeps.final import final_report
from dlstudio.training.sweeps.outcomes import startup_progress, trial_outcomes


def sweep_summary(store: Store, sweep_id: int) -> dict[str, Any]:
    """Status, trials by status, best trial and score, epochs spent, best-so-far curve.

    Keys: ``sweep_id, name, status, method, metric, goal, description, created,
    n_trials, told, counts`` (trials by status), ``trials`` (one dict per trial, in the
    order they were asked: ``trial, row, run_id, status, epochs, start_epoch, score,
    bracket, rung, config, outcome``; outcome is ``promoted`` / ``eliminated`` once a
    halving rung decided, else None), ``epochs_spent`` (trial epochs actually trained; a
    promotion counts only its extra epochs), ``final_epochs`` (final-seed re-runs),
    ``best`` (``trial, run_id, config, score, epochs``, or None), ``curve``
    (``{"epochs": [...], "best": [...]}``: ``best``'s score so far against epochs spent,
    one point per told trial; under halving it is the best at the most epochs reached,
    so it can rise when a rung is reached), ``final`` (the final-seeds report, see ``final_report``) and
    ``startup`` (``startup_progress``: set while a model-based sweep is still random).
    """
    sweep = store.get_sweep(sweep_id)
    record, state = sweep["spec"], sweep["state"]
    runs = {run["id"]: run for run in store.list_runs(sweep_id=sweep_id)}
    trials = _trials(store.list_trials(sweep_id), state, runs)
    outcomes = trial_outcomes(trials)
    for trial in trials:
        trial["outcome"] = outcomes.get(trial["trial"])
    goal = record.get("goal", "minimize")
    by_id = {t["trial"]: t for t in trials}
    told = [by_id[int(i)] for i, _ in (state.get("strategy") or {}).get("told", [])
            if int(i) in by_id]
    final = state.get("final")
    final_runs = [runs[j["run_id"]] for j in (final or {}).get("jobs", [])
                  if j["run_id"] in runs]
    tests = {run["id"]: run["summary"].get("test_metric") for run in final_runs}
    return {
        "sweep_id": sweep_id, "name": sweep["name"], "status": sweep["status"],
        "method": record.get("method"), "metric": record.get("metric"), "goal": goal,
        "description": record.get("description", ""), "created": sweep["created"],
        "n_trials": len(trials), "told": len(told),
        "counts": dict(Counter(t["status"] for t in trials)),
        "trials": trials,
        "epochs_spent": sum(t["epochs_spent"] for t in trials),
        "final_epochs": sum(_epochs_done(run) for run in final_runs),
        "best": best_trial(told, goal),
        "curve": _curve(told, goal),
        "final": final_report(final, goal, tests),
        "startup": startup_progress(record, trials, sweep["status"]),
    }


def best_trial(told: list[dict[str, Any]], goal: str) -> dict[str, Any] | None:
    """The best scored trial by the one rule of ``search.best``."""
    history = _running_best(told, goal)
    best = history[-1] if history else None
    if best is None:
        return None
    trial = next(t for t in told if t["trial"] == best.trial)
    return {key: trial[key] for key in ("trial", "run_id", "config", "score", "epochs")}


def _running_best(told: list[dict[str, Any]], goal: str) -> list[Result | None]:
    halving = any(t["rung"] is not None for t in told)
    return running_best((Result(t["trial"], t["epochs"], t["score"]) for t in told), goal,
                        halving=halving)


def _trials(rows: list[dict[str, Any]], state: dict[str, Any],
            runs: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    trial_of_row = {int(row): int(trial) for trial, row in state.get("rows", [])}
    planned = {int(t["id"]): t for t in (state.get("strategy") or {}).get("trials", [])}
    trials = []
    for row in rows:
        if row["id"] not in trial_of_row:  # not a strategy trial (never written by us)
            continue
        trial_id = trial_of_row[row["id"]]
        earlier = planned.get(trial_id, {}).get("resume_from")
        start = int(planned[earlier]["epochs"]) if earlier is not None else 0
        run = runs.get(row["run_id"]) if row["run_id"] is not None else None
        spent = max(0, min(_epochs_done(run), row["epochs"]) - start) if run else 0
        trials.append({"trial": trial_id, "row": row["id"], "run_id": row["run_id"],
                       "status": row["status"], "epochs": row["epochs"], "start_epoch": start,
                       "epochs_spent": spent, "score": row["score"], "bracket": row["bracket"],
                       "rung": row["rung"], "config": row["config"]})
    return trials


def _epochs_done(run: dict[str, Any] | None) -> int:
    return int((run or {}).get("summary", {}).get("epochs_done") or 0)


def _curve(told: list[dict[str, Any]], goal: str) -> dict[str, list]:
    """The best so far (``best_trial``'s rule) after each told trial, against epochs spent."""
    spent = 0
    epochs: list[int] = []
    for trial in told:
        spent += trial["epochs_spent"]
        epochs.append(spent)
    values = [None if best is None else best.score for best in _running_best(told, goal)]
    return {"epochs": epochs, "best": values}
