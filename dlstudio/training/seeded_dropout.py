"""Dropout whose masks come from the run's own generator, not torch's global one.

``nn.Dropout`` draws from torch's default generator, one per process. A sweep's local
workers are threads of one process: two trainers drawing masks at once took each
other's numbers, and the same sweep with the same seeds scored differently each time
(measured: a digits MLP with dropout 0.5, four learning rates, two workers; three
sweeps, three sets of scores). The trainer turns every ``nn.Dropout`` of its model, a
plugin's included, into a ``SeededDropout`` drawing from one generator seeded from the
run's seed, and saves that generator's state in the checkpoint, so a resumed run draws
what the uninterrupted one would have.

Not covered: ``torch.nn.functional.dropout`` called in a plugin's ``forward`` and the
other dropout modules (``Dropout2d``, ``AlphaDropout`` ...) still draw from the global
generator.
"""

from __future__ import annotations

import torch
from torch import nn

# The weights are drawn from torch's global generator seeded with the run's seed; the
# masks come from another stream, so the two are not the same numbers.
SEED_OFFSET = 7919


class SeededDropout(nn.Dropout):
    """``nn.Dropout`` (the same scaling, the same empty state dict) drawing its masks
    from ``generator`` once one is set; until then from the global generator."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__(p, inplace)
        self.generator: torch.Generator | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.generator is None or not self.training or self.p == 0.0 or self.p == 1.0:
            return super().forward(x)
        scale = torch.empty_like(x).bernoulli_(1.0 - self.p, generator=self.generator)
        scale.div_(1.0 - self.p)
        return x.mul_(scale) if self.inplace else x * scale


def give_generator(model: nn.Module, device: torch.device, seed: int) -> torch.Generator | None:
    """Make every ``nn.Dropout`` in ``model`` draw from one new generator on ``device``
    seeded from ``seed``; returns it, or None when the model has no dropout."""
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if type(child) is nn.Dropout:  # noqa: E721 (not its subclasses: they are others')
                seeded = SeededDropout(child.p, child.inplace)
                seeded.train(child.training)
                setattr(parent, name, seeded)
    layers = [module for module in model.modules() if isinstance(module, SeededDropout)]
    if not layers:
        return None
    generator = torch.Generator(device=device).manual_seed(seed + SEED_OFFSET)
    for layer in layers:
        layer.generator = generator
    return generator
