"""The parts of ``dlstudio show`` beyond config and summary: the environment a run ran
in (what reproducing it needs), the resources it used and its files (checkpoints,
artifacts). The fields are ``dlstudio.run_record``'s, as the app shows them."""

from __future__ import annotations

from typing import Any

from dlstudio.formatting import format_bytes
from dlstudio.run_record import environment_fields, resource_fields


def environment_lines(environment: dict[str, Any]) -> list[str]:
    """``show``'s "environment:" block."""
    return ["environment:", *(f"  {label}: {value}"
                              for label, value in environment_fields(environment))]


def resource_lines(run: dict[str, Any]) -> list[str]:
    """``show``'s "resources:" block (``run`` as ``run_record.with_details`` gives it)."""
    fields = resource_fields(run.get("summary") or {}, run.get("system_metrics") or {},
                             run.get("environment"))
    return ["resources:", *(f"  {label}: {value}" for label, value in fields)]


def files_lines(files: list[dict[str, Any]]) -> list[str]:
    if not files:
        return []
    return ["files:", *(f"  {entry['path']}  ({format_bytes(entry['bytes'])})"
                        for entry in files)]
