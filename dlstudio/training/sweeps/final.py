"""Final seeds: re-train a sweep's best configurations with new seeds.

A sweep's winner is often just the luckiest seed: one initialisation and one shuffle
order. Once the search is done, the ``top`` best configurations are trained again from
scratch, each with ``seeds`` new seeds (the base seed + 1, + 2 ...), all for the epochs
the best one trained; the report gives the mean and spread of their dev scores. The
re-runs' test metrics are shown for the record only: nothing is chosen by them.
"""

from __future__ import annotations

import json
import math
import statistics
from typing import Any

from dlstudio.search import Strategy


def plan_final(strategy: Strategy, top: int, seeds: int, base_seed: int) -> dict[str, Any]:
    """The re-runs to do: ``top`` configurations x ``seeds`` seeds, best first."""
    ranked = rank_configs(strategy)[:top]
    seed_list = [base_seed + 1 + i for i in range(seeds)]
    # All at the winner's epochs (the most any reached): under a halving schedule the
    # runners-up stopped earlier, and their means must be comparable with its mean.
    epochs = max((item[2] for item in ranked), default=0)
    jobs = [{"rank": rank, "trial": trial_id, "config": config, "epochs": epochs,
             "seed": seed, "run_id": None, "status": "queued", "score": None}
            for rank, (trial_id, config, _, _) in enumerate(ranked, start=1)
            for seed in seed_list]
    return {"top": top, "seeds": seed_list, "jobs": jobs}


def rank_configs(strategy: Strategy) -> list[tuple[int, dict[str, Any], int, float]]:
    """Distinct configurations, best first: ``(trial id, config, epochs, score)``.

    A configuration counts with its longest-trained result; one that reached more
    epochs ranks first (a 1-epoch score is not comparable with a 27-epoch one), as a
    halving strategy's own ``best()`` does.
    """
    sign = -1.0 if strategy.goal == "maximize" else 1.0
    latest: dict[str, tuple[int, dict[str, Any], int, float]] = {}
    for trial, score in strategy.results():
        if score is None:
            continue
        key = json.dumps(trial.config, sort_keys=True, default=str)
        if key not in latest or trial.epochs >= latest[key][2]:
            latest[key] = (trial.id, trial.config, trial.epochs, score)
    return sorted(latest.values(), key=lambda item: (-item[2], sign * item[3], item[0]))


def final_report(final: dict[str, Any] | None, goal: str,
                 test_metrics: dict[int, float | None]) -> list[dict[str, Any]]:
    """Per configuration: dev scores over seeds, their mean and standard deviation.

    ``test_metrics`` maps run id -> the run's test metric (for the record). Rows are in
    rank order; ``mean`` is None until a seed has a score.
    """
    if not final:
        return []
    by_rank: dict[int, list[dict[str, Any]]] = {}
    for job in final["jobs"]:
        by_rank.setdefault(job["rank"], []).append(job)
    report = []
    for rank, jobs in sorted(by_rank.items()):
        scores = [j["score"] for j in jobs if j["score"] is not None]
        tests = [test_metrics.get(j["run_id"]) for j in jobs if j["score"] is not None]
        tests = [t for t in tests if t is not None and math.isfinite(t)]
        report.append({
            "rank": rank, "trial": jobs[0]["trial"], "config": jobs[0]["config"],
            "epochs": jobs[0]["epochs"], "seeds": [j["seed"] for j in jobs],
            "scores": [j["score"] for j in jobs], "run_ids": [j["run_id"] for j in jobs],
            "done": sum(j["status"] != "queued" for j in jobs),
            "mean": statistics.fmean(scores) if scores else None,
            "std": statistics.stdev(scores) if len(scores) > 1 else (0.0 if scores else None),
            "test_metric_mean": statistics.fmean(tests) if tests else None,
        })
    sign = -1.0 if goal == "maximize" else 1.0
    scored = [r for r in report if r["mean"] is not None]
    if scored:
        winner = min(scored, key=lambda r: (sign * r["mean"], r["rank"]))
        for row in report:
            row["winner"] = row is winner
    return report
