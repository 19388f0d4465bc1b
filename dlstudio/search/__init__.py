"""Search spaces and sweep strategies behind one ask/tell protocol.

Pure Python, numpy and (for ``Bayesian`` and Hyperband's TPE option) Optuna: no torch,
no Qt. A strategy never trains anything and never sees a test-set number; an executor
(thread, subprocess, Ray) trains the trials it hands out and reports dev scores back.

Spaces
------
``SearchSpace.from_dict(parameters, base=None)`` reads W&B-style parameters keyed by
RunConfig dotted keys::

    space = SearchSpace.from_dict({
        "optim.name": {"values": ["adam", "momentum", "nesterov"]},
        "optim.lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0},
        "optim.momentum": {"min": 0.5, "max": 0.99,       # only where it applies
                           "condition": {"optim.name": ["momentum", "nesterov"]}},
        "train.batch_size": {"distribution": "q_log_uniform_values",
                             "min": 16, "max": 256, "q": 16},
        "model.hidden": {"values": [[64], [128, 64]]},
        "data.name": {"value": "digits"},                 # fixed
    })

Kinds: ``Categorical``, ``Fixed``, ``Float`` and ``Int`` (linear or log, optionally on a
step). Bad spaces raise ``ConfigError`` with one message per problem naming the parameter.

The protocol
------------
::

    strategy = Hyperband(space, max_epochs=81, eta=3, seed=0)
    while not strategy.done:
        trial = strategy.ask()     # Trial(id, config, epochs, resume_from, bracket, rung)
        if trial is None:          # waiting for results of running trials
            ...                    # (wait for a worker, then tell)
            continue
        score = train(base.replace(**trial.config), until_epoch=trial.epochs,
                      resume_checkpoint_of=trial.resume_from)
        strategy.tell(trial.id, score)    # dev metric at trial.epochs; None/NaN = failed

- ``ask() -> Trial | None``: None while waiting for results or when ``done``.
- ``Trial.epochs`` is the total epochs the configuration has trained when the trial
  ends; ``resume_from`` names the earlier trial whose checkpoint it continues
  (train ``epochs - that trial's epochs`` more), or None to start from scratch.
- ``tell(trial_id, score)``: lower is better unless the goal is ``"maximize"``. None,
  NaN or inf mean failed/diverged: the worst score, and the sweep goes on. Unknown or
  already-told ids raise ValueError. Constructors raise ValueError naming the argument.
- ``results()``, ``best()``, ``pending``, ``epochs_trained``, ``describe()``.

Strategies
----------
- ``Grid(space, points=3, max_trials=None, epochs=10)``; ``.size`` is the grid size.
- ``RandomSearch(space, n_trials=20, epochs=10)``.
- ``CoarseToFine(space, rounds=3, per_round=20, keep=3, shrink=0.5, mode="random"|"grid",
  points=3, epochs=10)``; ``.ranges()`` shows the current boxes.
- ``SuccessiveHalving(space, n_configs=27, min_epochs=1, max_epochs=27, eta=3,
  resume=True)``; ``.plan()``.
- ``Hyperband(space, max_epochs=81, eta=3, min_epochs=1, budget_epochs=None,
  finish_last_bracket=False, resume=True, sampler="random"|"tpe", n_startup_trials=10,
  random_fraction=1/3)``; ``.plan()`` gives ``Plan(brackets, total_epochs)``.
- ``AsyncHalving(space, max_epochs=81, eta=4, min_epochs=1, budget_epochs=None,
  resume=True, sampler="random"|"tpe", n_startup_trials=10, random_fraction=0.2,
  wait_for_promotions=True)``: ASHA, promotions as soon as a configuration is in a
  rung's best 1/eta, never waiting for a whole rung (a free worker waits only when
  running trials are about to make a promotion due); ``budget_epochs`` defaults to
  one Hyperband iteration's epochs (method ``asha``).
- ``Bayesian(space, n_trials=50, sampler="tpe"|"gp", n_startup_trials=10,
  constant_liar=True, epochs=10)``; ``.in_startup`` while proposals are still random.

All take ``goal="minimize"|"maximize"`` and ``seed`` and are deterministic for a seed.

Restarts
--------
``spec = strategy.spec()`` (method, space, settings) and ``state = strategy.state_dict()``
are JSON; ``strategy_from_state(spec, state)`` (or ``Cls.from_state(space, settings,
state)``) continues exactly as if it had never stopped. Trials asked but never told come
back from ``ask()`` first, same id and config.

Sweep files
-----------
``load_sweep_file(path) -> SweepSpec`` reads W&B-shaped YAML (see ``sweep_file``), and
``strategy_from_sweep(spec, seed)`` builds the strategy it names. Examples live in
``dlstudio/resources/sweeps/`` (``dlstudio.examples``).
"""

from dlstudio.search.asha import AsyncHalving
from dlstudio.search.bayesian import Bayesian
from dlstudio.search.coarse_to_fine import CoarseToFine
from dlstudio.search.factory import STRATEGIES, strategy_from_state
from dlstudio.search.grid import Grid
from dlstudio.search.hyperband import Hyperband
from dlstudio.search.params import Categorical, Fixed, Float, Int, Param
from dlstudio.search.random_search import RandomSearch
from dlstudio.search.space import SearchSpace
from dlstudio.search.strategy import Strategy
from dlstudio.search.successive_halving import SuccessiveHalving
from dlstudio.search.sweep_file import load_sweep_file, parse_sweep, strategy_from_sweep
from dlstudio.search.sweep_spec import SweepSpec
from dlstudio.search.trial import Plan, Trial

__all__ = [
    "AsyncHalving", "Bayesian", "Categorical", "CoarseToFine", "Fixed", "Float", "Grid",
    "Hyperband", "Int", "Param", "Plan", "RandomSearch", "STRATEGIES", "SearchSpace", "Strategy",
    "SuccessiveHalving", "SweepSpec", "Trial", "load_sweep_file", "parse_sweep",
    "strategy_from_state", "strategy_from_sweep",
]
