"""``dlstudio importance SWEEP_OR_QUERY``: which hyperparameters mattered."""

from __future__ import annotations

import argparse
import json

from dlstudio.cli.options import add_db_option
from dlstudio.search.importance import (DEFAULT_METRIC, EVALUATOR_TITLES, EVALUATORS,
                                        compute_importance, select_runs)
from dlstudio.store import Store, resolve_db_path


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "importance", help="parameter importance over a sweep's trials or a run query",
        description="fANOVA and mean-decrease-impurity importance (Optuna) of the config "
                    "values that differ between the runs, for one summary metric.")
    parser.add_argument("target", metavar="SWEEP_OR_QUERY",
                        help="a sweep id (12 or sweep:12) or a run query "
                             "('optim.name = adam and tag:baseline')")
    parser.add_argument("--metric", default=DEFAULT_METRIC,
                        help=f"the summary key to explain (default: {DEFAULT_METRIC})")
    parser.add_argument("--evaluator", choices=(*EVALUATORS, "both"), default="both")
    parser.add_argument("--json", action="store_true")
    add_db_option(parser)
    parser.set_defaults(handler=run_importance)


def run_importance(args: argparse.Namespace) -> int:
    evaluators = EVALUATORS if args.evaluator == "both" else (args.evaluator,)
    with Store(resolve_db_path(args.db), mark_orphans=False) as store:
        label, runs = select_runs(store, args.target)
    result = compute_importance(runs, args.metric, evaluators)
    if args.json:
        print(json.dumps({"target": label, "metric": result.metric,
                          "runs_used": result.runs_used,
                          "runs_without_metric": result.runs_without_metric,
                          "importances": result.importances, "skipped": result.skipped},
                         indent=2))
        return 0
    print(f"{label}: importance for {result.metric} from {result.runs_used} runs"
          + (f" ({result.runs_without_metric} without it left out)"
             if result.runs_without_metric else ""))
    width = max(len(param) for param in result.params)
    print(f"  {'parameter':<{width}}" + "".join(f"  {EVALUATOR_TITLES[n]:>22}"
                                                 for n in evaluators))
    first = result.importances[evaluators[0]]
    for param in first:  # ordered by the first evaluator, largest first
        print(f"  {param:<{width}}" + "".join(
            f"  {result.importances[n][param]:>22.3f}" for n in evaluators))
    for param, why in result.skipped.items():
        print(f"  left out {param}: {why}")
    return 0
