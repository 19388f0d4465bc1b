"""The parts of ``dlstudio show`` beyond config and summary: the environment a run ran
in (what reproducing it needs) and its files (checkpoints, artifacts)."""

from __future__ import annotations

from typing import Any

from dlstudio.store.paths import run_files


def files_of(run: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{"path", "bytes"}]`` of the run's checkpoints and artifacts on disk."""
    folder = run.get("checkpoint_dir")
    return [{"path": f"{folder}/{name}", "bytes": size} for name, size in run_files(folder)]


def environment_lines(environment: dict[str, Any]) -> list[str]:
    """``show``'s "environment:" block; empty for runs recorded before it existed."""
    if not environment:
        return []
    origin = environment.get("imported_from")
    if origin:
        return ["environment:", f"  imported from {origin.get('kind')}: {origin.get('source')} "
                f"(run {origin.get('id')})"]
    versions = ", ".join(f"{name} {environment[name]}" for name in
                         ("python", "torch", "cuda", "dlstudio") if environment.get(name))
    lines = ["environment:", f"  versions: {versions}",
             f"  host: {environment.get('host', '?')} ({environment.get('platform', '?')})",
             f"  command: {environment.get('command', '?')}  (in {environment.get('cwd', '?')})"]
    git = environment.get("git")
    if git:
        state = "dirty: uncommitted changes" if git.get("dirty") else "clean"
        lines.append(f"  git: {git.get('commit')} ({state}) in {git.get('root')}")
    for label in ("code", "data_files", "plugin_files"):
        entry = environment.get(label)
        for record in entry if isinstance(entry, list) else [entry] if entry else []:
            digest = record.get("sha256") or record.get("error", "?")
            lines.append(f"  {label.replace('_files', '')}: {record.get('path')}  {digest}")
    return lines


def files_lines(files: list[dict[str, Any]]) -> list[str]:
    if not files:
        return []
    return ["files:", *(f"  {entry['path']}  ({_size(entry['bytes'])})" for entry in files)]


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count} B"
