"""``PanelTabs``: the window's tabs, each a ``Panel``; a lazy tab (every one but Train)
is built when first opened or asked for, so the window opens as fast as the Train tab
alone needs.

A panel that fails to build raises, like any other bug: there is no placeholder tab.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from dlstudio.gui.common.panel import Panel


class PanelTabs(QTabWidget):
    """Tabs by key; ``panel(key)`` builds a lazy tab's panel on first use."""

    panel_built = Signal(str, object)  # key, Panel: connect its signals now
    panel_shown = Signal(str, object)  # key, Panel: it came to the front

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.panels: dict[str, Panel] = {}  # built so far
        self._factories: dict[str, Callable[[QWidget], Panel]] = {}
        self._holders: dict[str, QWidget] = {}
        self.currentChanged.connect(self._on_current_changed)

    def add(self, key: str, panel: Panel) -> None:
        """A tab whose panel is already built."""
        self.panels[key] = panel
        self._holders[key] = panel
        self.addTab(panel, panel.tab_title)
        self.panel_built.emit(key, panel)

    def add_lazy(self, key: str, title: str, build: Callable[[QWidget], Panel]) -> None:
        """A tab whose panel ``build(parent)`` makes when the tab is first opened."""
        holder = QWidget(self)
        QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
        self._factories[key] = build
        self._holders[key] = holder
        self.addTab(holder, title)

    def panel(self, key: str) -> Panel:
        """The panel of tab ``key``, built now if it was not yet."""
        if key not in self.panels:
            holder = self._holders[key]
            panel = self._factories[key](holder)
            holder.layout().addWidget(panel)
            self.panels[key] = panel
            self.panel_built.emit(key, panel)
        return self.panels[key]

    def show_panel(self, key: str) -> Panel:
        """Bring tab ``key`` to the front; returns its panel."""
        self.setCurrentWidget(self._holders[key])
        return self.panel(key)

    def current_panel(self) -> Panel | None:
        """The front tab's panel (``currentWidget()`` of a lazy tab is its holder)."""
        key = self.key_of(self.currentIndex())
        return None if key is None else self.panel(key)

    def key_of(self, index: int) -> str | None:
        widget = self.widget(index)
        return next((key for key, holder in self._holders.items() if holder is widget), None)

    @Slot(int)
    def _on_current_changed(self, index: int) -> None:
        key = self.key_of(index)
        if key is not None:
            panel = self.panel(key)
            panel.shown()
            self.panel_shown.emit(key, panel)
