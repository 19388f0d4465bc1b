"""Tabular sweep benchmark: regret of each search method for the same epochs, many seeds.

``sweep_efficiency.py`` trains for real, so it affords only a few seeds. Here every
configuration of a grid (optimizer x learning rate x hidden width x batch size x weight
decay) of a one-hidden-layer MLP on the digits set is trained once, to R epochs, with
plain torch on one CPU thread, and its dev error after *every* epoch is recorded. The
table is cached under ``benchmarks/.cache/`` (git-ignored) and rebuilt when missing.
Search methods are then replayed against the table: a trial of ``e`` epochs reads the
dev error after epoch ``e``; a resumed promotion costs only its extra epochs. The
learning rate is searched on a log scale and read from the nearest grid value, so
samplers see a continuous parameter.

Workers are simulated epoch by epoch: each busy worker trains one epoch per step, an
idle one asks for work (a strategy may answer "wait" while others run), and the budget
counts every epoch trained, finished or not. Each method runs once per seed up to the
largest budget; its incumbent is read when the spent epochs cross each budget (a third
of a Hyperband iteration, one, three). Regret is the incumbent's dev error after R
epochs minus the table's best dev error after R epochs.

Methods: ``random`` (R epochs each), ``optuna_tpe`` (Optuna's TPESampler, R epochs
each), ``optuna_tpe_hb`` (TPESampler + HyperbandPruner, reporting every epoch),
``hyperband`` (textbook: random proposals, brackets repeated, incumbent the best at the
most epochs), ``bohb`` (dlstudio's Hyperband with TPE proposals), and dlstudio's
asynchronous successive halving: ``asha`` (its defaults: eta=4, random proposals),
``asha_eta3`` and ``asha_tpe`` (TPE proposals over every rung). The first four are the
anchors. ``asha`` and ``hyperband`` also run with 2 and 4 workers.

    python benchmarks/sweep_tabular.py            # R=27, 540 configs, 40 seeds (~5 min)
    python benchmarks/sweep_tabular.py --smoke    # R=9, 48 configs, 5 seeds (< 1 min)
    python benchmarks/sweep_tabular.py --max-epochs 81   # a 3x longer table to build
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CACHE = Path(__file__).resolve().parent / ".cache"
TABLE_VERSION = 1
OPTIMIZERS = ["sgd", "momentum", "adam"]


@dataclass(frozen=True)
class Grid:
    max_epochs: int
    lrs: tuple[float, ...]
    widths: tuple[int, ...]
    batch_sizes: tuple[int, ...]
    weight_decays: tuple[float, ...]

    @property
    def axes(self) -> list[tuple]:
        return [tuple(OPTIMIZERS), self.lrs, self.widths, self.batch_sizes, self.weight_decays]

    def name(self) -> str:
        sizes = "x".join(str(len(a)) for a in self.axes)
        return f"sweep_tabular-v{TABLE_VERSION}-R{self.max_epochs}-{sizes}"


FULL = Grid(27, tuple(float(v) for v in np.logspace(-4, 0, 10)), (16, 64, 256),
            (16, 64, 256), (0.0, 1e-3))
SMOKE = Grid(9, tuple(float(v) for v in np.logspace(-3, 0, 4)), (32, 128), (32, 128), (0.0,))


# -- the table ---------------------------------------------------------------------------
def train_curve(index: int, config: tuple, max_epochs: int, data: tuple) -> np.ndarray:
    """Dev error after each epoch 1..R of one configuration (one torch thread)."""
    import torch

    name, lr, width, batch, decay = config
    x_train, y_train, x_dev, y_dev = data
    torch.manual_seed(index)
    model = torch.nn.Sequential(torch.nn.Linear(64, width), torch.nn.ReLU(),
                                torch.nn.Linear(width, 10))
    if name == "adam":
        optim = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=decay)
    else:
        optim = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=decay,
                                momentum=0.9 if name == "momentum" else 0.0)
    errors = np.ones(max_epochs)
    generator = torch.Generator().manual_seed(index)
    for epoch in range(max_epochs):
        order = torch.randperm(len(x_train), generator=generator)
        for start in range(0, len(order), batch):
            rows = order[start:start + batch]
            optim.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x_train[rows]), y_train[rows])
            if not torch.isfinite(loss):
                return errors  # diverged: chance-or-worse from here on
            loss.backward()
            optim.step()
        with torch.no_grad():
            errors[epoch] = (model(x_dev).argmax(1) != y_dev).float().mean().item()
    return errors


def build_table(grid: Grid) -> np.ndarray:
    """Curves of every grid configuration, shape (configs, R), in itertools.product order."""
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    torch.set_num_threads(1)
    x, y = load_digits(return_X_y=True)
    x_train, x_rest, y_train, y_rest = train_test_split(x / 16.0, y, train_size=0.6,
                                                        stratify=y, random_state=0)
    x_dev, _, y_dev, _ = train_test_split(x_rest, y_rest, train_size=0.5, stratify=y_rest,
                                          random_state=0)
    data = (torch.tensor(x_train, dtype=torch.float32), torch.tensor(y_train),
            torch.tensor(x_dev, dtype=torch.float32), torch.tensor(y_dev))
    configs = list(itertools.product(*grid.axes))
    started = time.perf_counter()
    rows = []
    for index, config in enumerate(configs):
        rows.append(train_curve(index, config, grid.max_epochs, data))
        if (index + 1) % 50 == 0:
            print(f"  table: {index + 1}/{len(configs)} configurations, "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return np.array(rows)


def load_table(grid: Grid) -> np.ndarray:
    path = CACHE / f"{grid.name()}.npy"
    if path.exists():
        return np.load(path)
    print(f"building {path.name} (cached for later runs)", file=sys.stderr, flush=True)
    table = build_table(grid)
    CACHE.mkdir(exist_ok=True)
    np.save(path, table)
    return table


class Table:
    """Lookups of dev error by configuration (dotted dlstudio keys) and epochs."""

    def __init__(self, grid: Grid, curves: np.ndarray):
        self.grid, self.curves = grid, curves
        self.shape = tuple(len(a) for a in grid.axes)
        self.best = float(curves[:, -1].min())
        self.log_lrs = np.log(np.array(grid.lrs))

    def space(self) -> dict[str, Any]:
        g = self.grid
        return {"optim.name": {"values": OPTIMIZERS},
                "optim.lr": {"distribution": "log_uniform_values", "min": min(g.lrs),
                             "max": max(g.lrs)},
                "model.hidden": {"values": [[w] for w in g.widths]},
                "train.batch_size": {"values": list(g.batch_sizes)},
                "optim.weight_decay": {"values": list(g.weight_decays)}}

    def row(self, config: dict[str, Any]) -> int:
        lr = int(np.abs(self.log_lrs - math.log(config["optim.lr"])).argmin())
        index = (OPTIMIZERS.index(config["optim.name"]), lr,
                 self.grid.widths.index(config["model.hidden"][0]),
                 self.grid.batch_sizes.index(config["train.batch_size"]),
                 self.grid.weight_decays.index(config["optim.weight_decay"]))
        return int(np.ravel_multi_index(index, self.shape))

    def error(self, config: dict[str, Any], epochs: int) -> float:
        return float(self.curves[self.row(config), epochs - 1])

    def regret(self, config: dict[str, Any] | None) -> float:
        """Final (R-epoch) dev error of ``config`` minus the best; None: a random pick."""
        if config is None:
            return float(self.curves[:, -1].mean()) - self.best
        return self.error(config, self.grid.max_epochs) - self.best


# -- replay ------------------------------------------------------------------------------
class Job:
    def __init__(self, handle: Any, epochs: int, start: int = 0):
        self.handle, self.epoch, self.end = handle, start, epochs


class StrategyPlayer:
    """A dlstudio strategy: ask, train the extra epochs, tell the error at trial.epochs."""

    def __init__(self, strategy: Any, table: Table):
        self.strategy, self.table = strategy, table

    def start(self) -> Job | None:
        trial = self.strategy.ask()
        if trial is None:
            return None
        start = 0
        if trial.resume_from is not None:
            start = self.strategy.trials[trial.resume_from].epochs
        return Job(trial, trial.epochs, start)

    def step(self, job: Job) -> bool:
        job.epoch += 1
        if job.epoch < job.end:
            return False
        trial = job.handle
        self.strategy.tell(trial.id, self.table.error(trial.config, trial.epochs))
        return True

    def incumbent(self) -> dict[str, Any] | None:
        best = self.strategy.best()
        return None if best is None else best[0].config


class OptunaPlayer:
    """Optuna's TPESampler, optionally with its HyperbandPruner fed every epoch."""

    def __init__(self, table: Table, seed: int, pruner: bool):
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        self.optuna, self.table = optuna, table
        r = table.grid.max_epochs
        self.study = optuna.create_study(
            direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed),
            pruner=optuna.pruners.HyperbandPruner(min_resource=1, max_resource=r,
                                                  reduction_factor=3) if pruner else None)
        self.pruner = pruner
        self.reached: dict[int, tuple[int, float, dict]] = {}  # number: (epochs, error, config)

    def start(self) -> Job | None:
        g = self.table.grid
        trial = self.study.ask()
        config = {"optim.name": trial.suggest_categorical("optim", OPTIMIZERS),
                  "optim.lr": trial.suggest_float("lr", min(g.lrs), max(g.lrs), log=True),
                  "model.hidden": [trial.suggest_categorical("width", list(g.widths))],
                  "train.batch_size": trial.suggest_categorical("batch", list(g.batch_sizes)),
                  "optim.weight_decay": trial.suggest_categorical("decay",
                                                                  list(g.weight_decays))}
        return Job((trial, config), g.max_epochs)

    def step(self, job: Job) -> bool:
        trial, config = job.handle
        job.epoch += 1
        error = self.table.error(config, job.epoch)
        if job.epoch == job.end:
            self.study.tell(trial, error)
            self.reached[trial.number] = (job.epoch, error, config)
            return True
        if self.pruner:
            trial.report(error, job.epoch)
            self.reached[trial.number] = (job.epoch, error, config)
            if trial.should_prune():
                self.study.tell(trial, state=self.optuna.trial.TrialState.PRUNED)
                return True
        return False

    def incumbent(self) -> dict[str, Any] | None:
        """The best completed trial; before any, the best at the most epochs reached."""
        if not self.reached:
            return None
        return min(self.reached.values(), key=lambda r: (-r[0], r[1]))[2]


