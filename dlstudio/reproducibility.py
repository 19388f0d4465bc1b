"""What reproducing a run needs, recorded when it starts: the code (git commit and
whether the tree differs from it), the software (Python, torch, CUDA, dlstudio), where
and how it ran (host, command line) and the exact inputs (a SHA-256 of each data and
plugin file).

No torch import: the torch version comes from the installed package's metadata, and the
CUDA version from torch only when the process has loaded torch already (a script that
logs tensors, or the built-in trainer), so recording never costs a torch import.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dlstudio.version import __version__

GIT_TIMEOUT_S = 10.0
API_MARK = "logged_by"  # environment key of the runs a script logged through the API
IMPORT_MARK = "imported_from"  # environment key of the runs brought from another tracker
_CHUNK = 1 << 20


def made_by(environment: dict[str, Any]) -> str:
    """Who made a run, from its recorded environment: ``"import"`` (another tracker's
    run), ``"script"`` (logged through the tracking API), ``"dlstudio"`` (its trainer),
    or ``""`` when nothing was recorded (a run older than the record: the trainer's)."""
    if environment.get(IMPORT_MARK):
        return "import"
    if API_MARK in environment:
        return "script"
    return "dlstudio" if environment else ""


def collect(code: str | Path | None = None, data_files: Iterable[str | Path] = (),
            plugin_files: Iterable[str | Path] = ()) -> dict[str, Any]:
    """The environment of the current process as a JSON-ready dict.

    ``code``: a file or folder of the code being run (the script); its git repository,
    if any (else the working folder's), gives ``git``; a file is also hashed. ``data_files`` / ``plugin_files``: hashed, so a changed input
    shows as a different ``sha256``. A file that cannot be read is recorded with its
    ``error`` instead of failing the run.
    """
    code_path = Path(code) if code is not None else None
    return {
        **software(),
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "cwd": os.getcwd(),
        "git": git_state(code_path or Path.cwd()),
        "code": file_record(code_path) if code_path and code_path.is_file() else None,
        "data_files": [file_record(path) for path in data_files],
        "plugin_files": [file_record(path) for path in plugin_files],
    }


def software() -> dict[str, Any]:
    """Python, dlstudio, torch and its CUDA (read from torch only once something loaded
    it), host and platform: what every run records and Help > About shows."""
    torch = sys.modules.get("torch")
    return {
        "python": platform.python_version(),
        "dlstudio": __version__,
        "torch": getattr(torch, "__version__", None) or package_version("torch"),
        "cuda": _cuda_version(torch),
        "host": socket.gethostname(),
        "platform": platform.platform(),
    }


def git_state(path: Path) -> dict[str, Any] | None:
    """``{"commit", "dirty", "root"}`` of the repository holding ``path``, else None.

    ``dirty``: a tracked file differs from the commit, or ``path`` itself is a file git
    does not track (the commit then does not hold the code that ran). Untracked files
    elsewhere (data, the database, outputs) do not count.
    """
    folder = path if path.is_dir() else path.parent
    top = _git(folder, "rev-parse", "--show-toplevel", "HEAD")
    if top is None:
        return None
    lines = top.splitlines()
    if len(lines) != 2:
        return None
    root, commit = lines
    changes = _git(folder, "status", "--porcelain", "--untracked-files=no")
    dirty = changes is None or bool(changes.strip())
    if path.is_file() and _git(folder, "ls-files", "--error-unmatch", path.name) is None:
        dirty = True
    return {"commit": commit, "dirty": dirty, "root": root}


def file_record(path: str | Path) -> dict[str, Any]:
    """``{"path", "bytes", "sha256"}`` of one file (``error`` instead when unreadable)."""
    path = Path(path).expanduser()
    record: dict[str, Any] = {"path": str(path.resolve())}
    try:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        record.update(bytes=path.stat().st_size, sha256=digest.hexdigest())
    except OSError as exc:
        record["error"] = f"{type(exc).__name__}: {exc.strerror or exc}"
    return record


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              text=True, timeout=GIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):  # no git, or it hung
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def package_version(name: str) -> str | None:
    """The installed version of package ``name``, None when it is not installed."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cuda_version(torch: Any) -> str | None:
    version = getattr(getattr(torch, "version", None), "cuda", None)
    return str(version) if version else None
