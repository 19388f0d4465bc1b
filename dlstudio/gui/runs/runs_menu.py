"""The runs table's right-click menu: the panel's buttons as actions (same text, state
and tooltip, so the menu never offers what the button refuses), plus a filter to the
group of the run (a cross-validation's folds, a learning curve's runs)."""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtWidgets import QMenu, QPushButton, QWidget

from dlstudio.training.run_groups import group_kind


def build_runs_menu(parent: QWidget, buttons: Sequence[QPushButton | None], run: dict | None,
                    on_group_chosen: Callable[[], None]) -> QMenu:
    """``buttons``: None places a separator. ``run``: the single selected run, if any;
    each of its group tags gets an action whose data is the tag."""
    menu = QMenu(parent)
    for button in buttons:
        if button is None:
            menu.addSeparator()
            continue
        if button.isHidden():  # an action that does not apply to this run
            continue
        action = menu.addAction(button.text())
        action.setEnabled(button.isEnabled())
        action.setCheckable(button.isCheckable())  # "Details": shown or not
        action.setChecked(button.isChecked())
        action.setToolTip(button.toolTip())
        action.triggered.connect(button.click)
    groups = [tag for tag in (run or {}).get("tags") or [] if group_kind(tag)]
    if groups:
        menu.addSeparator()
    for tag in groups:
        action = menu.addAction(f"Show only the runs of {tag}")
        action.setData(tag)
        action.triggered.connect(on_group_chosen)
    menu.setToolTipsVisible(True)
    return menu
