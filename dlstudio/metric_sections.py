"""Which section a metric key belongs to, as W&B groups its workspace (no Qt, no torch).

A key logged with a prefix goes to the section named by the prefix: ``train/loss`` is
``loss`` in section ``train``; ``a/b/c`` is ``b/c`` in section ``a``. Slashes at either
end are ignored when splitting (``/val/loss`` is ``loss`` in ``val``), so ``/loss`` and
``train/`` name no section: they are keys of the default section, shown whole. The
app's own system samples (``sys.cpu_percent``, ``sys.gpu_util``, ...) go to ``System``,
and every other key without a prefix (the app's ``loss``, ``dev_metric``, ``lr``, a
script's ``val_acc``) to ``Charts``, W&B's names for the two. Sections list ``Charts``
first, the prefixes alphabetically (case-insensitive), ``System`` last.
"""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_SECTION = "Charts"
SYSTEM_SECTION = "System"
SYSTEM_PREFIX = "sys."
# The app's own per-step and per-epoch keys, in the order they are listed.
BUILT_IN_METRICS = ("loss", "train_loss", "dev_loss", "train_metric", "dev_metric", "lr",
                    "momentum")


def split_metric_key(key: str) -> tuple[str, str]:
    """``"train/loss"`` -> ``("train", "loss")``; ``"lr"`` -> ``("Charts", "lr")``."""
    inner = key.strip("/")
    section, slash, name = inner.partition("/")
    if slash and section:
        return section, name.lstrip("/") or name
    if key.startswith(SYSTEM_PREFIX):
        return SYSTEM_SECTION, key[len(SYSTEM_PREFIX):] or key
    return DEFAULT_SECTION, key


def metric_section(key: str) -> str:
    """The section ``key`` is shown in."""
    return split_metric_key(key)[0]


def group_metric_keys(keys: Iterable[str]) -> list[tuple[str, list[str]]]:
    """``[(section, keys), ...]`` in the order sections are shown; within a section the
    built-in keys first, in ``BUILT_IN_METRICS`` order, then the others sorted."""
    sections: dict[str, list[str]] = {}
    for key in dict.fromkeys(keys):
        sections.setdefault(metric_section(key), []).append(key)
    for members in sections.values():
        members.sort(key=_key_order)
    return sorted(sections.items(), key=lambda item: _section_order(item[0]))


def _key_order(key: str) -> tuple[int, str]:
    if key in BUILT_IN_METRICS:
        return BUILT_IN_METRICS.index(key), ""
    return len(BUILT_IN_METRICS), key


def _section_order(section: str) -> tuple[int, str, str]:
    rank = 0 if section == DEFAULT_SECTION else 2 if section == SYSTEM_SECTION else 1
    return rank, section.lower(), section
