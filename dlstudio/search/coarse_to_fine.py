"""Coarse-to-fine search: rounds of random or grid search that zoom in on the best.

Round 0 searches the whole space. Before each later round the ``keep`` best
configurations so far (over all rounds; failures never) become centres, and around each
centre every numeric parameter gets a box ``shrink`` times as wide as the round before
(widths 1, 1/2, 1/4 ... of its range, measured on its own scale, so log parameters
shrink in decades). A box keeps its width and slides inward at the edges of the range.
Categorical values are held at the centre's values inside its box, so the zoom follows
the structure the winners chose (and conditional parameters stay consistent).

``mode="random"``: ``per_round`` draws per round, dealt round-robin over the centres.
``mode="grid"``: ``points`` values per numeric parameter in each box: the same number of
points in half the width is doubled density. Rounds are synchronous: a round starts
when every result of the previous one is in.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from dlstudio.search.grid import grid_configs, grid_size
from dlstudio.search.params import Categorical, Fixed, Float, Int
from dlstudio.search.rng import STREAM_COARSE, rng_for
from dlstudio.search.space import SearchSpace
from dlstudio.search.strategy import FixedEpochsStrategy, check_int
from dlstudio.search.trial import Trial

MODES = ("random", "grid")


class CoarseToFine(FixedEpochsStrategy):
    """``rounds`` rounds; after each keep the top ``keep`` and shrink their boxes."""

    method = "coarse_to_fine"

    def __init__(self, space: SearchSpace, *, rounds: int = 3, per_round: int = 20,
                 keep: int = 3, shrink: float = 0.5, mode: str = "random", points: int = 3,
                 epochs: int = 10, goal: str = "minimize", seed: int = 0):
        super().__init__(space, epochs=epochs, goal=goal, seed=seed)
        check_int("rounds", rounds, 1)
        check_int("per_round", per_round, 1)
        check_int("keep", keep, 1)
        check_int("points", points, 1)
        if not (isinstance(shrink, (int, float)) and 0 < shrink < 1):
            raise ValueError(f"shrink: got {shrink!r}, expected a number in (0, 1)")
        if mode not in MODES:
            raise ValueError(f"mode: got {mode!r}, expected random or grid")
        self.rounds, self.per_round, self.keep = rounds, per_round, keep
        self.shrink, self.mode, self.points = float(shrink), mode, points
        self.round = 0
        self._centres: list[int] = []  # trial ids the current round zooms around
        self._round_start = 0  # id of the round's first trial
        self._round_configs = self._plan_round()

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "rounds": self.rounds, "per_round": self.per_round,
                "keep": self.keep, "shrink": self.shrink, "mode": self.mode,
                "points": self.points}

    def describe(self) -> str:
        size = (f"{grid_size(self.space, self.points)} grid points first" if self.mode == "grid"
                else f"{self.per_round} random draws each")
        return (f"Coarse to fine: {self.rounds} rounds ({size}), keeping the best "
                f"{self.keep}, ranges x{self.shrink} per round, {self._epochs_text()}")

    def ranges(self) -> list[dict[str, tuple[float, float]]]:
        """The current round's boxes in parameter values, one ``{name: (low, high)}`` per
        centre (its numeric parameters); in round 0 a single box of the full ranges."""
        return [{name: (param.from_unit(lo), param.from_unit(hi))
                 for name, (param, lo, hi) in self._box(centre).items()}
                for centre in self._centre_configs()]

    # -- rounds --------------------------------------------------------------------
    def _width(self) -> float:
        return self.shrink ** self.round

    def _centre_configs(self) -> list[dict[str, Any] | None]:
        return [self._trials[i].config for i in self._centres] or [None]

    def _box(self, centre: dict[str, Any] | None) -> dict[str, tuple[Any, float, float]]:
        width = self._width()
        box = {}
        for param in self.space.params:
            if not isinstance(param, (Float, Int)):
                continue
            if centre is None:
                box[param.name] = (param, 0.0, 1.0)
            elif param.name in centre:
                low = min(max(param.to_unit(centre[param.name]) - width / 2, 0.0), 1.0 - width)
                box[param.name] = (param, low, low + width)
        return box

    def _plan_round(self) -> list[dict[str, Any]] | None:
        """Grid mode: the round's configurations; random mode draws them lazily (None)."""
        if self.mode == "random":
            return None
        if not self._centres:
            return list(grid_configs(self.space, self.points))
        configs = []
        for centre in self._centre_configs():
            for config in self._grid_in_box(centre):
                if config not in configs:
                    configs.append(config)
        return configs

    def _grid_in_box(self, centre: dict[str, Any] | None) -> list[dict[str, Any]]:
        box = self._box(centre)
        configs: list[dict[str, Any]] = [copy.deepcopy(centre or {})]
        for name, (param, low, high) in box.items():
            count = param.points or self.points
            units = [low + (high - low) * (i / (count - 1) if count > 1 else 0.5)
                     for i in range(count)]
            values = list(dict.fromkeys(param.from_unit(u) for u in units))
            configs = [{**copy.deepcopy(c), name: v} for c in configs for v in values]
        return configs

    def _sample_in_box(self, centre: dict[str, Any] | None, index: int) -> dict[str, Any]:
        rng = rng_for(self.seed, STREAM_COARSE, self.round, index)
        if centre is None:
            return self.space.sample(rng)
        box = self._box(centre)
        config: dict[str, Any] = {}
        for param in self.space.params:
            if not param.active(config):
                continue
            if isinstance(param, (Categorical, Fixed)):
                config[param.name] = copy.deepcopy(centre[param.name])
            else:
                _, low, high = box[param.name]
                config[param.name] = param.from_unit(low + (high - low) * float(rng.random()))
        return config

    def _round_size(self) -> int:
        return self.per_round if self._round_configs is None else len(self._round_configs)

    def _finished(self) -> bool:
        last = self.round == self.rounds - 1
        return last and len(self._trials) - self._round_start >= self._round_size()

    def _propose(self) -> Trial | None:
        index = len(self._trials) - self._round_start
        if index >= self._round_size():
            return None  # wait for the round's results, or done
        if self._round_configs is not None:
            config = self._round_configs[index]
        else:
            centres = self._centre_configs()
            config = self._sample_in_box(centres[index % len(centres)], index)
        return self._new_trial(config, self._trial_epochs(config))

    def _on_told(self, trial: Trial, loss: float) -> None:
        issued = len(self._trials) - self._round_start
        if self.round + 1 >= self.rounds or issued < self._round_size() or self._pending:
            return
        self._start_round(self.round + 1, len(self._trials))

    def _start_round(self, round_index: int, start: int) -> None:
        self.round, self._round_start = round_index, start
        ranked = sorted((loss, i) for i, loss in self._losses.items() if math.isfinite(loss))
        centres: list[int] = []
        for _, trial_id in ranked:
            if len(centres) == self.keep:
                break
            if all(self._trials[trial_id].config != self._trials[c].config for c in centres):
                centres.append(trial_id)
        self._centres = centres
        self._round_configs = self._plan_round()

    def _extra_state(self) -> dict[str, Any]:
        return {"round": self.round, "round_start": self._round_start,
                "centres": list(self._centres)}

    def _load_extra_state(self, extra: dict[str, Any]) -> None:
        self.round, self._round_start = int(extra["round"]), int(extra["round_start"])
        self._centres = [int(i) for i in extra["centres"]]
        self._round_configs = self._plan_round()
