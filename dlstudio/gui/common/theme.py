"""Light or dark: the user's choice, or the system's colour scheme when they chose
"system" (followed live through ``QStyleHints.colorSchemeChanged``, Qt >= 6.5).

Widgets take a Fusion palette of the scheme; pyqtgraph plots take their background and
foreground from ``pg.setConfigOptions`` when they are built, so the plots already on
screen are recoloured here too.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from dlstudio.gui.common.legend_placement import recolor_legend

THEMES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))
SETTING = "appearance/theme"
PLOT_COLORS = {"light": ("w", "k"), "dark": ("#1e1e1e", "#d0d0d0")}  # background, foreground


def effective_scheme(choice: str) -> str:
    """``"light"`` or ``"dark"``: the choice, or what the system says for ``"system"``."""
    if choice in ("light", "dark"):
        return choice
    app = QApplication.instance()
    if app is not None and app.styleHints().colorScheme() == Qt.ColorScheme.Dark:
        return "dark"
    return "light"


def plot_colors(scheme: str) -> tuple[str, str]:
    return PLOT_COLORS[scheme]


class ThemeKeeper:
    """Applies a theme choice and re-applies it when the system scheme changes."""

    def __init__(self, app: QApplication):
        self.app = app
        self.choice = "system"
        self.scheme = ""
        self._light_palette = QStyleFactory.create("Fusion").standardPalette()
        app.styleHints().colorSchemeChanged.connect(self._on_system_changed)

    def apply(self, choice: str) -> str:
        """Use ``choice`` (one of THEMES' keys); returns the scheme now shown."""
        self.choice = choice if choice in dict(THEMES) else "system"
        scheme = effective_scheme(self.choice)
        self.scheme = scheme
        self.app.setStyle("Fusion")  # the one style whose palette follows ours everywhere
        self.app.setPalette(dark_palette() if scheme == "dark" else self._light_palette)
        background, foreground = plot_colors(scheme)
        pg.setConfigOptions(background=background, foreground=foreground)
        for widget in self.app.allWidgets():
            if isinstance(widget, pg.GraphicsView):
                recolor_plot(widget, background, foreground)
        return scheme

    def _on_system_changed(self, _scheme) -> None:
        if self.choice == "system":
            self.apply("system")


def dim(widget: QWidget) -> QWidget:
    """Secondary text (a hint, a note, an empty state) in the palette's placeholder
    colour: readable in the light and the dark theme, and it follows a switch of theme,
    which a style sheet's colour does not (``palette(...)`` in one is read only when the
    sheet is applied)."""
    widget.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return widget


def dim_html(widget: QWidget, text: str) -> str:
    """``text`` as rich text in ``widget``'s placeholder colour now (for a part of a
    label; the next text set reads the colour again)."""
    color = widget.palette().color(QPalette.ColorRole.PlaceholderText).name()
    return f"<span style='color:{color}'>{text}</span>"


def recolor_plot(view: pg.GraphicsView, background: str, foreground: str) -> None:
    """Give a plot already built the scheme's background, axes and title colours."""
    view.setBackground(background)
    scene = view.scene()
    if scene is None:
        return
    for item in scene.items():
        if isinstance(item, pg.AxisItem):
            item.setPen(foreground)
            item.setTextPen(foreground)
        elif isinstance(item, pg.LegendItem):
            recolor_legend(item, background, foreground)
        elif isinstance(item, pg.LabelItem) and item.text:
            item.setText(item.text, color=foreground)


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e0e0e0",
        QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.ToolTipBase: "#3a3a3a", QPalette.ColorRole.ToolTipText: "#e0e0e0",
        QPalette.ColorRole.Text: "#e0e0e0", QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e0e0e0", QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Link: "#6ab0ff", QPalette.ColorRole.Highlight: "#2f65ca",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.PlaceholderText: "#8a8a8a",
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette
