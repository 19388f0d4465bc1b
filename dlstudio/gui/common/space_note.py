"""What to tell the user after deletes: the file does not shrink by itself."""

from __future__ import annotations

from dlstudio.formatting import format_bytes
from dlstudio.store import Store
from dlstudio.store.compaction import WORTH_COMPACTING, free_bytes


def space_note(store: Store) -> str | None:
    """How much the database file holds free, when that is worth compacting."""
    free = free_bytes(store)
    if free < WORTH_COMPACTING:
        return None
    return (f"{format_bytes(free)} inside the database is free now: File > Compact database "
            "gives it back to the disk.")
