"""What the sweep form offers: each search method (the sweep file's method and the
settings the choice implies), its settings with their labels and tooltips, one sentence
on what it does, and the metrics trials can be ranked by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Method:
    label: str
    method: str  # the sweep file's method
    fixed: tuple[tuple[str, Any], ...] = ()  # settings the choice implies (the sampler)
    budget: tuple[str, ...] = ("trials", "epochs")  # budget kinds it takes
    brackets: bool = False  # halving schedule: epochs come from its rungs


METHODS = {
    "grid": Method("Grid search", "grid", budget=("trials",)),
    "random": Method("Random search", "random"),
    "coarse_to_fine": Method("Coarse to fine", "coarse_to_fine"),
    "successive_halving": Method("Successive halving", "successive_halving", budget=(),
                                 brackets=True),
    "hyperband": Method("Hyperband", "hyperband", budget=("epochs",), brackets=True),
    "bayes_tpe": Method("Bayesian (TPE)", "bayes", (("sampler", "tpe"),)),
    "bayes_gp": Method("Bayesian (Gaussian process)", "bayes", (("sampler", "gp"),)),
    "bohb": Method("Hyperband + TPE (BOHB)", "hyperband", (("sampler", "tpe"),),
                   budget=("epochs",), brackets=True),
    "asha": Method("ASHA (asynchronous halving)", "asha", budget=("epochs",), brackets=True),
    "asha_tpe": Method("ASHA + TPE", "asha", (("sampler", "tpe"),), budget=("epochs",),
                       brackets=True),
}
# One sentence per method, shown under the choice.
METHOD_HELP = {
    "grid": "Every combination of the listed values and grid points, each trained fully.",
    "random": "Configurations drawn at random from the ranges, each trained fully.",
    "coarse_to_fine": "Random rounds, each zooming in on the best configurations so far.",
    "successive_halving": "Many configurations for a few epochs; each rung keeps the best "
                          "1/η and trains them η times longer (the course's method).",
    "hyperband": "Successive halving run in brackets from aggressive to cautious, so a "
                 "slow starter still gets a full-length chance (the course's method).",
    "bayes_tpe": "A TPE model of the results so far proposes each next configuration.",
    "bayes_gp": "A Gaussian-process model of the results so far proposes each next "
                "configuration.",
    "bohb": "Hyperband whose configurations TPE proposes from the results at one length.",
    "asha": "Starts many configurations for a few epochs and, the moment one ranks in the "
            "best 1/η of its rung, continues it from its checkpoint η times longer, so no "
            "rung waits for its slowest trial and the best full-length model so far is ready "
            "whenever the epoch budget runs out.",
    "asha_tpe": "ASHA whose new configurations a TPE model over every rung proposes "
                "(random proposals did better on our benchmark).",
}
# (setting, label, placeholder, tooltip); "bool:" settings are check boxes, "choice:"
# settings combo boxes of the placeholder's "|"-separated values.
SETTINGS = {
    "grid": [("points", "Points per range", "3", "Values tried per numeric parameter")],
    "coarse_to_fine": [
        ("rounds", "Rounds", "3", "Rounds of search, each zooming on the best so far"),
        ("per_round", "Trials per round", "20", "Random draws per round"),
        ("keep", "Keep best", "3", "Best configurations the next round zooms around"),
        ("shrink", "Shrink", "0.5", "Each round's ranges are this share of the last's"),
        ("choice:mode", "Mode", "random|grid", "Random draws or a grid in each round's box"),
        ("points", "Grid points", "3", "Grid mode: values per numeric parameter")],
    "successive_halving": [
        ("n_configs", "Configurations", "27", "Configurations the first rung trains"),
        ("min_epochs", "Min epochs", "1", "Epochs of the first rung"),
        ("max_epochs", "Max epochs", "base", "Epochs of the last rung (default: the "
         "epochs per trial)"),
        ("eta", "η (keep 1/η)", "3", "Each rung keeps the best 1/η and trains them η× longer"),
        ("bool:resume", "Survivors resume", "", "Promoted trials continue from their "
         "checkpoint instead of training from scratch")],
    "hyperband": [
        ("max_epochs", "Max epochs (R)", "base", "Most epochs one configuration trains"),
        ("min_epochs", "Min epochs", "1", "Fewest epochs a trial trains"),
        ("eta", "η (keep 1/η)", "3", "Each rung keeps the best 1/η and trains them η× longer"),
        ("bool:resume", "Survivors resume", "", "Promoted trials continue from their "
         "checkpoint"),
        ("bool:finish_last_bracket", "Finish last bracket", "", "With an epoch budget: "
         "on, the bracket that crosses it still runs to its end, as the course's "
         "Hyperband, which never stops a bracket midway (the total may pass the budget); "
         "off, the sweep stops before that bracket and stays within the budget")],
    "bohb": [("n_startup_trials", "Start-up results", "10", "Results at one number of "
              "epochs before TPE proposes"),
             ("random_fraction", "Random share", "0.333", "Share of configurations that "
              "stay random")],
    "asha": [
        ("max_epochs", "Max epochs (R)", "base", "Most epochs one configuration trains"),
        ("min_epochs", "Min epochs", "1", "Epochs of the first rung"),
        ("eta", "η (keep 1/η)", "4", "A trial in its rung's best 1/η is promoted at once "
         "and trains η× longer"),
        ("bool:resume", "Survivors resume", "", "Promoted trials continue from their "
         "checkpoint"),
        ("bool:wait_for_promotions", "Wait for promotions", "", "With several workers: "
         "a free worker waits, rather than start a new configuration, when trials still "
         "running are about to make a promotion due, so parallel workers spend the epoch "
         "budget as one worker would; off, workers never wait (the paper's ASHA)")],
    "bayes": [("n_startup_trials", "Random start-up trials", "10", "Random trials before "
               "the model proposes"),
              ("bool:constant_liar", "Constant liar", "", "Keep parallel trials apart")],
}
SETTING_DEFAULTS = {"resume": True, "constant_liar": True, "finish_last_bracket": False,
                    "mode": "random", "wait_for_promotions": True}
METRICS = [("dev_loss", "dev_loss (dev-set loss)"), ("dev_error", "dev_error (1 − accuracy)"),
           ("dev_accuracy", "dev_accuracy"), ("dev_metric", "dev_metric (accuracy or RMSE)"),
           ("dev_rmse", "dev_rmse (regression)")]
MAXIMIZED = ("dev_accuracy",)
