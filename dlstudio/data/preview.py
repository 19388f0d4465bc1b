"""``describe``: what the form's dataset preview shows, as plain data.

Cheap enough for every form change: datasets come from the loaders' caches and only the
split's row numbers are computed (no standardized copies).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlstudio.config import DataConfig, SplitConfig
from dlstudio.data.catalog import DATASET_INFO, HUMAN_LEVEL
from dlstudio.data.loading import load_dataset
from dlstudio.data.splits import SPLITS, split_indices


def describe(cfg: DataConfig, split_cfg: SplitConfig, seed: int) -> dict[str, Any]:
    """A JSON-ready summary of the dataset and its split; raises ``ConfigError`` like a run.

    Keys: name, description, task, n_samples, n_features, feature_names, n_classes,
    classes, image_shape, splits {train, dev, test}, k_folds, stratified,
    class_counts {class: n}, split_class_counts {split: {class: n}},
    target_range {min, max, mean} (regression, else None), human_level, warnings.
    """
    dataset = load_dataset(cfg, mapped=True)  # a large .npz's X stays on disk
    index = split_indices(dataset, split_cfg, seed)
    rows = index.as_dict()
    summary: dict[str, Any] = {
        "name": dataset.name,
        "description": DATASET_INFO.get(cfg.name, ""),
        "task": dataset.task,
        "n_samples": dataset.n_samples,
        "n_features": dataset.n_features,
        "feature_names": list(dataset.feature_names),
        "n_classes": len(dataset.classes),
        "classes": list(dataset.classes),
        "image_shape": dataset.image_shape,
        "splits": {split: int(len(rows[split])) for split in SPLITS},
        "k_folds": split_cfg.k_folds if split_cfg.k_folds >= 2 else 0,
        "stratified": index.stratified,
        "class_counts": {},
        "split_class_counts": {},
        "target_range": None,
        "human_level": HUMAN_LEVEL.get(cfg.name),
        "warnings": [],
    }
    if dataset.task == "classification":
        summary["class_counts"] = _class_counts(dataset.y, dataset.classes)
        summary["split_class_counts"] = {split: _class_counts(dataset.y[rows[split]],
                                                              dataset.classes)
                                         for split in SPLITS}
        summary["warnings"] = _missing_class_warnings(summary["split_class_counts"])
    else:
        y = dataset.y
        summary["target_range"] = {"min": float(y.min()), "max": float(y.max()),
                                   "mean": float(y.mean())}
    return summary


def _class_counts(y: np.ndarray, classes: list[str]) -> dict[str, int]:
    counts = np.bincount(y, minlength=len(classes))
    return {label: int(count) for label, count in zip(classes, counts)}


def _missing_class_warnings(split_class_counts: dict[str, dict[str, int]]) -> list[str]:
    warnings = []
    for split in ("train", "dev"):
        absent = [label for label, count in split_class_counts[split].items() if count == 0]
        if absent:
            which = "class" if len(absent) == 1 else "classes"
            verb = "has" if len(absent) == 1 else "have"
            warnings.append(f"{which} {', '.join(map(repr, absent))} {verb} no {split} samples: "
                            "too few examples to reach every split")
    return warnings
