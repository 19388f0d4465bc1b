"""A short text summary of the chosen dataset: size, features, classes, split sizes."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

MAX_CLASSES_LISTED = 10


def dataset_summary(info: dict[str, Any]) -> str:
    """Rich text for ``dlstudio.data.describe``'s dict."""
    lines = []
    if info.get("description"):
        lines.append(f"<i>{html.escape(info['description'])}</i>")
    features = f"{info.get('n_features', 0):,} features"
    if info.get("image_shape"):
        features += f" (images {'×'.join(str(d) for d in info['image_shape'])})"
    lines.append(f"<b>{info.get('n_samples', 0):,}</b> samples · {features} · "
                 f"{info.get('task', '?')}")
    if info.get("task") == "classification":
        lines.append(_classes_line(info))
    elif info.get("target_range"):
        span = info["target_range"]
        lines.append(f"Target from {span['min']:.4g} to {span['max']:.4g} (mean {span['mean']:.4g})")
    splits = info.get("splits") or {}
    if splits:
        folds = f" (fold of {info['k_folds']})" if info.get("k_folds") else ""
        lines.append("Split: " + " · ".join(f"{name} {splits[name]:,}" for name in
                                            ("train", "dev", "test") if name in splits) + folds)
    for warning in info.get("warnings") or []:
        lines.append(f"<span style='color:#8a5300'>⚠ {html.escape(warning)}</span>")
    return "<br>".join(lines)


def _classes_line(info: dict[str, Any]) -> str:
    classes = [str(name) for name in info.get("classes") or []]
    counts = info.get("class_counts") or {}
    shown = [f"{html.escape(name)} ({counts[name]:,})" if name in counts else html.escape(name)
             for name in classes[:MAX_CLASSES_LISTED]]
    more = len(classes) - MAX_CLASSES_LISTED
    return (f"{info.get('n_classes', len(classes))} classes: " + ", ".join(shown)
            + (f" … and {more} more" if more > 0 else ""))


class DatasetPreview(QWidget):
    """Shows the summary, or a loading / problem message."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel("Loading the dataset preview…")
        self.label.setWordWrap(True)
        self.label.setStyleSheet("QLabel { background: palette(alternate-base); padding: 6px; "
                                 "border-radius: 4px; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self.info: dict[str, Any] = {}

    def show_info(self, info: dict[str, Any]) -> None:
        self.info = dict(info)
        self.label.setText(dataset_summary(info))

    def show_message(self, text: str) -> None:
        self.info = {}
        self.label.setText(text)
