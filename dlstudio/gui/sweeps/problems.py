"""Which field of the sweep form a core problem message belongs under (no Qt).

The core's messages start with what they are about: ``"<sweep>: optim.lr: min (0.1)
must be below max (0.01)"``, ``"successive_halving.eta: ..."``, ``"budget.trials:
..."``, ``"base: train.epochs: ..."``. Targets: ``"param:<key>"``, ``"setting:<name>"``,
``"metric"``, ``"budget.trials"``, ``"budget.epochs"``, ``"epochs"``, ``"base"``,
``"executor.<key>"`` (``"executor.kind"`` for the section as a whole), ``"general"``.
"""

from __future__ import annotations

SOURCE_PREFIXES = ("<sweep>: ", "form: ")


def strip_source(problem: str) -> str:
    for prefix in SOURCE_PREFIXES:
        if problem.startswith(prefix):
            return problem[len(prefix):]
    return problem


def problem_target(problem: str, param_keys: list[str], section: str) -> str:
    """The form target of one problem (its source prefix already stripped)."""
    key, _, rest = problem.partition(": ")
    if key == "base":
        inner = rest.partition(": ")[0]
        return "epochs" if inner == "train.epochs" else "base"
    if key == "executor" or key.startswith("executor."):
        return key if "." in key else "executor.kind"
    if key in param_keys:
        return f"param:{key}"
    if key.startswith("metric"):
        return "metric"
    if key in ("budget.trials", "budget.epochs"):
        return key
    if key in ("budget_epochs", "budget"):
        return "budget.epochs" if section in ("hyperband", "asha") else "general"
    if key.startswith(f"{section}."):
        return f"setting:{key[len(section) + 1:]}"
    if key == "train.epochs":
        return "epochs"
    return "general"


def route_problems(problems: list[str], param_keys: list[str],
                   section: str) -> dict[str, list[str]]:
    """``{target: [message, ...]}`` for every problem; messages keep their key."""
    routed: dict[str, list[str]] = {}
    for problem in problems:
        text = strip_source(problem)
        routed.setdefault(problem_target(text, param_keys, section), []).append(text)
    return routed
