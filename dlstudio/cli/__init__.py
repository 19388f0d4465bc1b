"""``dlstudio``: the command line. Thin: every command is a few calls into the core."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys

from dlstudio.cli import check as check_commands
from dlstudio.cli import compact as compact_commands
from dlstudio.cli import diagnose as diagnose_commands
from dlstudio.cli import examples as example_commands
from dlstudio.cli import export_runs as export_runs_commands
from dlstudio.cli import groups as group_commands
from dlstudio.cli import importance as importance_commands
from dlstudio.cli import imports as import_commands
from dlstudio.cli import lr_find as lr_find_commands
from dlstudio.cli import runs as runs_commands
from dlstudio.cli import sweep as sweep_commands
from dlstudio.cli import train as train_commands
from dlstudio.cli.options import add_db_option
from dlstudio.errors import ConfigError
from dlstudio.version import __version__

COMMAND_MODULES = [train_commands, runs_commands, lr_find_commands, group_commands,
                   diagnose_commands, sweep_commands, example_commands,
                   export_runs_commands, import_commands, importance_commands,
                   check_commands, compact_commands]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dlstudio",
        description="Train deep-learning models and track the runs. With no command, "
                    "opens the desktop app.")
    parser.add_argument("--version", action="version", version=f"dlstudio {__version__}")
    add_db_option(parser)
    # Given after the subcommand, --db is that subcommand's; given before, the top
    # level's. Both default to "absent" so neither erases the other.
    parser.set_defaults(db=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = commands.add_parser("gui", help="open the desktop app (the default)")
    add_db_option(gui)
    gui.set_defaults(handler=_run_gui)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


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
            print(f"error: {one_line(problem)}", file=sys.stderr)
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
        print(f"error: {one_line(problem)}", file=sys.stderr)
        return 2  # as for any file that is not what the command needs
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def one_line(message: str) -> str:
    """``message`` with control characters a user typed (a key holding a CR, say) shown
    escaped, so that each error stays on its one line."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)


def _db_label(args: argparse.Namespace) -> str:
    from dlstudio.store import resolve_db_path

    try:
        return str(resolve_db_path(getattr(args, "db", None), existing=True))
    except ConfigError:
        return str(getattr(args, "db", None) or "")
def missing_display() -> str | None:
    """Why the app cannot open a window here, or None when it can (or may).

    Checked before Qt starts: without a display Qt aborts the process with advice to
    reinstall the application, which is wrong advice.
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return ("error: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the "
            "app cannot open a window.\n"
            "  Every feature also works headless: see  dlstudio --help  (train, runs, "
            "sweep ...).\n"
            "  To run the app without a screen: xvfb-run -a dlstudio, or "
            "QT_QPA_PLATFORM=offscreen dlstudio.")


def _run_gui(args: argparse.Namespace) -> int:
    problem = missing_display()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    from dlstudio.gui.app import main as gui_main
    from dlstudio.store import resolve_db_path

    return gui_main(resolve_db_path(args.db))
