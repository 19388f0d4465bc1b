"""Work around PySide6 6.12.0 dropping references to None, True and False (PYSIDE-3474).

Measured here (PySide6 6.12.0 Linux wheels, Python 3.11): every call of a Qt method
that returns nothing loses one reference to ``None`` (``QLabel.setText``,
``QWidget.setVisible``, a queued signal delivery ...), and every ``SignalInstance.emit()``
loses one to ``True``. Python 3.12+ makes these objects immortal and nothing shows; on
3.10 / 3.11 the count reaches zero after some ten thousand calls and the interpreter
aborts: "Fatal Python error: none_dealloc: deallocating None".

The real fix is a PySide6 without the bug (see the report: exclude 6.12.0 on Python <
3.12). Until then ``install()`` probes for the leak and, only where it shows, gives the
three singletons a reserve of references so large (2**40) that no session can use it
up: what Python 3.12 does by making them immortal. It runs on import; every GUI entry
point imports this module.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

RESERVE = 2**40
_PROBE_CALLS = 64
_installed = False


class _Probe(QObject):
    fired = Signal()


def leaks_references() -> bool:
    """Whether void Qt calls or ``emit()`` lose references to None / True here."""
    if sys.version_info >= (3, 12):
        return False  # immortal singletons: a lost reference does no harm
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(_PROBE_CALLS):
        probe.setObjectName("probe")
        probe.fired.emit()
    lost = (none_before - sys.getrefcount(None)) + (true_before - sys.getrefcount(True))
    return lost >= _PROBE_CALLS


def _add_references(obj: object, count: int) -> bool:
    """Raise ``obj``'s reference count by ``count``; False if the layout is not the usual one."""
    before = sys.getrefcount(obj)
    refcount = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt: the first field
    if refcount.value != before - 1:  # getrefcount counts its own argument
        return False
    refcount.value += count
    return True


def install() -> bool:
    """Give None, True and False their reserve where PySide6 leaks; returns whether it did."""
    global _installed
    if not _installed and leaks_references():
        _installed = all(_add_references(obj, RESERVE) for obj in (None, True, False))
    return _installed


install()