def replay(player: Any, workers: int, budgets: list[int], table: Table) -> list[float]:
    """Regret of the player's incumbent as the spent epochs cross each budget."""
    jobs: list[Job | None] = [None] * workers
    spent, regrets = 0, []
    while len(regrets) < len(budgets):
        for w in range(workers):
            if jobs[w] is None:
                jobs[w] = player.start()
        if all(job is None for job in jobs):
            break  # the strategy has finished
        for w, job in enumerate(jobs):
            if job is None:
                continue
            if player.step(job):
                jobs[w] = None
            spent += 1
            while len(regrets) < len(budgets) and spent >= budgets[len(regrets)]:
                regrets.append(table.regret(player.incumbent()))
            if len(regrets) == len(budgets):
                break
    while len(regrets) < len(budgets):
        regrets.append(table.regret(player.incumbent()))
    return regrets


# -- methods -----------------------------------------------------------------------------
def strategy_maker(method: str, **settings: Any) -> Callable[[Table, int, int], Any]:
    def make(table: Table, seed: int, budget: int) -> Any:
        from dlstudio.search import STRATEGIES, SearchSpace

        space = SearchSpace.from_dict(table.space())
        r = table.grid.max_epochs
        extra = dict(settings)
        if method in ("hyperband", "asha"):
            extra.setdefault("max_epochs", r)
            extra["budget_epochs"] = budget * 2  # never the limit: the replay stops it
        elif method == "random":
            extra.update(n_trials=None, epochs=r)
        return StrategyPlayer(STRATEGIES[method](space, seed=seed, **extra), table)
    return make


