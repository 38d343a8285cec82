"""Implementations of the ``isa-match`` subcommands (argument parsing is in :mod:`cli`)."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from isa_match.cli import EXIT_INVALID, EXIT_OK, CliError, print_json, sample_paths
from isa_match.io import ListingValidationError, LoadResult, load_listings, read_pairs
from isa_match.reference import cities, sectors
from isa_match.schema import Language, Listing
from isa_match.stats import CorpusStats, corpus_stats, format_counts


def _load(paths: Sequence[Path], *, strict: bool, today: date | None = None) -> LoadResult:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise CliError(f"no such file: {', '.join(missing)}")
    try:
        return load_listings(list(paths), strict=strict, today=today)
    except ListingValidationError as exc:
        raise CliError(str(exc), EXIT_INVALID) from exc
    except (ValueError, OSError) as exc:
        raise CliError(str(exc), EXIT_INVALID) from exc


def _stats_text(stats: CorpusStats, lang: Language, *, city_limit: int | None = None) -> str:
    table = sectors()
    registry = cities()
    section_labels = [f"{s} {table.label(s, lang)}" for s in stats.by_section]
    city_labels = [registry.get(c).name(lang) for c in stats.by_city]
    blocks = [
        f"{stats.total} listings, {stats.expired} expired",
        format_counts("language", stats.by_language, stats.total),
        format_counts("kind", stats.by_kind, stats.total),
        format_counts("category", stats.by_category, stats.total),
        format_counts("country", stats.by_country, stats.total),
        format_counts("organisation type", stats.by_org_type, stats.total),
        format_counts("NACE section", stats.by_section, stats.total, section_labels),
        format_counts("city", stats.by_city, stats.total, city_labels, limit=city_limit),
    ]
    return "\n\n".join(blocks)


def run_validate(args: argparse.Namespace) -> int:
    """``isa-match validate``: report every problem; exit 1 when any row is invalid."""
    result = _load(args.paths, strict=False)
    errors = [i for i in result.issues if i.severity == "error"]
    if args.format == "json":
        for issue in result.issues:
            print_json(dataclasses.asdict(issue))
        print_json({"files": result.files, "valid": len(result.listings), "errors": len(errors)})
    else:
        if result.issues:
            print(result.report())
        print(
            f"{len(result.listings)} valid listing(s), {len(errors)} error(s), "
            f"{len(result.issues) - len(errors)} warning(s) in {len(result.files)} file(s)"
        )
    return EXIT_INVALID if errors else EXIT_OK


def run_stats(args: argparse.Namespace) -> int:
    """``isa-match stats``: corpus statistics of valid listings (strict loading)."""
    result = _load(args.paths, strict=True, today=args.today)
    stats = corpus_stats(result.listings, today=args.today)
    if args.format == "json":
        print_json(stats.as_dict())
    else:
        print(_stats_text(stats, Language(args.lang)))
    return EXIT_OK


def _describe(listing: Listing, lang: Language) -> str:
    city = cities().get(listing.city).name(lang)
    section = " / ".join(sectors().label(s, lang) for s in listing.sections) or "-"
    return (
        f"  {listing.kind.value:<7} [{listing.language.value}] {listing.title}\n"
        f"          {listing.organization}, {city} ({listing.country.value}); "
        f"{listing.category.value}; {section}"
    )


def run_demo(args: argparse.Namespace) -> int:
    """``isa-match demo``: load the embedded sample, print statistics and example pairs."""
    listings_path, pairs_path = sample_paths()
    if not listings_path.exists():
        raise CliError(f"the embedded sample corpus is missing: {listings_path}", EXIT_INVALID)
    lang = Language(args.lang)
    today = args.today or date.today()
    result = _load([listings_path], strict=True, today=today)
    print(f"ISA sample corpus: {listings_path}: {len(result.listings)} listings, 0 errors")
    for warning in result.warnings:
        print(f"  note: {warning.problem}")
    print()
    print(_stats_text(corpus_stats(result.listings, today=today), lang, city_limit=10))
    if pairs_path.exists():
        try:
            pairs = read_pairs(pairs_path)
        except ValueError as exc:
            raise CliError(str(exc), EXIT_INVALID) from exc
        by_id = {item.id: item for item in result.listings}
        unknown = [p for pair in pairs for p in pair if p not in by_id]
        if unknown:
            raise CliError(f"{pairs_path} names unknown listing ids: {unknown[:5]}", EXIT_INVALID)
        print(f"\n{len(pairs)} labelled request/offer pairs; a few of them:\n")
        step = max(1, len(pairs) // 5)
        for request_id, offer_id in pairs[::step][:5]:
            print(_describe(by_id[request_id], lang))
            print(_describe(by_id[offer_id], lang))
            print()
    return EXIT_OK


def run_generate(args: argparse.Namespace) -> int:
    """``isa-match generate``: write a seeded synthetic corpus and its pairs."""
    from isa_match.generate import stream_corpus

    # Streams block by block: a 1,000,000-listing corpus needs ~50 MB, not gigabytes.
    try:
        n_listings, n_pairs = stream_corpus(args.n, args.out, seed=args.seed)
    except OSError as exc:
        raise CliError(f"cannot write to {args.out}: {exc}", EXIT_INVALID) from exc
    print(f"wrote {n_listings} listings and {n_pairs} pairs to {args.out}")
    return EXIT_OK
