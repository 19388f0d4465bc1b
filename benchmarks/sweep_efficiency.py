"""Sweep efficiency: the best dev error each search method finds for the same epoch budget.

Every method searches the same space (optimizer, log learning rate, hidden width, batch
size) for an MLP on the digits set, on the CPU with one torch thread, and may spend the
same number of epochs: one full Hyperband iteration for ``max_epochs`` R and ``eta``.

- ``random`` and ``bayes`` (TPE): budget // R trials of R epochs each;
- ``successive_halving``: as many configurations as fit the budget (one bracket);
- ``hyperband`` and ``hyperband_tpe`` (BOHB): ``budget_epochs`` = the budget;
- ``optuna_hyperband``: Optuna's own ``HyperbandPruner`` (with its default TPE sampler)
  on the same ``Trainer``, reporting the dev error after every epoch and stopping a
  trial when ``should_prune()`` says so, until the budget is spent (the trial running
  then is cut at the budget). Optuna's pruning only stops trials; nothing is resumed.

Our methods run through ``SweepRunner`` (one store per run, checkpoints, resumed
promotions), exactly as the app runs them. "Best dev error" is the dev error of each
method's best configuration at the most epochs it trained (a halving method's 1-epoch
scores are not comparable with full-length ones; Optuna's best value likewise counts
only completed trials). Each number is averaged over ``--seeds`` seeds; a seed drives
the strategy, the data split and the initialisation, shared by all methods.

    python benchmarks/sweep_efficiency.py            # R=27, eta=3, 3 seeds (~1.5 min on 2 cores)
    python benchmarks/sweep_efficiency.py --smoke    # R=9, 1 seed (< 1 min)

Prints a table and ``RESULT sweep_best_dev_error_<method> <mean>`` lines (also
``RESULT sweep_epochs_<method>``).
"""

from __future__ import annotations

import argparse
import copy
import math
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from dlstudio.config import RunConfig
from dlstudio.search import Hyperband, SearchSpace, SuccessiveHalving
from dlstudio.store import Store
from dlstudio.training.events import EpochEvent
from dlstudio.training.run_job import load_splits
from dlstudio.training.sweeps.runner import SweepRunner
from dlstudio.training.sweeps.setup import create_sweep
from dlstudio.training.trainer import Trainer

OPTIMIZERS = ["sgd", "momentum", "adam"]
WIDTHS = [32, 64, 128]
BATCH_SIZES = [32, 64, 128, 256]
LR_RANGE = (1e-4, 1.0)
SPACE = {
    "optim.name": {"values": OPTIMIZERS},
    "optim.lr": {"distribution": "log_uniform_values", "min": LR_RANGE[0], "max": LR_RANGE[1]},
    "model.hidden": {"values": [[w] for w in WIDTHS]},
    "train.batch_size": {"values": BATCH_SIZES},
}
METHODS = ("random", "successive_halving", "hyperband", "bayes", "hyperband_tpe",
           "optuna_hyperband")


@dataclass
class Outcome:
    best: float  # dev error of the best configuration at full length (nan: none)
    epochs: int
    trials: int
    seconds: float


def base_config(seed: int) -> dict:
    return {"data": {"name": "digits"}, "model": {"name": "mlp"},
            "train": {"device": "cpu", "threads": 1, "seed": seed, "checkpoints": True}}


def budget_for(max_epochs: int, eta: int) -> int:
    """One full Hyperband iteration (every bracket once), survivors resumed."""
    space = SearchSpace.from_dict({"optim.lr": SPACE["optim.lr"]})
    return Hyperband(space, max_epochs=max_epochs, eta=eta).plan().total_epochs


def halving_configs(max_epochs: int, eta: int, budget: int) -> int:
    """The most configurations one successive-halving bracket can start within budget."""
    space = SearchSpace.from_dict({"optim.lr": SPACE["optim.lr"]})
    n = max_epochs
    while SuccessiveHalving(space, n_configs=n + 1, min_epochs=1, max_epochs=max_epochs,
                            eta=eta).plan().total_epochs <= budget:
        n += 1
    return n


