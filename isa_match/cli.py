"""The ``isa-match`` command.

Every subcommand turns bad input into one clear message on stderr and a
non-zero exit status (1 for invalid data, 2 for wrong usage), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from isa_match._paths import data_dir

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A user-facing error: printed as one message, exit status ``code``."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from exc


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def sample_paths() -> tuple[Path, Path]:
    """The embedded sample corpus: (listings file, labelled pairs file)."""
    folder = data_dir("sample")
    return folder / "listings.jsonl", folder / "pairs.jsonl"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``isa-match`` with all subcommands."""
    parser = argparse.ArgumentParser(
        prog="isa-match",
        description=(
            "Partner recommendation for the Chinese-German Industrial Cities Alliance (ISA): "
            "load, validate and describe offer/request listings in German, Chinese and English."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="the main job on the embedded sample corpus",
        description=(
            "Load and validate the embedded sample corpus (data/sample), print its statistics "
            "and a few labelled cross-border pairs."
        ),
    )
    demo.add_argument(
        "--lang",
        choices=("de", "zh", "en"),
        default="en",
        help="language of sector and city labels (default: en)",
    )
    demo.add_argument(
        "--today", type=_parse_day, help="judge expiry on this day (YYYY-MM-DD; default: today)"
    )

    validate = sub.add_parser(
        "validate",
        help="check listing files and print a report of every bad row",
        description=(
            "Load listing files (CSV, TSV, JSONL, JSON, Parquet, XLSX) and report every problem "
            "with file, row, field, value and a fix. Exit status 1 when any row is invalid."
        ),
    )
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="listing file(s)")
    validate.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="report as readable text (default) or as JSON lines, one issue a line",
    )

    stats = sub.add_parser(
        "stats",
        help="corpus statistics of listing files",
        description="Count listings by language, kind, category, country, org type, sector.",
    )
    stats.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="listing file(s)")
    stats.add_argument(
        "--lang", choices=("de", "zh", "en"), default="en", help="label language (default: en)"
    )
    stats.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    stats.add_argument("--today", type=_parse_day, help="judge expiry on this day (YYYY-MM-DD)")

    gen = sub.add_parser(
        "generate",
        help="generate a synthetic corpus (e.g. 1,000,000 listings for benchmarks)",
        description=(
            "Write a seeded synthetic corpus of bilingual listings and labelled pairs, "
            "produced by the same generator as the embedded sample."
        ),
    )
    gen.add_argument("--n", type=_positive, default=2000, help="number of listings (default 2000)")
    gen.add_argument("--seed", type=int, default=7, help="random seed (default 7, the sample's)")
    gen.add_argument("--out", type=Path, required=True, help="output folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from isa_match import commands

    handlers = {
        "demo": commands.run_demo,
        "validate": commands.run_validate,
        "stats": commands.run_stats,
        "generate": commands.run_generate,
    }
    try:
        return handlers[args.command](args)
    except CliError as exc:
        print(f"isa-match {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error of ours, and no traceback.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("isa-match: interrupted", file=sys.stderr)
        return 130


def print_json(obj: object) -> None:
    """Print one JSON object on its own line (UTF-8, no ASCII escaping)."""
    print(json.dumps(obj, ensure_ascii=False, sort_keys=False))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
