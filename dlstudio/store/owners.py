"""Crash recovery: which ``running`` runs lost their process, and marking them.

A run row records the pid and host that started it. On open, a ``running`` row from
this host whose process is gone becomes ``interrupted`` (resumable from its last
checkpoint) instead of staying ``running`` forever. Rows from other hosts are left
alone: their process cannot be checked from here.

Pids are reused, which matters most in containers where the app is often pid 1 on every
start. So a row carrying *our* pid counts as alive only if this process started it.
"""

from __future__ import annotations

import os
import socket
import sys

from dlstudio.store.base import StoreBase

HOST = socket.gethostname()

# (database identity, run id) of the runs that this process started.
_STARTED_HERE: set[tuple[str, int]] = set()


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists on this machine (any owner)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to another user
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:
    # os.kill on Windows terminates the process whatever the signal, so ask the API.
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # ERROR_ACCESS_DENIED: exists
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


class OwnersMixin(StoreBase):
    """Ownership of running runs and the orphan sweep done on open."""

    def _owner_key(self) -> str:
        if str(self.path) == ":memory:":
            return f":memory:{id(self.db.conn)}"
        return os.path.realpath(self.path)

    def _claim(self, run_id: int) -> None:
        _STARTED_HERE.add((self._owner_key(), run_id))

    def _owner_gone(self, run_id: int, pid: int | None, host: str | None) -> bool:
        if pid is None or host != HOST:
            return False
        if pid == os.getpid():
            return (self._owner_key(), run_id) not in _STARTED_HERE
        return not pid_alive(pid)

    def mark_orphans_interrupted(self) -> list[int]:
        """Mark ``running`` runs whose process on this host is gone as ``interrupted``.

        Returns the ids it changed. ``Store`` calls it on open unless told not to; it
        also marks the sweeps of dead processes (``mark_orphan_sweeps_interrupted``).
        """
        self.mark_orphan_sweeps_interrupted()
        rows = self._rows("SELECT id, owner_pid, owner_host FROM runs WHERE status = 'running'")
        gone = [r for r in rows if self._owner_gone(r["id"], r["owner_pid"], r["owner_host"])]
        if not gone:
            return []
        with self._write() as conn:
            for row in gone:
                message = (f"interrupted: process {row['owner_pid']} on {HOST} ended while "
                           "the run was running")
                # ``ended`` stays empty: when the process died is unknown. The status is
                # checked again because the run may have ended since it was read.
                conn.execute(
                    "UPDATE runs SET status = 'interrupted', "
                    "error = CASE WHEN error = '' THEN ? ELSE error END "
                    "WHERE id = ? AND status = 'running'",
                    (message, row["id"]),
                )
        return [row["id"] for row in gone]

    def mark_orphan_sweeps_interrupted(self) -> list[int]:
        """Mark ``running`` sweeps whose process on this host is gone as ``interrupted``.

        A sweep records its runner's pid and host in its state while it runs; a killed
        runner left the sweep ``running`` forever, while its runs were already shown
        ``interrupted``. Such a sweep is resumable like a paused one. Returns the ids it
        changed.
        """
        rows = self._rows(
            "SELECT id, json_extract(state, '$.owner.pid') AS pid, "
            "json_extract(state, '$.owner.host') AS host FROM sweeps WHERE status = 'running'")
        gone = [row["id"] for row in rows if row["host"] == HOST and row["pid"] is not None
                and row["pid"] != os.getpid() and not pid_alive(int(row["pid"]))]
        if not gone:
            return []
        with self._write() as conn:
            for sweep_id in gone:
                conn.execute(
                    "UPDATE sweeps SET status = 'interrupted', "
                    "state = json_set(state, '$.owner', json('null')) "
                    "WHERE id = ? AND status = 'running'", (sweep_id,))
        return gone
