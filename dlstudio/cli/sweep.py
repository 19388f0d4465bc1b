"""``dlstudio sweep | sweeps | sweep-resume | sweep-delete``: hyperparameter sweeps without
a screen."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from dlstudio.cli.options import add_db_option
from dlstudio.errors import ConfigError
from dlstudio.store import Store, resolve_db_path
from dlstudio.store.runs import USUAL_OUTCOMES


def register(commands: argparse._SubParsersAction) -> None:
    sweep = commands.add_parser("sweep", help="run a hyperparameter sweep from a sweep file")
    sweep.add_argument("file", help="a sweep file (YAML, TOML or JSON, W&B-shaped)")
    sweep.add_argument("--name", default="", help="a name for the sweep (default: the file's)")
    sweep.add_argument("--seed", type=int, default=0, help="the strategy's seed (default 0)")
    sweep.add_argument("--final-seeds", metavar="TOPxSEEDS", type=_final_seeds,
                       help="re-train the TOP best configurations with SEEDS seeds, e.g. 3x3")
    _common(sweep, add_db_option)
    sweep.set_defaults(handler=run_sweep)

    listing = commands.add_parser("sweeps", help="list the stored sweeps")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    add_db_option(listing)
    listing.set_defaults(handler=run_list)

    resume = commands.add_parser("sweep-resume", help="continue a stopped or killed sweep")
    resume.add_argument("sweep", help="sweep id or name")
    _common(resume, add_db_option)
    resume.set_defaults(handler=run_resume)

    delete = commands.add_parser(
        "sweep-delete", help="delete a sweep, its trials and its runs",
        description="Delete a sweep with its trials, and its runs with their metrics and "
                    "checkpoints (or keep the runs, as runs of no sweep). A running sweep, "
                    "or one whose run is running, is refused: stop it first.")
    delete.add_argument("sweep", help="sweep id or name")
    delete.add_argument("--keep-runs", action="store_true",
                        help="keep the sweep's runs, metrics and checkpoints")
    add_db_option(delete)
    delete.set_defaults(handler=run_delete)


def _common(parser: argparse.ArgumentParser, add_db_option) -> None:
    parser.add_argument("--workers", type=int, default=None,
                        help="trials trained at once (default for a new sweep: one per "
                             "GPU on a machine with several, else 1; for a resumed one the "
                             "number it was created with)")
    parser.add_argument("--executor", choices=("local", "ray"), default=None,
                        help="where trials train: local threads or a Ray cluster (default: "
                             "the sweep file's executor section, else local)")
    parser.add_argument("--address", default=None, metavar="ADDR",
                        help="the Ray cluster's address, e.g. auto or 10.0.0.5:6379 "
                             "(implies --executor ray; without it a local Ray starts)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    add_db_option(parser)


def _check_workers(workers: int) -> None:
    if workers < 1:
        raise ConfigError(f"--workers: got {workers}, expected a whole number >= 1")


def _executor(args: argparse.Namespace, recorded: Any) -> Any:
    """The sweep's executor spec with the command line's --executor / --address on top;
    ConfigError when Ray is asked for and not installed."""
    from dataclasses import replace

    from dlstudio.training.sweeps.executors import check_executor

    kind = args.executor or ("ray" if args.address else recorded.kind)
    if args.address and kind != "ray":
        raise ConfigError("--address: a Ray cluster's address; it needs --executor ray")
    spec = replace(recorded, kind=kind,
                   address=args.address if args.address else
                   (recorded.address if kind == "ray" else None))
    check_executor(spec)
    return spec


def _final_seeds(text: str) -> dict[str, int]:
    top, sep, seeds = text.lower().partition("x")
    if not (sep and top.isdigit() and seeds.isdigit() and int(top) > 0 and int(seeds) > 0):
        raise argparse.ArgumentTypeError(f"{text!r}: expected TOPxSEEDS, e.g. 3x3")
    return {"top": int(top), "seeds": int(seeds)}


def run_sweep(args: argparse.Namespace) -> int:
    from dlstudio.training.sweeps.setup import create_sweep, read_sweep, recorded_workers

    if args.workers is not None:
        _check_workers(args.workers)
    spec, final_seeds = read_sweep(Path(args.file))  # a bad file never touches the database
    spec.executor = _executor(args, spec.executor)
    db_path = resolve_db_path(args.db)
    with Store(db_path) as store:
        sweep_id = create_sweep(store, spec, args.name, seed=args.seed,
                                final_seeds=args.final_seeds or final_seeds,
                                workers=args.workers)  # None: one per GPU (default_workers)
        args.workers = recorded_workers(store.get_sweep(sweep_id))
    return _execute(db_path, sweep_id, args)


def run_resume(args: argparse.Namespace) -> int:
    from dlstudio.training.sweeps.setup import recorded_executor, recorded_workers

    if args.workers is not None:
        _check_workers(args.workers)
    db_path = resolve_db_path(args.db, existing=True)
    with Store(db_path) as store:
        sweep = find_sweep(store, args.sweep)
    if args.workers is None:
        args.workers = recorded_workers(sweep)
    args.executor_spec = _executor(args, recorded_executor(sweep))
    if sweep["status"] == "finished" and not args.json:
        print(f"sweep {sweep['id']}: already finished")
    return _execute(db_path, sweep["id"], args)


def run_delete(args: argparse.Namespace) -> int:
    from dlstudio.formatting import count

    with Store(resolve_db_path(args.db, existing=True)) as store:
        sweep = find_sweep(store, args.sweep)
        trials = len(store.list_trials(sweep["id"]))
        runs = len(store.list_runs(sweep_id=sweep["id"]))
        said = store.delete_sweep(sweep["id"], with_runs=not args.keep_runs)
    runs_text = (f"its {count(runs, 'run')} kept" if args.keep_runs
                 else f"{count(runs, 'run')} with their metrics and checkpoints")
    print(f"deleted sweep {sweep['id']} ({sweep['name']}): {count(trials, 'trial')}, "
          f"{runs_text}")
    for sentence in said:  # a folder kept or not removable
        if not sentence.startswith(USUAL_OUTCOMES):
            print(f"  {sentence}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from dlstudio.training.sweeps.summary import sweep_summary

    with Store(resolve_db_path(args.db, existing=True)) as store:
        summaries = [sweep_summary(store, s["id"]) for s in store.list_sweeps()]
    if args.json:
        print(json.dumps([{k: v for k, v in s.items() if k != "trials"} for s in summaries],
                         indent=2, default=str))
        return 0
    if not summaries:
        print('no sweeps yet: try  dlstudio sweep "$(dlstudio examples successive_halving.yaml)"')
        return 0
    print(f"{'id':>4}  {'status':<9} {'name':<24} {'method':<18} {'trials':>6} "
          f"{'best':>18} {'created':<16}")
    for s in summaries:
        best = s["best"]
        shown = f"{s['metric']} {_score(best['score'])}" if best else "-"
        print(f"{s['sweep_id']:>4}  {s['status']:<9} {s['name'][:24]:<24} "
              f"{str(s['method']):<18} {s['told']:>6} {shown:>18} {_when(s['created']):<16}")
    return 0


def find_sweep(store: Store, ref: str) -> dict[str, Any]:
    """A sweep by id, or by its exact name when that is unique."""
    if ref.isdigit():
        return store.get_sweep(int(ref))
    matches = [s for s in store.list_sweeps() if s["name"] == ref]
    if len(matches) != 1:
        found = "no sweep" if not matches else f"{len(matches)} sweeps"
        raise ConfigError(f"sweep {ref!r}: {found} with that name; use the sweep id")
    return matches[0]


def _execute(db_path: Path, sweep_id: int, args: argparse.Namespace) -> int:
    from dlstudio.training.sweeps.runner import SweepRunner

    printer = TrialPrinter(enabled=not args.json)
    try:
        summary = SweepRunner(db_path, sweep_id, workers=args.workers, subscribers=[printer],
                              executor=getattr(args, "executor_spec", None)).run()
    except KeyboardInterrupt:
        print(f"sweep {sweep_id} paused; continue it with  dlstudio sweep-resume {sweep_id}",
              file=sys.stderr)
        raise
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        print(format_summary(summary))
    return 0 if summary["status"] == "finished" else 1


class TrialPrinter:
    """One line per sweep, trial and final re-run as they end."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.trials: dict[int, tuple[Any, int]] = {}  # trial id -> (trial, start epoch)
        self.metric = "score"

    def __call__(self, event: Any) -> None:
        from dlstudio.training.sweeps import events as ev

        if not self.enabled:
            return
        if isinstance(event, ev.SweepStarted):
            self.metric = event.metric
            verb = "continues" if event.resumed else "starts"
            print(f"sweep {event.sweep_id} {event.name!r} {verb}: {event.description}"
                  f"{_at_once(event)}", flush=True)
        elif isinstance(event, ev.TrialStarted):
            self.trials[event.trial.id] = (event.trial, event.start_epoch)
        elif isinstance(event, ev.TrialFinished):
            print(self._trial_line(event), flush=True)
        elif isinstance(event, ev.FinalRunFinished):
            print(f"final #{event.rank} seed {event.seed}  run {event.run_id}  "
                  f"{self.metric} {_score(event.score)}  {event.status}", flush=True)

    def _trial_line(self, event: Any) -> str:
        place = epochs = config = ""
        if event.trial_id in self.trials:  # absent when it was told without training
            trial, start = self.trials[event.trial_id]
            if trial.bracket is not None:
                place = f"  [b{trial.bracket} r{trial.rung}]"
            elif trial.rung is not None:  # ASHA: rungs without brackets
                place = f"  [r{trial.rung}]"
            epochs = f"  epochs {start}->{trial.epochs}"
            config = "  " + _config_text(trial.config)
        run = f"  run {event.run_id}" if event.run_id is not None else ""
        error = f"  ({event.error})" if event.error else ""
        return (f"trial {event.trial_id}{place}{epochs}{run}  {self.metric} "
                f"{_score(event.score)}  "
                f"{event.status}{error}{config}")