def sweep_spec(method: str, seed: int, max_epochs: int, eta: int, budget: int) -> dict:
    base = base_config(seed)
    spec = {"metric": {"name": "dev_error", "goal": "minimize"},
            "parameters": copy.deepcopy(SPACE), "base": base}
    trials = budget // max_epochs
    if method in ("random", "bayes"):
        base["train"]["epochs"] = max_epochs
        spec.update(method=method, budget={"trials": trials})
        if method == "bayes":
            spec["bayes"] = {"sampler": "tpe", "n_startup_trials": max(2, trials // 3)}
    elif method == "successive_halving":
        spec.update(method=method, successive_halving={
            "n_configs": halving_configs(max_epochs, eta, budget), "min_epochs": 1,
            "max_epochs": max_epochs, "eta": eta})
    else:
        settings = {"max_epochs": max_epochs, "eta": eta}
        if method == "hyperband_tpe":
            settings.update(sampler="tpe", n_startup_trials=max(3, max_epochs // eta))
        spec.update(method="hyperband", hyperband=settings, budget={"epochs": budget})
    return spec


def run_ours(method: str, seed: int, max_epochs: int, eta: int, budget: int,
             folder: Path) -> Outcome:
    db_path = folder / f"{method}-{seed}.db"
    started = time.perf_counter()
    with Store(db_path) as store:
        sweep_id = create_sweep(store, sweep_spec(method, seed, max_epochs, eta, budget),
                                name=method, seed=seed)
    summary = SweepRunner(db_path, sweep_id).run()
    best = summary["best"]
    return Outcome(best=best["score"] if best else math.nan, epochs=summary["epochs_spent"],
                   trials=summary["n_trials"], seconds=time.perf_counter() - started)


def run_optuna(seed: int, max_epochs: int, eta: int, budget: int) -> Outcome:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # HyperbandPruner puts a trial in a bracket by a hash of the study's name, which is
    # random unless given: unnamed, the same seed gave another result on each run.
    study = optuna.create_study(
        study_name=f"optuna-hyperband-seed-{seed}",
        direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max_epochs,
                                              reduction_factor=eta))
    base = RunConfig.from_dict(base_config(seed))
    splits = load_splits(base)  # the split depends on the seed only: shared by all trials
    started, spent = time.perf_counter(), 0
    while spent < budget:
        trial = study.ask()
        config = base.replace(**{
            "optim.name": trial.suggest_categorical("optimizer", OPTIMIZERS),
            "optim.lr": trial.suggest_float("lr", *LR_RANGE, log=True),
            "model.hidden": [trial.suggest_categorical("width", WIDTHS)],
            "train.batch_size": trial.suggest_categorical("batch_size", BATCH_SIZES),
            "train.epochs": max_epochs})
        stop, pruned, errors = threading.Event(), [False], []

        def report(event, trial=trial, stop=stop, pruned=pruned, errors=errors,
                   left=budget - spent) -> None:
            if not isinstance(event, EpochEvent):
                return
            errors.append(1.0 - event.dev_metric)
            trial.report(errors[-1], event.epoch)
            # Stop before the next step (no epoch wasted) when pruned, or when the budget
            # is spent: the cut trial counts as pruned, it never reached R epochs.
            if trial.should_prune() or (len(errors) >= left and event.epoch < max_epochs):
                pruned[0] = True
                stop.set()

        ended = Trainer(config, splits, subscribers=[report], stop=stop).run()
        spent += len(errors)
        if ended.status == "diverged" or not errors:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        elif pruned[0]:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        else:
            study.tell(trial, errors[-1])
    complete = [t.value for t in study.trials if t.state.name == "COMPLETE"]
    return Outcome(best=min(complete) if complete else math.nan, epochs=spent,
                   trials=len(study.trials), seconds=time.perf_counter() - started)


def mean_std(values: list[float]) -> tuple[float, float]:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return math.nan, math.nan
    return statistics.fmean(finite), statistics.stdev(finite) if len(finite) > 1 else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="R=9, 1 seed: a CI check")
    parser.add_argument("--seeds", type=int, help="seeds to average over (default 3)")
    parser.add_argument("--max-epochs", type=int, help="R, the longest trial (default 27)")
    parser.add_argument("--eta", type=int, default=3)
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="comma-separated subset of " + ", ".join(METHODS))
    args = parser.parse_args(argv)
    seeds = args.seeds or (1 if args.smoke else 3)
    max_epochs = args.max_epochs or (9 if args.smoke else 27)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = set(methods) - set(METHODS)
    if unknown:
        parser.error(f"unknown methods: {', '.join(sorted(unknown))}")
    torch.set_num_threads(1)
    budget = budget_for(max_epochs, args.eta)
    print(f"digits MLP, CPU, 1 thread; R={max_epochs}, eta={args.eta}; budget {budget} "
          f"epochs per method; {seeds} seed(s)", flush=True)
    outcomes: dict[str, list[Outcome]] = {m: [] for m in methods}
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as folder:
        for seed in range(seeds):
            for method in methods:
                outcome = run_optuna(seed, max_epochs, args.eta, budget) \
                    if method == "optuna_hyperband" \
                    else run_ours(method, seed, max_epochs, args.eta, budget, Path(folder))
                outcomes[method].append(outcome)
                print(f"  seed {seed} {method:<19} best dev error {outcome.best:.4f}  "
                      f"{outcome.epochs} epochs  {outcome.trials} trials  "
                      f"{outcome.seconds:.1f} s", file=sys.stderr, flush=True)
    print_table(outcomes)
    return 0


def print_table(outcomes: dict[str, list[Outcome]]) -> None:
    print(f"{'method':<20} {'best dev error':>18} {'epochs':>8} {'trials':>7} {'seconds':>8}")
    for method, runs in outcomes.items():
        best, spread = mean_std([r.best for r in runs])
        print(f"{method:<20} {best:>9.4f} ± {spread:<6.4f} "
              f"{statistics.fmean(r.epochs for r in runs):>8.0f} "
              f"{statistics.fmean(r.trials for r in runs):>7.0f} "
              f"{statistics.fmean(r.seconds for r in runs):>8.1f}")
    for method, runs in outcomes.items():
        print(f"RESULT sweep_best_dev_error_{method} {mean_std([r.best for r in runs])[0]:.6f}")
        print(f"RESULT sweep_epochs_{method} {statistics.fmean(r.epochs for r in runs):.1f}")


if __name__ == "__main__":
    raise SystemExit(main())
