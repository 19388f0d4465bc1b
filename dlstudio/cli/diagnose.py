"""``dlstudio diagnose``: bias, variance or dev-set overfitting, and what to do next."""

from __future__ import annotations

import argparse
import json

from dlstudio.cli.options import add_db_option
from dlstudio.errors import ConfigError


def register(commands: argparse._SubParsersAction) -> None:
    diagnose = commands.add_parser(
        "diagnose", help="bias / variance / dev overfitting of a run, a cv group, or numbers")
    diagnose.add_argument("run", nargs="?",
                          help="run id or name, or a cross-validation group tag such as cv-3")
    diagnose.add_argument("--train", type=float, help="train accuracy in percent")
    diagnose.add_argument("--dev", type=float, help="dev accuracy in percent")
    diagnose.add_argument("--test", type=float, help="test accuracy in percent")
    diagnose.add_argument("--error", action="store_true",
                          help="--train/--dev/--test/--hlp are error rates, not accuracies")
    diagnose.add_argument("--hlp", type=float,
                          help="human-level performance in percent (default: the dataset's, "
                               "100 for digits)")
    for split in ("train", "dev", "test"):
        diagnose.add_argument(f"--{split}-size", type=int, help=f"{split} set size (for intervals)")
    diagnose.add_argument("--json", action="store_true")
    add_db_option(diagnose)
    diagnose.set_defaults(handler=run_diagnose)


def run_diagnose(args: argparse.Namespace) -> int:
    from dlstudio.diagnosis import diagnose

    if args.run is not None:
        inputs, dataset = _from_store(args)
    else:
        inputs, dataset = _from_numbers(args), None
    human_level = args.hlp if args.hlp is not None else _default_human_level(dataset, inputs)
    result = diagnose(human_level=human_level, **inputs)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    print(_format(result))
    return 0


def _from_numbers(args: argparse.Namespace) -> dict:
    missing = [f"--{name}" for name in ("train", "dev") if getattr(args, name) is None]
    if missing:
        raise ConfigError(f"{' and '.join(missing)}: required without a RUN "
                          "(e.g. --train 85 --dev 83 --test 82)")
    return {"train": args.train, "dev": args.dev, "test": args.test,
            "metric": "error" if args.error else "accuracy", "train_size": args.train_size,
            "dev_size": args.dev_size, "test_size": args.test_size}


def _from_store(args: argparse.Namespace) -> tuple[dict, str]:
    from dlstudio.cli.train import find_run
    from dlstudio.diagnosis.run_metrics import run_metrics
    from dlstudio.store import Store, resolve_db_path

    with Store(resolve_db_path(args.db, existing=True)) as store:
        if args.run.startswith("cv-"):
            return _from_cv_group(store, args.run)
        metrics = run_metrics(find_run(store, args.run))
    return metrics.diagnose_kwargs(), metrics.dataset


def _from_cv_group(store, tag: str) -> tuple[dict, str]:
    """The folds' mean train / dev / test metrics (``fold_mean_metrics``, as the GUI)."""
    from dlstudio.diagnosis.cv_metrics import fold_mean_metrics
    from dlstudio.training.run_groups import group_runs

    runs = group_runs(store, tag)
    pending = [f"#{run['id']} {run['status']}" for run in runs if run["status"] != "finished"]
    if pending:  # a mean of some folds would read as the group's: say so instead
        raise ConfigError(f"{tag}: {len(pending)} of {len(runs)} folds have not finished "
                          f"({', '.join(pending)}); diagnose the group once they have")
    metrics = fold_mean_metrics(tag, runs)
    return metrics.diagnose_kwargs(), metrics.dataset


def _default_human_level(dataset: str | None, inputs: dict) -> float | None:
    if inputs["metric"] != "accuracy":
        return None  # diagnose's own default: 0 error
    from dlstudio.data import HUMAN_LEVEL

    level = HUMAN_LEVEL.get(dataset) if dataset else None
    return 100.0 if level is None else level


def _format(result) -> str:
    unit = "" if result.metric == "regression" else " points"
    lines = [f"verdict: {result.verdict.replace('_', ' ')}",
             f"  human-level error {result.human_error:.2f}, train {result.train_error:.2f}, "
             f"dev {result.dev_error:.2f}"
             + (f", test {result.test_error:.2f}" if result.test_error is not None else "")]
    for gap in (result.avoidable_bias, result.variance, result.dev_overfitting):
        if gap is None:
            continue
        interval = (f"  (95 % CI {gap.low:.2f} .. {gap.high:.2f})" if gap.low is not None else "")
        flag = "  <- counts" if gap.counts else ""
        lines.append(f"  {gap.name.replace('_', ' '):<16} {gap.value:6.2f}{unit}{interval}{flag}")
    lines.append("")
    lines.append(result.explanation)
    if result.remedies:
        lines.append("")
        lines.append("what to try:")
        lines += [f"  - {remedy}" for remedy in result.remedies]
    for note in result.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)
