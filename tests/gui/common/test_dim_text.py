"""Secondary text (hints, notes, empty states) stays readable when the theme switches."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel

from dlstudio.gui.common.theme import ThemeKeeper
from dlstudio.gui.diagnosis.run_curves_view import RunCurvesView


def ink_and_ground(label: QLabel) -> tuple[int, int]:
    """Lightness of the text's pixel farthest from the background, and the background's."""
    image = label.grab().toImage()
    ground = image.pixelColor(image.width() - 1, image.height() - 1).lightness()
    inks = [image.pixelColor(x, y).lightness() for x in range(image.width())
            for y in range(image.height())]
    return max(inks, key=lambda ink: abs(ink - ground)), ground


def test_a_dimmed_hint_is_readable_in_either_theme_after_a_switch(qtbot):
    keeper = ThemeKeeper(QApplication.instance())
    keeper.apply("light")
    view = RunCurvesView()  # its empty state is a hint
    qtbot.addWidget(view)
    view.resize(400, 200)
    view.show()
    qtbot.waitExposed(view)
    label = view.empty
    try:
        ink, ground = ink_and_ground(label)
        assert ground > 200 and 60 < ground - ink < 200  # grey on light: dim, not black
        keeper.apply("dark")  # the label was built light, as in a running app
        qtbot.waitUntil(lambda: ink_and_ground(label)[1] < 80)
        ink, ground = ink_and_ground(label)
        assert 60 < ink - ground < 200, (ink, ground)  # grey on dark, not dark on dark
    finally:
        keeper.apply("light")
