"""dlstudio: a desktop workbench for training deep-learning models and tracking runs.

The public API (``dlstudio.start_run``, ``dlstudio.open`` ...) lives in ``dlstudio.api``
and is loaded on first use, so ``import dlstudio`` stays cheap for every submodule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dlstudio.version import __version__

__all__ = ["Curve", "Database", "Run", "RunInfo", "RunSummary", "__version__", "open",
           "start_run"]

if TYPE_CHECKING:
    from dlstudio.api import Curve, Database, Run, RunInfo, RunSummary, open, start_run


def __getattr__(name: str) -> Any:
    if name in __all__:
        import dlstudio.api

        return getattr(dlstudio.api, name)
    raise AttributeError(f"module 'dlstudio' has no attribute {name!r}")
