"""Panels built by other parts of the app, loaded so that a missing or broken one never
keeps the window from opening: it becomes a tab that says what went wrong."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

log = logging.getLogger(__name__)


def placeholder(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


def load_panel(module_name: str, class_name: str, db_path: Path, parent: QWidget) -> QWidget:
    """``module_name.class_name(db_path, parent)``, or a placeholder explaining why not."""
    try:
        panel_class = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        log.warning("%s.%s is not available: %s", module_name, class_name, error)
        return placeholder(f"{class_name} is not available in this build ({error}).")
    try:
        return panel_class(db_path, parent)
    except Exception as error:  # a panel's bug must not keep the window from opening
        log.exception("%s could not open", class_name)
        return placeholder(f"{class_name} could not open: {type(error).__name__}: {error}")
