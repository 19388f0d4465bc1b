"""What one exact Newton step did, in words: where it landed and why (not) there."""

from __future__ import annotations

import math

from dlstudio.gui.common.number_field import format_number
from dlstudio.training.surfaces import Surface


def newton_note(surface: Surface, start: tuple[float, float],
                end: tuple[float, float]) -> str:
    """The lab's text for a Newton step from ``start`` that landed on ``end``."""
    loss = float(surface.numpy(end[0], end[1]))
    where = (f"({format_number(end[0], 3)}, {format_number(end[1], 3)}), "
             f"loss {format_number(loss, 3)}")
    if math.dist(end, surface.nearest_minimum(end)) < 1e-6:
        return (f"<b>Minimum in one step</b>: Newton lands on {where}. On a quadratic the "
                "Hessian is the whole curvature, so H<sup>-1</sup> x gradient is exactly "
                "the way to the minimum - however ill-conditioned.")
    return (f"One Newton step lands on {where}: the minimum of the local quadratic "
            "model, not of the surface. Newton seeks any point with zero gradient "
            "(a saddle too), so it needs many steps, damping or a line search here.")
