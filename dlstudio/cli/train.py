"""``dlstudio train`` and ``dlstudio resume``: one run with a progress bar."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from dlstudio.cli.options import add_db_option
from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.formatting import format_metric
from dlstudio.store import Store, resolve_db_path
from dlstudio.training.events import EpochEvent, Event, RunEnded, RunStarted, StepEvent


def register(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser("train", help="train one run and record it")
    train.add_argument("config", nargs="?", help="a YAML, TOML or JSON run config")
    train.add_argument("--set", dest="overrides", action="append", default=[],
                       metavar="KEY=VALUE", help="override a config key, e.g. optim.lr=0.01")
    train.add_argument("--name", default="", help="a name for the run")
    train.add_argument("--json", action="store_true", help="print the result as JSON")
    add_db_option(train)
    train.set_defaults(handler=run_train)

    resume = commands.add_parser("resume", help="continue a stopped or interrupted run")
    resume.add_argument("run", help="run id or name")
    resume.add_argument("--json", action="store_true", help="print the result as JSON")
    add_db_option(resume)
    resume.set_defaults(handler=run_resume)


def load_config(path: str | None, overrides: list[str]) -> RunConfig:
    if path and "=" in path and not Path(path).exists():  # `train optim.lr=0.01`
        raise ConfigError(f"config file {path}: not found; to set one key, use "
                          f"--set {path}")
    if path:
        return RunConfig.from_file(path, overrides)
    return RunConfig.from_dict({}, overrides)


def run_train(args: argparse.Namespace) -> int:
    from dlstudio.training.run_job import create_run

    config = load_config(args.config, args.overrides)
    db_path = resolve_db_path(args.db)
    with Store(db_path) as store:
        run_id = create_run(store, config, name=args.name)
    return _execute(db_path, run_id, resume=False, as_json=args.json)


def run_resume(args: argparse.Namespace) -> int:
    db_path = resolve_db_path(args.db, existing=True)
    with Store(db_path) as store:
        run = find_run(store, args.run)
    from dlstudio.training.resumable import restarts, resume_problem

    problem = resume_problem(run)
    if problem:
        raise ConfigError(problem)
    if restarts(run):
        print(f"run {run['id']} has no checkpoint (it ended before its first one): it "
              "starts over from epoch 0", file=sys.stderr)
    return _execute(db_path, run["id"], resume=True, as_json=args.json)


def find_run(store: Store, ref: str) -> dict:
    """A run by id, or by its exact name when that is unique."""
    if ref.isdigit():
        return store.get_run(int(ref))
    matches = [run for run in store.list_runs(text=ref) if run["name"] == ref]
    if len(matches) != 1:
        found = "no run" if not matches else f"{len(matches)} runs"
        raise ConfigError(f"run {ref!r}: {found} with that name; use the run id")
    return matches[0]


def _execute(db_path: Path, run_id: int, *, resume: bool, as_json: bool) -> int:
    from dlstudio.training.run_job import execute_run

    progress = ProgressBar(run_id, enabled=not as_json)
    with stop_on_signals() as stop:
        ended = execute_run(db_path, run_id, subscribers=[progress], resume=resume, stop=stop)
    progress.close()
    if as_json:
        print(json.dumps({"run_id": run_id, "status": ended.status, "summary": ended.summary,
                          "error": ended.error}, indent=2))
    else:
        print(format_summary(run_id, ended))
    if stop.received:
        print(f"run {run_id} stopped by {signal.Signals(stop.received).name}; continue it "
              f"with  dlstudio resume {run_id}", file=sys.stderr)
        return 128 + stop.received
    return 0 if ended.status in ("finished", "stopped") else 1


class SignalStop(threading.Event):
    """A stop event set by Ctrl+C or SIGTERM; ``received`` is the first signal's number."""

    received = 0


@contextlib.contextmanager
def stop_on_signals() -> Iterator[SignalStop]:
    """Turn the first Ctrl+C (SIGINT) or SIGTERM into a clean stop.

    The run stops after its current step, flushes its points, writes its pending
    checkpoint and is recorded ``stopped`` (resumable). A second Ctrl+C interrupts at
    once, for a run that does not come to a stop.
    """
    stop = SignalStop()

    def handle(signum, frame) -> None:
        if stop.received and signum == signal.SIGINT:
            raise KeyboardInterrupt
        if not stop.received:
            stop.received = signum
            print(f"\n{signal.Signals(signum).name}: stopping after this step (Ctrl+C "
                  "again to abort)", file=sys.stderr)
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        yield stop  # signals reach the main thread only; nothing to install here
        return
    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class ProgressBar:
    """A tqdm bar over the run's steps, with the last epoch's dev metric."""

    def __init__(self, run_id: int, enabled: bool = True):
        self.run_id = run_id
        self.enabled = enabled
        self.bar: tqdm | None = None

    def __call__(self, event: Event) -> None:
        if not self.enabled:
            return
        if isinstance(event, RunStarted):
            total = event.epochs * event.steps_per_epoch
            self.bar = tqdm(total=total, initial=event.start_step, unit="step", file=sys.stderr,
                            desc=f"run {self.run_id}", dynamic_ncols=True, mininterval=0.2)
        elif isinstance(event, StepEvent) and self.bar is not None:
            self.bar.update(1)
            if event.step % 20 == 0:
                self.bar.set_postfix_str(f"epoch {event.epoch} loss {event.loss:.4f}", refresh=False)
        elif isinstance(event, EpochEvent) and self.bar is not None:
            self.bar.set_postfix_str(f"epoch {event.epoch} dev {event.dev_metric:.4f}", refresh=False)
        elif isinstance(event, RunEnded):
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def format_summary(run_id: int, ended: RunEnded) -> str:
    lines = [f"run {run_id}: {ended.status}"]
    if ended.error:
        lines.append(f"  error: {ended.error}")
    summary = ended.summary
    metric = summary.get("metric_name", "metric")
    for split in ("train", "dev", "test"):
        if f"{split}_metric" in summary:
            lines.append(f"  {split:<5} loss {summary[f'{split}_loss']:.4f}  "
                         f"{metric} {format_metric(metric, summary[f'{split}_metric'])}")
    if summary.get("best_dev_metric") is not None:
        lines.append(f"  best dev {metric} {format_metric(metric, summary['best_dev_metric'])} "
                     f"at epoch {summary['best_epoch']}")
    if "duration" in summary:
        lines.append(f"  {summary.get('epochs_done', 0)} epochs, {summary.get('steps', 0)} steps "
                     f"in {summary['duration']:.1f} s on {summary.get('device', '?')}")
    return "\n".join(lines)
