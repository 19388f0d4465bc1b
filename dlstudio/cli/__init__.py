"""``dlstudio``: the command line. Thin: every command is a few calls into the core."""

from __future__ import annotations

import argparse
import sqlite3
import sys

from dlstudio.cli import diagnose as diagnose_commands
from dlstudio.cli import groups as group_commands
from dlstudio.cli import lr_find as lr_find_commands
from dlstudio.cli import runs as runs_commands
from dlstudio.cli import sweep as sweep_commands
from dlstudio.cli import train as train_commands
from dlstudio.errors import ConfigError

COMMAND_MODULES = [train_commands, runs_commands, lr_find_commands, group_commands,
                   diagnose_commands, sweep_commands]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dlstudio",
        description="Train deep-learning models and track the runs. With no command, "
                    "opens the desktop app.")
    add_db_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = commands.add_parser("gui", help="open the desktop app (the default)")
    add_db_option(gui)
    gui.set_defaults(handler=_run_gui)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH",
                        help="database file (default: $DLSTUDIO_DB, else the user data folder)")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dlstudio`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args.handler = _run_gui
    try:
        return int(args.handler(args) or 0)
    except ConfigError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0
    except (sqlite3.Error, OSError) as error:
        # A full disk, a read-only or damaged file met after the database opened: one
        # line naming the file, not a traceback.
        from dlstudio.store.faults import storage_problem

        problem = storage_problem(error, _db_label(args))
        if problem is None:
            raise
        print(f"error: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _db_label(args: argparse.Namespace) -> str:
    from dlstudio.store import resolve_db_path

    try:
        return str(resolve_db_path(getattr(args, "db", None), existing=True))
    except ConfigError:
        return str(getattr(args, "db", None) or "")


def _run_gui(args: argparse.Namespace) -> int:
    from dlstudio.gui.app import main as gui_main
    from dlstudio.store import resolve_db_path

    return gui_main(resolve_db_path(args.db))
