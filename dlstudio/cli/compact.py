"""``dlstudio compact``: give back the space deleted runs left inside the database."""

from __future__ import annotations

import argparse

from dlstudio.cli.options import add_db_option
from dlstudio.store import Store, resolve_db_path
from dlstudio.store.compaction import compact


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "compact", help="shrink the database file after runs were deleted",
        description="Deleting runs frees space inside the database file, which SQLite "
                    "reuses but never gives back to the disk. This rewrites the file "
                    "without it. Refused while a run or sweep trains on the file, and "
                    "when the disk lacks room for the rewrite (about twice what is kept).")
    add_db_option(parser)
    parser.set_defaults(handler=run_compact)


def run_compact(args: argparse.Namespace) -> int:
    path = resolve_db_path(args.db, existing=True)
    with Store(path) as store:
        done = compact(store)
    print(done.summary(path))
    return 0
