"""Start the desktop app: ``main(db_path)`` creates the QApplication, opens the
``AppContext`` on the database and shows the main window over it."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

ORGANIZATION = "dlstudio"
APPLICATION = "dlstudio"


def main(db_path: Path, settings=None) -> int:
    """Open the main window on ``db_path``; returns the exit code when it closes.

    ``settings``: a ``QSettings`` for the window state (tests pass their own; the
    default is the user's ``dlstudio`` settings).
    """
    from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)

    from dlstudio.errors import ConfigError
    from dlstudio.gui.context import AppContext
    from dlstudio.gui.main_window import MainWindow

    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    try:
        context = AppContext.open(Path(db_path), settings)
    except ConfigError as error:  # a newer or corrupt database: say so, change nothing
        _report(str(error))
        return 2
    window = MainWindow(context)
    window.show()
    # torch, Qt and pyqtgraph leave a large heap of long-lived objects; a full garbage
    # collection over it took ~0.2 s holding the GIL, stalling training and the GUI.
    # Frozen objects are skipped by later collections.
    gc.freeze()
    return int(app.exec())


def _report(message: str) -> None:
    """Print the problem, and show it too when there is a screen to show it on."""
    import os

    from PySide6.QtWidgets import QMessageBox

    print(f"error: {message}", file=sys.stderr)
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        QMessageBox.critical(None, "dlstudio cannot open the database", message)
