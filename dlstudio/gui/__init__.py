"""The desktop app (PySide6 + pyqtgraph): thin widgets over the core.

Importing any GUI module first installs ``qt_compat``'s guard against PySide6 6.12.0's
reference leak on Python < 3.12 (see that module).
"""

from dlstudio.gui import qt_compat  # noqa: F401
