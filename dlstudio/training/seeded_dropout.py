"""Dropout whose masks come from the run's own generator, not torch's global one.

``nn.Dropout`` draws from torch's default generator, one per process. A sweep's local
workers are threads of one process: two trainers drawing masks at once took each
other's numbers, and the same sweep with the same seeds scored differently each time
(measured: a digits MLP with dropout 0.5, four learning rates, two workers; three
sweeps, three sets of scores). Each trainer gives its model one generator, seeded from
the run's seed, and saves its state in the checkpoint so a resumed run draws what the
uninterrupted one would have.

A plugin model's own ``nn.Dropout`` still draws from the global generator.
"""

from __future__ import annotations

import torch
from torch import nn

# The weights are drawn from torch's global generator seeded with the run's seed; the
# masks come from another stream, so the two are not the same numbers.
SEED_OFFSET = 7919


class SeededDropout(nn.Module):
    """``nn.Dropout(p)`` (the same scaling, the same state dict: none) drawing its masks
    from ``generator`` once a trainer sets it; until then from the global generator."""

    def __init__(self, p: float):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p
        self.generator: torch.Generator | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        if self.generator is None:
            return nn.functional.dropout(x, self.p, training=True)
        keep = torch.empty_like(x).bernoulli_(1.0 - self.p, generator=self.generator)
        return x * keep.div_(1.0 - self.p)

    def extra_repr(self) -> str:
        return f"p={self.p}"


def give_generator(model: nn.Module, device: torch.device, seed: int) -> torch.Generator | None:
    """One generator on ``device`` for every ``SeededDropout`` in ``model``; None if none."""
    layers = [module for module in model.modules() if isinstance(module, SeededDropout)]
    if not layers:
        return None
    generator = torch.Generator(device=device).manual_seed(seed + SEED_OFFSET)
    for layer in layers:
        layer.generator = generator
    return generator