def optuna_maker(pruner: bool) -> Callable[[Table, int, int], Any]:
    return lambda table, seed, budget: OptunaPlayer(table, seed, pruner)


ANCHORS = ("random", "optuna_tpe", "optuna_tpe_hb", "hyperband")
METHODS: dict[str, Callable[[Table, int, int], Any]] = {
    "random": strategy_maker("random"),
    "optuna_tpe": optuna_maker(False),
    "optuna_tpe_hb": optuna_maker(True),
    "hyperband": strategy_maker("hyperband"),
    "bohb": strategy_maker("hyperband", sampler="tpe", n_startup_trials=9),
    "asha": strategy_maker("asha"),
    "asha_eta3": strategy_maker("asha", eta=3),
    "asha_tpe": strategy_maker("asha", sampler="tpe"),
}
PARALLEL = ("hyperband", "asha")


def iteration_epochs(max_epochs: int, eta: int = 3) -> int:
    from dlstudio.search import Hyperband, SearchSpace

    space = SearchSpace.from_dict({"optim.lr": {"min": 0.1, "max": 1.0}})
    return Hyperband(space, max_epochs=max_epochs, eta=eta).plan().total_epochs


def mean_se(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], 0.0
    return statistics.fmean(values), statistics.stdev(values) / math.sqrt(len(values))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="small table, 5 seeds")
    parser.add_argument("--seeds", type=int, help="seeds per method (default 40)")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="comma-separated subset of " + ", ".join(METHODS))
    parser.add_argument("--max-epochs", type=int, help="R of the full table (default 27)")
    parser.add_argument("--workers", default="1,2,4",
                        help="worker counts for " + ", ".join(PARALLEL))
    args = parser.parse_args(argv)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = set(methods) - set(METHODS)
    if unknown:
        parser.error(f"--methods: unknown {', '.join(sorted(unknown))}")
    worker_counts = [int(w) for w in args.workers.split(",")]
    grid = SMOKE if args.smoke else FULL
    if args.max_epochs:
        grid = dataclasses.replace(grid, max_epochs=args.max_epochs)
    seeds = args.seeds or (5 if args.smoke else 40)
    table = Table(grid, load_table(grid))
    one = iteration_epochs(grid.max_epochs)
    budgets = [one // 3, one, 3 * one]
    labels = ["third", "one", "three"]
    print(f"digits MLP table: {len(table.curves)} configurations x R={grid.max_epochs} "
          f"epochs; best final dev error {table.best:.4f}; one Hyperband iteration "
          f"(eta=3) = {one} epochs; budgets {budgets}; {seeds} seeds", flush=True)
    rows: dict[tuple[str, int], list[list[float]]] = {}
    for method in methods:
        for workers in (worker_counts if method in PARALLEL else [1]):
            started = time.perf_counter()
            runs = [replay(METHODS[method](table, seed, budgets[-1]), workers, budgets, table)
                    for seed in range(seeds)]
            rows[(method, workers)] = runs
            print(f"  {method} x{workers}: {time.perf_counter() - started:.1f} s",
                  file=sys.stderr, flush=True)
    print_table(rows, budgets, labels)
    return 0


def print_table(rows: dict[tuple[str, int], list[list[float]]], budgets: list[int],
                labels: list[str]) -> None:
    head = "".join(f"{f'{lab} ({b} ep)':>22}" for lab, b in zip(labels, budgets))
    print(f"{'regret (mean ± s.e.)':<24}{head}")
    summary: dict[tuple[str, int], list[float]] = {}
    for (method, workers), runs in rows.items():
        name = method if workers == 1 else f"{method} x{workers} workers"
        cells = [mean_se([run[i] for run in runs]) for i in range(len(budgets))]
        summary[(method, workers)] = [m for m, _ in cells]
        print(f"{name:<24}" + "".join(f"{m:>13.4f} ± {s:<6.4f}" for m, s in cells))
    anchors = [summary[(a, 1)][-1] for a in ANCHORS if (a, 1) in summary]
    for (method, workers), means in summary.items():
        tag = method if workers == 1 else f"{method}_w{workers}"
        for label, value in zip(labels, means):
            print(f"RESULT tabular_regret_{tag}_{label} {value:.6f}")
    if anchors and ("asha", 1) in summary:  # the goal: <= 0.8 at three iterations
        print(f"RESULT tabular_asha_over_best_anchor_three "
              f"{ratio(summary[('asha', 1)][-1], min(anchors)):.3f}")
    if ("asha", 1) in summary and ("hyperband", 1) in summary:  # the goal: <= 1 at each
        for workers in sorted(w for m, w in summary if m == "asha"):
            ours, textbook = summary[("asha", workers)], summary.get(("hyperband", workers))
            for label, a, b in zip(labels, ours, textbook or []):
                print(f"RESULT tabular_asha_over_hyperband_w{workers}_{label} {ratio(a, b):.3f}")


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline > 0 else (1.0 if value == 0 else math.inf)


if __name__ == "__main__":
    raise SystemExit(main())
