"""Fixtures for the GUI tests: a main window on a temporary database and settings file,
tiny run configs, and a check that no QThread outlives its test.

Test modules import the fixtures they use: ``from tests.gui_helpers import *``.
"""

from __future__ import annotations

import pytest
import shiboken6

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from PySide6.QtCore import QSettings, QThread

FAST = {"data.name": "digits", "model.hidden": "32", "train.epochs": "1",
        "train.device": "cpu", "train.batch_size": "64", "train.checkpoints": False}
LONG = {**FAST, "train.epochs": "400", "train.batch_size": "16"}


@pytest.fixture(autouse=True)
def no_dangling_qthreads(monkeypatch):
    """Fail the test if a QThread it started is still running at its end."""
    started: list[QThread] = []
    original_start = QThread.start

    def recording_start(thread, *args):
        started.append(thread)
        return original_start(thread, *args)

    monkeypatch.setattr(QThread, "start", recording_start)
    yield started
    running = [thread.objectName() or repr(thread) for thread in started
               if shiboken6.isValid(thread) and thread.isRunning()]
    for thread in started:
        if shiboken6.isValid(thread) and thread.isRunning():
            thread.quit()
            thread.wait(5000)
    assert not running, f"QThreads left running: {running}"


@pytest.fixture
def qt_settings(tmp_path):
    """A settings file of the test's own, never the user's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


class StopAnswer:
    """The injected close question: records the calls, answers ``self.answer``."""

    def __init__(self, answer: bool = True):
        self.answer = answer
        self.calls = 0

    def __call__(self, parent, running: int) -> bool:
        self.calls += 1
        return self.answer


@pytest.fixture
def stop_answer():
    return StopAnswer()


@pytest.fixture
def main_window(qtbot, db_path, qt_settings, stop_answer):
    """The main window on a temporary database, closed (threads joined) at the end."""
    from dlstudio.gui.main_window import MainWindow

    window = MainWindow(db_path, settings=qt_settings, confirm_stop=stop_answer)
    qtbot.addWidget(window)
    window.show()
    yield window
    stop_answer.answer = True
    window.close()


def fill_form(window_or_form, values: dict) -> None:
    """Set the form's fields to ``values`` and validate at once."""
    form = getattr(window_or_form, "form", window_or_form)
    form.set_config(values)
    form.validate_now()


def run_and_wait(qtbot, window, values: dict, timeout: int = 30_000) -> tuple[int, dict]:
    """Fill the form, press Run and wait for the window's ``run_finished``."""
    fill_form(window, values)
    assert window.form.run_button.isEnabled(), window.form.problems
    with qtbot.waitSignal(window.run_finished, timeout=timeout) as blocker:
        window.form.run_button.click()
    return blocker.args[0], blocker.args[1]


def read_store(db_path):
    """A short-lived store connection of the test thread."""
    from dlstudio.store import Store

    return Store(db_path, mark_orphans=False)
