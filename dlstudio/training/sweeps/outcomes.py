"""What became of a sweep's trials, read from ``sweep_summary``'s trial dicts (no Qt).

- Under a halving schedule (successive halving, Hyperband) a told trial is
  ``promoted`` when its configuration reappears one rung up in the same bracket, and
  ``eliminated`` when that rung has promoted others but not it. Until a rung's first
  promotion nobody in it is either: the rung is still deciding.
- A model-based sweep (Bayesian, Hyperband with TPE) proposes at random until it has
  enough results; ``startup_progress`` says how far it is.
"""

from __future__ import annotations

import json
from typing import Any

TOLD = ("finished", "diverged", "failed")


def trial_outcomes(trials: list[dict[str, Any]]) -> dict[int, str]:
    """``{trial id: "promoted" | "eliminated"}`` for the decided trials of halving rungs."""
    above: dict[tuple[int, int], set[str]] = {}
    for trial in trials:
        if trial.get("rung") is not None:
            above.setdefault((trial["bracket"], trial["rung"]), set()).add(
                config_key(trial["config"]))
    outcomes = {}
    for trial in trials:
        if trial.get("rung") is None or trial["status"] not in TOLD:
            continue
        promoted = above.get((trial["bracket"], trial["rung"] + 1))
        if promoted is not None:
            inside = config_key(trial["config"]) in promoted
            outcomes[trial["trial"]] = "promoted" if inside else "eliminated"
    return outcomes


def startup_progress(record: dict[str, Any], trials: list[dict[str, Any]],
                     status: str) -> dict[str, Any] | None:
    """``{"sampler", "needed", "have", "per_epochs"}`` while a model-based sweep still
    proposes at random; None once its model proposes, when finished, or for other methods.

    ``record``: the sweep row's spec (method and the strategy's settings). Bayesian counts
    every result; Hyperband with TPE needs ``needed`` results at one number of epochs
    (BOHB's rule), so ``per_epochs`` is True there.
    """
    settings = (record.get("strategy") or {}).get("settings") or {}
    needed = int(settings.get("n_startup_trials") or 0)
    if status == "finished" or needed <= 0:
        return None
    scored = [t for t in trials if t["score"] is not None]
    sampler = str(settings.get("sampler", "tpe"))
    if record.get("method") == "bayes":
        have, per_epochs = len(scored), False
    elif record.get("method") == "hyperband" and sampler == "tpe":
        counts: dict[int, int] = {}
        for trial in scored:
            counts[trial["epochs"]] = counts.get(trial["epochs"], 0) + 1
        have, per_epochs = max(counts.values(), default=0), True
    else:
        return None
    if have >= needed:
        return None
    return {"sampler": sampler, "needed": needed, "have": have, "per_epochs": per_epochs}


def config_key(config: dict[str, Any]) -> str:
    """A hashable, order-free key of one configuration."""
    return json.dumps(config, sort_keys=True)
