"""Options every command shares. Its own module: the commands import it at their top,
where importing it from the package would be a circle (the package imports them)."""

from __future__ import annotations

import argparse


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                        help="database file (default: $DLSTUDIO_DB, else the user data folder)")
