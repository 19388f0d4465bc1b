"""Help > About: which dlstudio this is, on which database, software and devices, as
text a bug report can take (select it and copy)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from dlstudio.reproducibility import package_version, software
from dlstudio.version import __version__

SUMMARY = ("A desktop workbench for training deep-learning models and tracking the "
           "experiments. Every run lives in one SQLite file.")


def about_text(db_path: Path, devices: list[tuple[str, str]]) -> str:
    """The lines the dialog's details show."""
    versions = software()  # as a run records them
    return "\n".join([
        f"dlstudio {versions['dlstudio']}",
        f"Database: {db_path}",
        f"Python {versions['python']} on {versions['platform']}",
        f"torch {versions['torch'] or 'not installed'} (CUDA {versions['cuda'] or 'none'})",
        f"PySide6 {pyside_version} (Qt {qVersion()}), "
        f"pyqtgraph {package_version('pyqtgraph') or 'not installed'}",
        "Devices: " + ", ".join(label for _, label in devices),
    ])


def show_about(parent: QWidget, db_path: Path, devices: list[tuple[str, str]]) -> QMessageBox:
    """Open the About box over ``parent`` without blocking; returns it."""
    box = QMessageBox(QMessageBox.Icon.Information, "About dlstudio",
                      f"<b>dlstudio {__version__}</b>", QMessageBox.StandardButton.Close,
                      parent)
    lines = "<br>".join(html.escape(line) for line in about_text(db_path, devices).split("\n"))
    box.setInformativeText(f"{SUMMARY}<br><br>{lines}")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    # One line a row, not wrapped (the label is named by QMessageBox itself).
    box.setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 460px; }")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
