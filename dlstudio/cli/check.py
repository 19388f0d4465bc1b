"""``dlstudio check``: read every page of the database and say whether it is intact."""

from __future__ import annotations

import argparse
import json

from dlstudio.cli.options import add_db_option
from dlstudio.store import Store, resolve_db_path
from dlstudio.store.health import RECOVER, check_database


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "check", help="check that the database file is intact (reads every page)",
        description="Read every page of the database and check its structure and the "
                    "links between runs, metrics, tags, sweeps and trials. Changes "
                    "nothing. Exit code 0: intact; 1: damage found; 2: the file cannot be "
                    "opened at all (the message says why).")
    parser.add_argument("--thorough", action="store_true",
                        help="also compare every index with its table (slower)")
    parser.add_argument("--json", action="store_true")
    add_db_option(parser)
    parser.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    path = resolve_db_path(args.db, existing=True)
    with Store(path, mark_orphans=False) as store:
        health = check_database(store, thorough=args.thorough)
    if args.json:
        print(json.dumps({"database": str(path), "ok": health.ok, "thorough": health.thorough,
                          "runs": health.runs, "bytes": health.size_bytes,
                          "problems": health.problems}, indent=2))
    else:
        print(health.verdict(path))
        for problem in health.problems:
            print(f"  {problem}")
        if not health.ok:
            print(RECOVER.format(path=path))
    return 0 if health.ok else 1
