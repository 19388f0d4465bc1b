"""The runs table's "Columns" menu: show or hide the standard columns, add any config
key or summary value as a column; the choice is kept in ``QSettings``."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton, QTreeView, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.metric_choosers import add_section_header
from dlstudio.gui.runs.key_columns import available_keys
from dlstudio.gui.runs.runs_model import COLUMNS, CV_COLUMN
from dlstudio.gui.runs.runs_tree_model import RunsTreeModel
from dlstudio.metric_sections import group_metric_keys

ALWAYS_SHOWN = ("ID", "Name")
HIDDEN_KEY, ADDED_KEY = "runs/hidden_columns", "runs/key_columns"
MAX_KEYS_IN_MENU = 200  # a free-form config may hold thousands of keys
KEY_SAMPLE = 2000  # runs whose keys the menu lists (spread over the table)


class ColumnChooserButton(QToolButton):
    """Rebuilds its menu from the runs' keys each time it opens."""

    columns_changed = Signal()

    def __init__(self, model: RunsTreeModel, view: QTreeView, settings: QSettings,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.model, self.view, self.settings = model, view, settings
        self.setText("Columns")
        self.setToolTip("Show or hide columns; add any config key or summary value")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))
        self.menu().aboutToShow.connect(self._on_menu_about_to_show)
        self.menu().triggered.connect(self._on_action_triggered)

    # -- state -----------------------------------------------------------------------
    def restore(self) -> None:
        """Apply the saved choice (call once the view has its model)."""
        added = [c for c in _string_list(self.settings.value(ADDED_KEY)) if ":" in c]
        self.model.set_key_columns(added)
        self.apply_hidden()

    def apply_hidden(self) -> None:
        """Hide the standard columns the user turned off (the view forgets on reset)."""
        hidden = set(_string_list(self.settings.value(HIDDEN_KEY)))
        for index, column in enumerate(COLUMNS):
            if index != CV_COLUMN:
                self.view.setColumnHidden(index, column.header in hidden)

    def added(self) -> list[str]:
        return [column.column_id for column in self.model.extra_columns]

    # -- menu ------------------------------------------------------------------------
    def build_menu(self) -> QMenu:
        """Fill the menu (also what opening it does); returns it."""
        menu = self.menu()
        menu.clear()
        hidden = set(_string_list(self.settings.value(HIDDEN_KEY)))
        for index, column in enumerate(COLUMNS):
            if column.header in ALWAYS_SHOWN or index == CV_COLUMN:
                continue
            self._add(menu, column.header, ("standard", column.header),
                      column.header not in hidden)
        keys = available_keys(self.model.records(), self.model.flat_configs(sample=KEY_SAMPLE))
        added = set(self.added())
        for source, title in (("config", "Config keys"), ("summary", "Summary values")):
            submenu = menu.addMenu(title)
            listed = keys[source][:MAX_KEYS_IN_MENU]
            # Summary values are metrics too (``test/accuracy``): by section, as in Compare.
            sections = group_metric_keys(listed) if source == "summary" else [("", listed)]
            for section, members in sections:
                if len(sections) > 1:
                    add_section_header(submenu, section, len(members))
                for key in members:
                    column_id = f"{source}:{key}"
                    self._add(submenu, key, ("key", column_id), column_id in added)
        return menu

    def _add(self, menu: QMenu, text: str, data: tuple[str, str], checked: bool) -> None:
        action = QAction(text, menu)
        action.setCheckable(True)
        action.setChecked(checked)
        action.setData(list(data))
        menu.addAction(action)

    @Slot()
    def _on_menu_about_to_show(self) -> None:
        self.build_menu()

    @Slot(QAction)
    def _on_action_triggered(self, action: QAction) -> None:
        kind, name = action.data()
        if kind == "standard":
            hidden = set(_string_list(self.settings.value(HIDDEN_KEY)))
            hidden = hidden - {name} if action.isChecked() else hidden | {name}
            self.settings.setValue(HIDDEN_KEY, sorted(hidden))
            self.apply_hidden()
        else:
            added = [c for c in self.added() if c != name]
            if action.isChecked():
                added.append(name)
            self.settings.setValue(ADDED_KEY, added)
            self.model.set_key_columns(added)
        self.settings.sync()
        self.columns_changed.emit()


def _string_list(value) -> list[str]:
    # QSettings returns a str for a one-item list and None for an empty one (INI files).
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]
