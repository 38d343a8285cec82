"""Implementations of the ``isa-match`` subcommands (argument parsing is in :mod:`cli`)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from isa_match.cli import EXIT_INVALID, EXIT_OK, CliError, print_json, sample_paths
from isa_match.io import ListingValidationError, LoadResult, load_listings
from isa_match.reference import cities, sectors
from isa_match.schema import Language, Listing
from isa_match.stats import CorpusStats, corpus_stats, format_counts

if TYPE_CHECKING:
    from isa_match.embed.base import Encoder
    from isa_match.rank.config import RankConfig
    from isa_match.rank.matcher import Matcher


def load_files(paths: Sequence[Path], *, strict: bool, today: date | None = None) -> LoadResult:
    """``load_listings`` with missing files and invalid rows as :class:`CliError`."""
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
    result = load_files(args.paths, strict=False)
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
    result = load_files(args.paths, strict=True, today=args.today)
    stats = corpus_stats(result.listings, today=args.today)
    if args.format == "json":
        print_json(stats.as_dict())
    else:
        print(_stats_text(stats, Language(args.lang)))
    return EXIT_OK


DEMO_TODAY = date(2026, 11, 1)
"""The sample corpus's reference date: the demo's default ``--today``."""
DEMO_QUERIES = 5
DEMO_K = 5


def _summary(stats: CorpusStats, lang: Language, today: date, width: int) -> str:
    from isa_match.commands_match import wrap_items
    from isa_match.stats import clip

    def block(title: str, counts: dict[str, int], labels: Sequence[str] = ()) -> list[str]:
        items = [
            f"{clip(n, 32)} {c}" for n, c in zip(labels or counts, counts.values(), strict=True)
        ]
        lines = wrap_items(items, width=width, indent=13, max_lines=2)
        return [f"  {title:<10} {lines[0].lstrip()}", *lines[1:]]

    section_labels = [f"{s} {sectors().label(s, lang)}" for s in stats.by_section]
    per_city = list(stats.by_city.values()) or [0]
    return "\n".join(
        [
            f"{stats.total} listings, {stats.expired} of them expired on {today.isoformat()}",
            *block("language", stats.by_language),
            *block("kind", stats.by_kind),
            *block("country", stats.by_country),
            *block("category", stats.by_category),
            *block("sector", stats.by_section, section_labels),
            f"  {'cities':<10} {len(stats.by_city)} members, "
            f"{min(per_city)} to {max(per_city)} listings each",
        ]
    )


def demo_cache_dir(listings_path: Path, config: RankConfig, encoder: Encoder) -> Path:
    """Where the demo keeps its index: one folder per sample file, config and encoder.

    Under ``$XDG_CACHE_HOME/isa_match`` (default ``~/.cache/isa_match``); a
    changed sample, ranking config, learned ranker file (the saved index holds a
    copy) or encoder version gives a new folder.
    """
    import hashlib
    import json
    import os

    from isa_match import __version__
    from isa_match.rank._persist_matcher import MATCHER_FORMAT
    from isa_match.rank.config import default_config_path

    key = hashlib.sha256(listings_path.read_bytes())
    if config.learned is not None:  # named relative to models/, as Matcher.build reads it
        model = default_config_path().parent / config.learned
        key.update(model.read_bytes() if model.is_file() else b"<missing>")
    settings = {
        "config": config.as_dict(),
        "encoder": [encoder.name, encoder.version],
        "matcher_format": MATCHER_FORMAT,
        "isa_match": __version__,
        "reference_date": DEMO_TODAY.isoformat(),
    }
    key.update(json.dumps(settings, sort_keys=True).encode("utf-8"))
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "isa_match" / f"demo-{key.hexdigest()[:16]}"


def _writable(folder: Path) -> bool:
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        probe = folder.parent / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True


def _demo_matcher(
    listings: list[Listing], listings_path: Path, *, progress: bool
) -> tuple[Matcher, str]:
    """The sample's matcher from the cache, or built (and cached); plus a line saying which."""
    import tempfile
    import time

    from isa_match.commands_match import build_matcher, make_encoder
    from isa_match.index.base import IndexFormatError
    from isa_match.rank.config import load_config
    from isa_match.rank.matcher import Matcher

    config = load_config(None)
    encoder = make_encoder(config.encoder)
    folder = demo_cache_dir(listings_path, config, encoder)
    if not _writable(folder):
        user = getattr(os, "getuid", lambda: "user")()  # one folder per user where there are users
        folder = Path(tempfile.gettempdir()) / f"isa_match-{user}" / folder.name
    problem = ""
    if folder.exists():
        try:
            cached = Matcher.load(folder)
        except (IndexFormatError, OSError, ValueError, KeyError) as exc:
            problem = f" (the cached one was unusable: {exc})"
        else:
            if len(cached) == len(listings):
                return cached, f"index: {len(cached)} listings, reused from {folder}"
            problem = f" (the cached one holds {len(cached)} listings, not {len(listings)})"
    print(
        f"isa-match demo: building the sample index{problem}: encoding {len(listings)} listings "
        f"with {encoder.name}, about 20-30 s on 2 cores; later runs reuse it",
        file=sys.stderr,
    )
    started = time.perf_counter()
    matcher = build_matcher(
        listings, config=config, encoder=encoder, reference_date=DEMO_TODAY, progress=progress
    )
    took = time.perf_counter() - started
    try:
        matcher.save(folder)
    except OSError as exc:
        return matcher, f"index: built in {took:.1f} s; not cached ({exc})"
    return matcher, f"index: built in {took:.1f} s with {encoder.name}, cached in {folder}"


