"""Fixtures of every GUI test: the thread-leak guard and Qt garbage collection (both
autouse, so no test module can leave them out), settings and a main window."""

from __future__ import annotations

import gc

import pytest
import shiboken6

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from PySide6.QtCore import QSettings, QThread

from tests.gui.helpers import OPENED_CONTEXTS, StopAnswer


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


@pytest.fixture(autouse=True)
def private_default_settings(tmp_path_factory):
    """Widgets built without a settings object fall back to ``QSettings("dlstudio",
    "dlstudio")``: point that at a fresh folder, so a developer's saved grouping or
    columns never reach a test, and no test writes the developer's settings."""
    folder = str(tmp_path_factory.mktemp("user-settings"))
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, folder)


@pytest.fixture(autouse=True)
def close_opened_contexts():
    """Close the contexts a test opened with ``helpers.open_context``."""
    yield
    while OPENED_CONTEXTS:
        OPENED_CONTEXTS.pop().close()


@pytest.fixture
def qt_settings(tmp_path):
    """A settings file of the test's own, never the user's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def stop_answer():
    return StopAnswer()


@pytest.fixture
def app_context(db_path, qt_settings):
    """What a panel is built from, on a temporary database; closed at the end."""
    from dlstudio.gui.context import AppContext

    context = AppContext.open(db_path, qt_settings)
    yield context
    context.close()


@pytest.fixture
def main_window(qtbot, db_path, qt_settings, stop_answer):
    """The main window on a temporary database, closed (threads joined) at the end."""
    from dlstudio.gui.context import AppContext
    from dlstudio.gui.main_window import MainWindow

    window = MainWindow(AppContext.open(db_path, qt_settings), confirm_stop=stop_answer)
    qtbot.addWidget(window)
    window.show()
    yield window
    stop_answer.answer = True
    window.close()




@pytest.fixture(autouse=True)
def collect_qt_garbage():
    """After a GUI test, collect its cyclic garbage at once, on the main thread.

    Left to chance, Python collected a GUI test's Qt objects during a later sweep test
    while a worker thread was inside torch.save, and the suite hung there (seen once
    in four full runs).
    """
    yield
    gc.collect()
