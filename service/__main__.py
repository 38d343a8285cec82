"""``python -m service serve ...``: the service commands without the ``isa-match`` front.

The same subcommands as ``isa-match serve`` / ``isa-match create-user`` (useful
before the core's command line has loaded its plugins, and in tests).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Parse and run one service subcommand; returns the exit status."""
    from isa_match.cli import CliError
    from service.cli import register

    parser = argparse.ArgumentParser(prog="python -m service")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    register(sub)
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except CliError as exc:
        print(f"{parser.prog} {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    return code


if __name__ == "__main__":
    sys.exit(main())
