"""Helpers for the GUI tests: tiny run configs, filling the form, running and waiting.

The fixtures (main window, settings, the thread-leak guard) live in ``conftest.py``.
"""

from __future__ import annotations

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)

FAST = {"data.name": "digits", "model.hidden": "32", "train.epochs": "1",
        "train.device": "cpu", "train.batch_size": "64", "train.checkpoints": False}
LONG = {**FAST, "train.epochs": "400", "train.batch_size": "16"}


class StopAnswer:
    """The injected close question: records the calls, answers ``self.answer``."""

    def __init__(self, answer: bool = True):
        self.answer = answer
        self.calls = 0

    def __call__(self, parent, running: int) -> bool:
        self.calls += 1
        return self.answer


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


# Contexts opened by ``open_context``; the autouse fixture in conftest.py closes them.
OPENED_CONTEXTS: list = []


def open_context(db_path, settings):
    """An ``AppContext`` on ``db_path`` that is closed (threads joined) after the test."""
    from dlstudio.gui.context import AppContext

    context = AppContext.open(db_path, settings)
    OPENED_CONTEXTS.append(context)
    return context
