"""Which keys differ across a few flat run configs (pure: no Qt, no store)."""

from __future__ import annotations

import math
from typing import Any

from dlstudio.config import RunConfig, flatten
from dlstudio.errors import ConfigError

MISSING = object()


def flat_config(config: dict[str, Any]) -> dict[str, Any]:
    """Dotted keys of a stored config, defaults filled in; a config this version
    cannot validate (an older or hand-edited one) is flattened as it is."""
    try:
        return RunConfig.from_dict(config).flat()
    except ConfigError:
        return flatten(config)


def differing_keys(configs: list[dict[str, Any]]) -> list[str]:
    """Keys whose value is not the same in every config (a missing key counts as a
    value), in first-seen order. Fewer than two configs differ in nothing."""
    if len(configs) < 2:
        return []
    keys = list(dict.fromkeys(key for config in configs for key in config))
    return [key for key in keys if not _all_equal([c.get(key, MISSING) for c in configs])]


def _all_equal(values: list[Any]) -> bool:
    first = values[0]
    return all(_same(first, value) for value in values[1:])


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b or (_is_number(a) and _is_number(b) and a == b)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
