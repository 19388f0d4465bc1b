"""The runs table's splitter with the details pane: shown or folded by the Details
button (or by dragging the pane shut), its width and state remembered in QSettings."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QPushButton, QSplitter

SHOWN_KEY = "runs/details_shown"
SPLITTER_KEY = "runs/details_splitter"
DEFAULT_SIZES = (600, 400)  # the table keeps most of a small window


class DetailsPane(QObject):
    """Keeps ``splitter``'s second widget (the details) in step with ``button``."""

    def __init__(self, splitter: QSplitter, button: QPushButton, settings: QSettings):
        super().__init__(splitter)
        self.splitter, self.button, self.settings = splitter, button, settings
        self.details = splitter.widget(1)
        splitter.setCollapsible(0, False)
        splitter.setStretchFactor(0, 3)  # a wider window widens both, the table more
        splitter.setStretchFactor(1, 2)
        splitter.setSizes(list(DEFAULT_SIZES))
        state = settings.value(SPLITTER_KEY)
        if state is not None:
            splitter.restoreState(state)
        shown = settings.value(SHOWN_KEY, True, type=bool)
        button.setChecked(shown)
        self.details.setVisible(shown)
        button.toggled.connect(self._on_button_toggled)
        splitter.splitterMoved.connect(self._on_splitter_moved)

    @Slot(bool)
    def _on_button_toggled(self, shown: bool) -> None:
        self.details.setVisible(shown)
        if shown and self.splitter.sizes()[1] == 0:  # it was dragged shut before
            self.splitter.setSizes(list(DEFAULT_SIZES))
        self.settings.setValue(SHOWN_KEY, shown)

    @Slot(int, int)
    def _on_splitter_moved(self, _position: int, _index: int) -> None:
        if self.splitter.sizes()[1] == 0:
            self.button.setChecked(False)  # dragged shut: folded, as the button would
        else:
            self.settings.setValue(SPLITTER_KEY, self.splitter.saveState())
