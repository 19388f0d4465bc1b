"""Sweep files from the panel: the open/save questions and writing the form as YAML.

Reading goes through the core (``load_mapping``, then ``read_sweep`` validates);
writing dumps the form's W&B-shaped mapping, which ``dlstudio sweep FILE`` reads back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from PySide6.QtWidgets import QFileDialog, QWidget

from dlstudio.examples import examples_folder
from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.prompts import DialogPrompts

SWEEP_FILTERS = "Sweep files (*.yaml *.yml *.json *.toml);;All files (*)"
HEADER = "# dlstudio sweep file (W&B-shaped); run it with  dlstudio sweep {name}\n"


class SweepPrompts(DialogPrompts):
    """The shared dialogs plus choosing a file to open."""

    def open_path(self, parent: QWidget, title: str, filters: str,
                  folder: str = "") -> str | None:
        """A file to read; None when cancelled."""
        path, _ = QFileDialog.getOpenFileName(parent, title, folder, filters)
        return path or None


def write_sweep_file(path: str | Path, mapping: dict[str, Any]) -> Path:
    """Write ``mapping`` as YAML (``.yaml`` added when the name has no suffix)."""
    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(".yaml")
    text = yaml.safe_dump(mapping, sort_keys=False, default_flow_style=None, width=88)
    path.write_text(HEADER.format(name=path.name) + text, encoding="utf-8")
    return path


def sweeps_folder() -> str:
    """Where to start looking for sweep files: the examples when they are at hand."""
    examples = examples_folder("sweeps")
    return str(examples) if examples.is_dir() else ""
