"""What a sweep keeps in its row so that a closed or killed app continues it exactly.

The ``spec`` column (written once by ``create_sweep``) holds the metric, goal, base
config, seed, final-seeds setting and the strategy's own spec. The ``state`` column is
rewritten in the same transaction as every trial-row change that matters:

- ``strategy``: ``strategy.state_dict()``, saved after every ``ask`` and every ``tell``;
- ``rows``: strategy trial id -> trials-table row id, saved with the ask that made it,
  so a re-issued trial finds its row (and run, and checkpoint) instead of getting a
  second one (crashed trials left RUNNING forever: Optuna #485);
- ``final``: the final-seeds re-runs, planned once and then filled in;
- ``owner``: pid and host of the process running it now (None when none is), so a
  second app does not run the same sweep at the same time.

A transaction covers "add the trial row, its run row, and the state that points to
them", and "store the trial's score and the strategy state that has told it", so a
crash leaves either both or neither.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.search import Strategy, strategy_from_state
from dlstudio.store import Store
from dlstudio.store.owners import HOST, pid_alive

SPEC_VERSION = 1
SWEEP_STATUSES = ("queued", "running", "paused", "interrupted", "finished", "cancelled")


@dataclass
class SweepState:
    """A sweep's record, its live strategy and the bookkeeping stored beside it."""

    sweep_id: int
    record: dict[str, Any]  # the sweep row's spec column
    strategy: Strategy
    rows: dict[int, int] = field(default_factory=dict)  # strategy trial id -> trial row
    final: dict[str, Any] | None = None  # {"seeds": [...], "jobs": [...]} once planned
    owner: dict[str, Any] | None = None  # {"pid": ..., "host": ...} while being run

    @classmethod
    def load(cls, store: Store, sweep_id: int) -> SweepState:
        """Rebuild from the stored row; ConfigError for a row no runner wrote."""
        sweep = store.get_sweep(sweep_id)
        record, state = sweep["spec"], sweep["state"]
        if record.get("version") != SPEC_VERSION or "strategy" not in state:
            raise ConfigError(f"sweep {sweep_id}: not a sweep this version can run")
        strategy = strategy_from_state(record["strategy"], state["strategy"])
        rows = {int(trial): int(row) for trial, row in state.get("rows", [])}
        return cls(sweep_id, record, strategy, rows, state.get("final"), state.get("owner"))

    def save(self, store: Store) -> None:
        """Write the state column (call inside the transaction of the change it covers)."""
        store.update_sweep(self.sweep_id, state=self.to_state())

    def to_state(self) -> dict[str, Any]:
        """The JSON stored in the sweep row's state column."""
        return {"strategy": self.strategy.state_dict(),
                "rows": [[trial, row] for trial, row in self.rows.items()],
                "final": self.final, "owner": self.owner}

    # -- reading the record ----------------------------------------------------------
    @property
    def metric(self) -> str:
        return self.record["metric"]

    @property
    def goal(self) -> str:
        return self.record["goal"]

    def base_config(self) -> RunConfig:
        """The sweep's base RunConfig (validated when the sweep was created)."""
        return RunConfig.from_dict(self.record["base"])

    def owned_elsewhere(self) -> bool:
        """True while another live process on this host is running the sweep."""
        owner = self.owner or {}
        return (owner.get("host") == HOST and owner.get("pid") not in (None, os.getpid())
                and pid_alive(int(owner["pid"])))

    def claim(self) -> None:
        """Record this process as the one running the sweep (save it afterwards)."""
        self.owner = {"pid": os.getpid(), "host": HOST}

    def trial_row(self, trial_id: int) -> int | None:
        """The trials-table row of a strategy trial, if it has one."""
        return self.rows.get(trial_id)
