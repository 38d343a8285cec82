"""Subcommands of ``isa-match`` contributed by other installed packages.

A package declares an entry point in the group ``isa_match.commands``::

    [project.entry-points."isa_match.commands"]
    serve = "service.cli:register"

whose target is ``register(subparsers) -> None``: it adds its subparser(s) and
sets the handler with ``parser.set_defaults(run=handler)``, where
``handler(args) -> int`` returns the exit status. The core never imports such a
package by name; a plugin that fails to load is reported on stderr and skipped,
so a broken optional part never breaks the built-in commands.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

GROUP = "isa_match.commands"

Handler = Callable[[argparse.Namespace], int]


def add_plugin_commands(subparsers: Any) -> None:
    """Let every installed ``isa_match.commands`` entry point add its subcommands.

    Args:
        subparsers: the object returned by ``ArgumentParser.add_subparsers``.
    """
    for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            register = entry.load()
            register(subparsers)
        except Exception as exc:  # a broken plugin must not break the core commands
            print(
                f"isa-match: warning: command plugin {entry.name!r} ({entry.value}) "
                f"could not be loaded: {exc}",
                file=sys.stderr,
            )


def plugin_handler(args: argparse.Namespace) -> Handler:
    """The handler a plugin set for the parsed command (``args.run``).

    Raises:
        LookupError: the command has no plugin handler.
    """
    handler = getattr(args, "run", None)
    if not callable(handler):
        raise LookupError(f"no handler for command {getattr(args, 'command', None)!r}")
    return handler  # type: ignore[no-any-return]
