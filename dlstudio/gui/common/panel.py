"""``Panel``: the base of every tab, built from the window's ``AppContext``.

A tab reads and writes through ``context.store`` and trains through
``context.controller``; it tells the user things with ``status_message`` (the window shows
them in its status bar) and asks other tabs for things only with its own signals,
which ``gui.wiring`` connects. ``shown`` runs each time the tab comes to the front;
``shutdown`` stops and joins the tab's own worker threads when the window closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from dlstudio.gui.common.wheel_guard import install_wheel_guard

if TYPE_CHECKING:
    from dlstudio.gui.context import AppContext


class Panel(QWidget):
    """A tab of the main window."""

    tab_title = ""  # what the tab says
    status_message = Signal(str, int)  # text, milliseconds to show it

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        install_wheel_guard()  # every form in a tab scrolls under the wheel, not its combos
        self.context = context

    def shown(self) -> None:
        """The tab came to the front."""

    def shutdown(self) -> None:
        """Stop and join this tab's own threads (the controller's are the context's)."""
