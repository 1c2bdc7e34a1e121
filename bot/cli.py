"""Command line of the help desk: `python -m bot <group> <command>`.

Each room of `bot/` that has commands exposes `register(subparsers)`; the groups
are listed here once.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES = [
    "bot.setup_commands",
    "bot.chat",
    "bot.catalog.cli",
    "bot.booking.commands",
    "bot.crm.cli",
    "bot.web.cli",
    "bot.console.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Ondernemersvraagbaak Drenthe")
    groups = parser.add_subparsers(dest="group", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = args.handler(args)
    except KeyboardInterrupt:
        return 130
    except CommandError as error:
        print(f"FOUT: {error}", file=sys.stderr)
        return 2
    return int(result or 0)


class CommandError(Exception):
    """A mistake the person at the keyboard can fix; printed without a traceback."""
