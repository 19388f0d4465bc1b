"""Stop and pause of a worker thread, as the GUI thread sees them.

Both are ``threading.Event`` s that the GUI sets directly and the loop checks between
steps: a slot called through a signal would not run while the worker's ``run()`` is busy.
"""

from __future__ import annotations

import threading


class StopPauseControl:
    """Mixed into a session object; it must set ``_stop_event`` and ``_pause_event``."""

    _stop_event: threading.Event
    _pause_event: threading.Event

    def stop(self) -> None:
        """Ask the loop to stop; it takes effect within one step."""
        self._stop_event.set()

    def set_paused(self, paused: bool) -> None:
        if paused:
            self._pause_event.set()
        else:
            self._pause_event.clear()

    @property
    def paused(self) -> bool:
        return self._pause_event.is_set()

    @property
    def stopping(self) -> bool:
        return self._stop_event.is_set()