def run_demo(args: argparse.Namespace) -> int:
    """``isa-match demo``: the sample corpus, suggestions with reasons, and the evaluation."""
    from isa_match.commands_match import (
        match_table,
        query_heading,
        read_pairs_file,
        run_evaluation,
        terminal_width,
        wants_progress,
    )
    from isa_match.stats import clip

    listings_path, pairs_path = sample_paths()
    if not listings_path.exists():
        raise CliError(f"the embedded sample corpus is missing: {listings_path}", EXIT_INVALID)
    lang = Language(args.lang)
    today = args.today or DEMO_TODAY
    result = load_files([listings_path], strict=True, today=today)
    pairs = read_pairs_file(pairs_path)
    print(f"ISA sample corpus {listings_path}: {len(result.listings)} listings, 0 errors")
    for warning in result.warnings:
        print(f"  note: {warning.problem}")
    width = terminal_width()
    print(_summary(corpus_stats(result.listings, today=today), lang, today, width))
    progress = wants_progress(args)
    matcher, how = _demo_matcher(result.listings, listings_path, progress=progress)
    print(f"\n{how}")
    print(f"\nSuggestions for {DEMO_QUERIES} sample requests (top {DEMO_K}, on {today}):")
    step = max(1, len(pairs) // DEMO_QUERIES)
    for request_id, offer_id in pairs[::step][:DEMO_QUERIES]:
        found = matcher.suggest(request_id, k=DEMO_K, today=today)
        print()
        print(clip(query_heading(matcher, request_id, is_text=False, kind=None, lang=lang), width))
        print(match_table(found, lang, width=width))
        rank = next((i for i, m in enumerate(found, 1) if m.id == offer_id), None)
        where = f"rank {rank}" if rank is not None else f"not in the top {DEMO_K}"
        print(f"  labelled partner {offer_id}: {where}")
    print(
        f"\nEvaluation on the {len(pairs)} labelled pairs, both directions "
        f"({2 * len(pairs)} queries), all {len(matcher)} listings as candidates:\n"
    )
    evaluation = run_evaluation(matcher, pairs, today=today, progress=progress)
    print(evaluation.table())
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
