"""LR range test results: the (lr, loss) curve and the suggested learning rates."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from dlstudio.errors import ConfigError
from dlstudio.store import codec
from dlstudio.store.base import StoreBase

_JSON_DEFAULTS = {"config": {}, "lrs": [], "losses": [], "suggestions": {}, "details": {}}


class LrTestsMixin(StoreBase):
    """LR-test rows of ``Store``. Curves are a few hundred points, so they are stored
    as JSON arrays; a non-finite loss (the test ran into divergence) reads back as
    ``None``."""

    def save_lr_test(self, config: dict[str, Any], lrs: Sequence[float],
                     losses: Sequence[float], suggestions: dict[str, Any],
                     details: dict[str, Any] | None = None) -> int:
        """Store one LR range test; returns its id.

        ``details``: how it ran (LR range, smoothing, batch size used, whether the loss
        blew up, the smoothed curve behind the suggestions), so it can be shown again as
        it was.
        """
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO lr_tests (created, config, lrs, losses, suggestions, details) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (time.time(), codec.dumps(config), codec.dumps(lrs), codec.dumps(losses),
                 codec.dumps(suggestions), codec.dumps(details or {})),
            )
        return int(cursor.lastrowid)

    def get_lr_test(self, test_id: int) -> dict[str, Any]:
        """One LR test, decoded; ``ConfigError`` when missing."""
        rows = self._rows("SELECT * FROM lr_tests WHERE id = ?", (test_id,))
        if not rows:
            raise ConfigError(f"lr test {test_id}: not found")
        return _decode(rows[0])

    def list_lr_tests(self) -> list[dict[str, Any]]:
        """Every LR test, newest first."""
        return [_decode(row) for row in self._rows("SELECT * FROM lr_tests ORDER BY id DESC")]


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    for column, default in _JSON_DEFAULTS.items():
        row[column] = codec.loads(row[column], default)
    return row
