"""Trial and Plan: the plain records a strategy hands out."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Trial:
    """One unit of work: train ``config`` until it has trained ``epochs`` epochs in all.

    ``resume_from`` is the id of an earlier trial of the same configuration whose
    checkpoint this one continues (train ``epochs - that trial's epochs`` more), or None
    to train from scratch. ``bracket`` and ``rung`` place the trial in a successive-halving
    schedule (None for strategies without one). ``config`` holds dotted RunConfig keys:
    the sampled values and the fixed ones, nothing else.
    """

    id: int
    config: dict[str, Any]
    epochs: int
    resume_from: int | None = None
    bracket: int | None = None
    rung: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable copy."""
        return {"id": self.id, "config": copy.deepcopy(self.config), "epochs": self.epochs,
                "resume_from": self.resume_from, "bracket": self.bracket, "rung": self.rung}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trial:
        """Inverse of :meth:`to_dict`."""
        return cls(id=int(data["id"]), config=copy.deepcopy(data["config"]),
                   epochs=int(data["epochs"]), resume_from=data.get("resume_from"),
                   bracket=data.get("bracket"), rung=data.get("rung"))


@dataclass(frozen=True)
class Plan:
    """What a successive-halving schedule will run, for the GUI's plan view.

    ``brackets[b][i]`` is ``(n_configs, epochs)`` of rung ``i`` of bracket ``b``.
    ``total_epochs`` counts every epoch once: with ``resume`` a promotion from 3 to 9
    epochs costs 6. It is an upper bound: failed trials are never promoted.
    """

    brackets: list[list[tuple[int, int]]] = field(default_factory=list)
    total_epochs: int = 0
    resume: bool = True

    @property
    def n_configs(self) -> int:
        """New configurations drawn over all brackets."""
        return sum(rungs[0][0] for rungs in self.brackets)

    def to_text(self) -> str:
        """The table as lines: ``bracket 0: 81x1, 27x3, 9x9, 3x27, 1x81``."""
        lines = [f"bracket {b}: " + ", ".join(f"{n}x{r}" for n, r in rungs)
                 for b, rungs in enumerate(self.brackets)]
        kind = "resuming survivors" if self.resume else "survivors retrain from scratch"
        lines.append(f"total: {self.total_epochs} epochs ({kind})")
        return "\n".join(lines)
