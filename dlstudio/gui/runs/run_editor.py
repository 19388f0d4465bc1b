"""Editing runs the user picked: ask through the prompts, then write through the store."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from dlstudio.errors import ConfigError
from dlstudio.gui.common import run_format as fmt
from dlstudio.store import Store


def parse_tags(text: str) -> set[str]:
    """``"baseline, lr sweep;best"`` -> ``{"baseline", "lr sweep", "best"}``."""
    return {tag.strip() for tag in text.replace(";", ",").split(",") if tag.strip()}


def tag_changes(current_sets: list[set[str]], wanted: set[str]) -> tuple[set[str], set[str]]:
    """Tags to add and to remove when the user edits the tags all the runs share."""
    shared = set.intersection(*current_sets) if current_sets else set()
    return wanted - shared, shared - wanted


class RunEditor(QObject):
    """Rename, tag, note and delete runs; each method returns True when it changed
    something (the caller then refreshes). ``prompts`` is a ``DialogPrompts`` or a
    test's stand-in; ``parent`` owns the dialogs."""

    def __init__(self, store: Store, prompts, parent: QWidget):
        super().__init__(parent)  # a Qt child: no Python reference back to the panel
        self.store = store
        self.prompts = prompts

    def rename(self, run: dict) -> bool:
        old = run.get("name") or ""
        name = self.prompts.text(self.parent(), "Rename run",
                                 f"New name for {fmt.run_label(run)}:", old)
        if name is None or not name.strip() or name.strip() == old:
            return False
        self.store.rename_run(run["id"], name.strip())
        return True

    def edit_tags(self, runs: list[dict]) -> bool:
        current = [set(run.get("tags") or []) for run in runs]
        shared = sorted(set.intersection(*current), key=str.lower)
        whose = fmt.run_label(runs[0]) if len(runs) == 1 else f"the {len(runs)} selected runs"
        text = self.prompts.text(self.parent(), "Tags",
                                 f"Tags of {whose}, separated by commas:", ", ".join(shared))
        if text is None:
            return False
        added, removed = tag_changes(current, parse_tags(text))
        if not added and not removed:
            return False
        for run in runs:
            for tag in added:
                self.store.add_tag(run["id"], tag)
            for tag in removed:
                self.store.remove_tag(run["id"], tag)
        return True

    def edit_notes(self, run: dict) -> bool:
        old = run.get("notes") or ""
        notes = self.prompts.multiline_text(self.parent(), "Notes",
                                            f"Notes on {fmt.run_label(run)}:", old)
        if notes is None or notes == old:
            return False
        self.store.set_notes(run["id"], notes)
        return True

    def delete(self, runs: list[dict]) -> bool:
        running = [fmt.run_label(run) for run in runs if run.get("status") == "running"]
        if running:
            self.prompts.inform(self.parent(), "Delete runs", f"{', '.join(running)} is still "
                                "running. Stop it first, then delete it.")
            return False
        what = fmt.run_label(runs[0]) if len(runs) == 1 else f"these {len(runs)} runs"
        question = (f"Delete {what} with all curves, results and checkpoints?\n"
                    "This cannot be undone.")
        if not self.prompts.confirm(self.parent(), "Delete runs", question):
            return False
        for run in runs:
            try:
                self.store.delete_run(run["id"])
            except ConfigError as error:  # it started (or went) since the table was read
                self.prompts.inform(self.parent(), "Delete runs", "\n".join(error.problems))
        return True