def _at_once(started: Any) -> str:
    """`` (4 trials at a time, one per GPU: cuda:0, ...) on Ray`` for a SweepStarted."""
    from dlstudio.training.sweeps.jobs import gpu_share

    text = ""
    if started.workers > 1:
        share = gpu_share(started.workers, list(started.gpus))
        gpus = f", {share}: {', '.join(dict.fromkeys(started.gpus))}" if share else ""
        text = f" ({started.workers} trials at a time{gpus})"
    return text + (" on Ray" if started.executor == "ray" else "")


def format_summary(summary: dict[str, Any]) -> str:
    """The end of a sweep for people: best trial and configuration, spend, final seeds."""
    metric = summary["metric"]
    lines = [f"sweep {summary['sweep_id']} {summary['name']!r}: {summary['status']}"]
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary["counts"].items()))
    lines.append(f"  {summary['n_trials']} trials ({counts or 'none'}), "
                 f"{summary['epochs_spent']} epochs spent")
    fates = Counter(t["outcome"] for t in summary["trials"] if t.get("outcome"))
    if fates:
        lines.append(f"  halving: {fates['promoted']} promoted, {fates['eliminated']} "
                     "eliminated")
    best = summary["best"]
    if best is None:
        lines.append("  no trial has a score")
    else:
        lines.append(f"  best: trial {best['trial']} (run {best['run_id']}), {metric} "
                     f"{_score(best['score'])} after {best['epochs']} epochs")
        lines.append(f"    {_config_text(best['config'])}")
    if summary["final"]:
        lines.append(f"  final seeds ({metric} over seeds, mean ± std; "
                     f"{summary['final_epochs']} epochs):")
        for row in summary["final"]:
            spread = "-" if row["mean"] is None else \
                f"{_score(row['mean'])} ± {_score(row['std'])}"
            mark = "  <- winner" if row.get("winner") else ""
            lines.append(f"    #{row['rank']} {spread}  over {len(row['seeds'])} seeds, "
                         f"{row['epochs']} epochs  {_config_text(row['config'])}{mark}")
    return "\n".join(lines)


def _config_text(config: dict[str, Any]) -> str:
    return " ".join(f"{key}={_value(value)}" for key, value in config.items())


def _value(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _when(timestamp: float | None) -> str:
    if not timestamp:
        return "-"
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")
