"""The window's menus and their standard shortcuts.

Each action does something real in every state it is enabled in: Run brings the
Train tab forward and presses its Run button (when the form is valid and the device
free; otherwise the form says why), Filter runs brings the Runs tab forward with
its filter field focused, Refresh re-reads the tab in front (when it has something to
re-read), Ctrl+1 .. Ctrl+7 bring a tab forward, Preferences opens the preferences
dialog, Check database reads every page of the file (as ``dlstudio check``), Compact
database gives back the space deleted runs left (as ``dlstudio compact``, not while
this window trains), Help > About shows the versions and the database, Quit closes the
window (asking first while runs train).

The menus are a Qt child of the window and hold no Python reference to it: one made a
reference cycle, so a dropped window was freed by a later run of the cyclic garbage
collector, at any moment, inside Qt's event processing of its own plots.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenuBar

if TYPE_CHECKING:
    from dlstudio.gui.main_window import MainWindow

REFRESHERS = ("refresh", "refresh_runs")  # what a tab calls re-reading the database


def tab_refresher(panel) -> Callable[[], None] | None:
    """The front tab's way to re-read the database, if it has one."""
    return next((getattr(panel, name) for name in REFRESHERS if hasattr(panel, name)), None)


class MainMenus(QObject):
    """Builds the menu bar of ``window``; its actions are attributes for tests."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        bar: QMenuBar = window.menuBar()
        file_menu = bar.addMenu("&File")
        self.preferences = self._action(file_menu, "&Preferences…",
                                        QKeySequence.StandardKey.Preferences, window.edit_preferences)
        self.preferences.setShortcuts([QKeySequence("Ctrl+,")])
        self.check = self._action(file_menu, "&Check database…", QKeySequence(),
                                  window.check_database)
        self.compact = self._action(file_menu, "C&ompact database…", QKeySequence(),
                                    window.compact_database)
        file_menu.addSeparator()
        self.quit = self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, window.close)
        self.quit.setShortcuts([QKeySequence("Ctrl+Q")])
        run_menu = bar.addMenu("&Run")
        self.run = self._action(run_menu, "&Run the form", QKeySequence("Ctrl+Return"),
                                self._run)
        self.run.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        view_menu = bar.addMenu("&View")
        self.filter = self._action(view_menu, "&Filter runs…", QKeySequence.StandardKey.Find,
                                   self._filter_runs)
        self.filter.setShortcuts([QKeySequence("Ctrl+F")])
        self.refresh = self._action(view_menu, "&Refresh", QKeySequence.StandardKey.Refresh,
                                    self._refresh)
        self.refresh.setShortcuts([QKeySequence("F5")])
        view_menu.addSeparator()
        # Ctrl+1 .. Ctrl+7 bring a tab forward, as in a browser. One group reports which
        # action fired: no callable per action (it would hold the menus from C++).
        self.tab_group = QActionGroup(self)
        self.tab_group.setExclusive(False)
        self.tab_group.triggered.connect(self._on_tab_action)
        self.tab_actions = []
        for index in range(min(window.tabs.count(), 9)):
            action = self._action(view_menu, f"&{index + 1} {window.tabs.tabText(index)}",
                                  QKeySequence(f"Ctrl+{index + 1}"))
            action.setData(index)
            self.tab_group.addAction(action)
            self.tab_actions.append(action)
        help_menu = bar.addMenu("&Help")
        self.about = self._action(help_menu, "&About dlstudio", QKeySequence(),
                                  window.show_about)
        window.tabs.currentChanged.connect(self.update_enabled)
        self.update_enabled()

    @property
    def window(self) -> MainWindow:
        return self.parent()

    def _action(self, menu, text: str, keys, slot=None) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(keys)
        if slot is not None:
            action.triggered.connect(slot)
        menu.addAction(action)
        self.window.addAction(action)  # shortcuts work while the menu is closed
        return action

    def update_enabled(self, *_args) -> None:
        self.refresh.setEnabled(tab_refresher(self.window.tabs.current_panel()) is not None)

    def _run(self) -> None:
        self.window.tabs.show_panel("train")
        if self.window.form.run_button.isEnabled():
            self.window.form.run_button.click()

    def _filter_runs(self) -> None:
        runs = self.window.tabs.show_panel("runs")
        runs.search.setFocus()
        runs.search.selectAll()

    def _on_tab_action(self, action: QAction) -> None:
        self.window.tabs.setCurrentIndex(action.data())

    def _refresh(self) -> None:
        refresher = tab_refresher(self.window.tabs.current_panel())
        if refresher is not None:
            refresher()
