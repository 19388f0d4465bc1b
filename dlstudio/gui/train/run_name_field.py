"""The run-name field: empty means automatic, and its placeholder shows what that gives."""

from __future__ import annotations

from typing import Any

from dlstudio.gui.common.form_fields import TextField
from dlstudio.store.runs import run_name_stem

AUTOMATIC_NAME = "automatic: dataset-model-optimizer #(run number)"


class RunNameField(TextField):
    """A ``TextField`` for ``name`` whose placeholder follows the form's settings."""

    def __init__(self) -> None:
        super().__init__("name", "Run name", "Shown in the runs table",
                         placeholder=AUTOMATIC_NAME)

    def follow(self, values: dict[str, Any]) -> None:
        """Show the automatic name for these flat config ``values``."""
        stem = run_name_stem(values)
        self.edit.setPlaceholderText(
            AUTOMATIC_NAME if stem is None else f"automatic: {stem} #(run number)")
