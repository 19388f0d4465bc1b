"""``dlstudio cv`` and ``dlstudio learning-curve``: groups of runs, trained in turn."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dlstudio.cli.options import add_db_option
from dlstudio.cli.train import ProgressBar, load_config
from dlstudio.formatting import format_metric
from dlstudio.store import Store, resolve_db_path
from dlstudio.training import run_groups


def register(commands: argparse._SubParsersAction) -> None:
    for name, helptext in (("cv", "k-fold cross-validation: k runs, mean and spread"),
                           ("learning-curve", "train on 10 %%..100 %% of the train split")):
        command = commands.add_parser(name, help=helptext)
        command.add_argument("config", nargs="?", help="a YAML, TOML or JSON run config")
        command.add_argument("--set", dest="overrides", action="append", default=[],
                             metavar="KEY=VALUE", help="override a config key")
        if name == "cv":
            command.add_argument("--k", type=int, default=5, help="number of folds (default 5)")
        else:
            command.add_argument("--fractions", default="0.1,0.25,0.5,0.75,1.0",
                                 help="training-set shares, comma-separated")
        command.add_argument("--json", action="store_true")
        add_db_option(command)
        command.set_defaults(handler=run_cv if name == "cv" else run_learning_curve)


def _train_all(db_path: Path, run_ids: list[int], quiet: bool) -> None:
    from dlstudio.training.run_job import execute_run

    for run_id in run_ids:
        progress = ProgressBar(run_id, enabled=not quiet)
        execute_run(db_path, run_id, subscribers=[progress])
        progress.close()


def _run_group(args: argparse.Namespace, create, summarize) -> tuple[str, list[int], dict]:
    """Create the group's runs (all checked first), train them in turn, summarize."""
    config = load_config(args.config, args.overrides)
    db_path = resolve_db_path(args.db)
    with Store(db_path) as store:
        tag, run_ids = create(store, config)
    _train_all(db_path, run_ids, args.json)
    with Store(db_path) as store:
        return tag, run_ids, summarize(store, tag)


def run_cv(args: argparse.Namespace) -> int:
    tag, run_ids, summary = _run_group(
        args, lambda store, config: run_groups.create_cross_validation(store, config, args.k),
        run_groups.cross_validation_summary)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    metric = summary.get("metric_name", "metric")
    print(f"{tag}: {summary['finished']}/{summary['folds']} folds finished (runs {run_ids})")
    for split in ("train", "dev", "test"):
        stats = summary.get(f"{split}_metric")
        if stats:
            spread = format_metric(metric, stats["std"])
            print(f"  {split:<5} {metric} {format_metric(metric, stats['mean'])} ± {spread}")
    return 0 if summary["finished"] == summary["folds"] else 1


def run_learning_curve(args: argparse.Namespace) -> int:
    try:
        fractions = [float(part) for part in args.fractions.split(",") if part.strip()]
    except ValueError:
        from dlstudio.errors import ConfigError

        raise ConfigError(f"--fractions: got {args.fractions!r}, expected numbers such as "
                          "0.1,0.5,1.0") from None
    tag, _, curve = _run_group(
        args, lambda store, config: run_groups.create_learning_curve(store, config, fractions),
        run_groups.learning_curve)
    if args.json:
        print(json.dumps(curve, indent=2))
        return 0
    metric = curve.get("metric_name") or "metric"
    print(f"{tag}: train and dev {metric} against the training-set size")
    print(f"{'train size':>10}  {'train':>9}  {'dev':>9}")
    for point in curve["points"]:
        print(f"{point['train_size']:>10}  {format_metric(metric, point['train_metric']):>9}  "
              f"{format_metric(metric, point['dev_metric']):>9}")
    return 0
