"""The matching subcommands: ``isa-match index``, ``suggest`` and ``evaluate``.

Their output helpers (the suggestion table, JSON lines, CSV, the evaluation
run with progress) are shared with ``isa-match demo``.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isa_match.cli import EXIT_INVALID, EXIT_OK, CliError, print_json
from isa_match.commands import load_files
from isa_match.io import read_pairs
from isa_match.reference import cities
from isa_match.stats import clip, display_width

if TYPE_CHECKING:
    from isa_match.embed.base import Encoder
    from isa_match.rank.evaluate import Evaluation
    from isa_match.rank.matcher import Match, Matcher
    from isa_match.schema import Filters

REASONS_SHOWN = 3
"""Reasons shown per suggestion in the table (JSON and CSV carry all)."""


def wants_progress(args: argparse.Namespace) -> bool:
    """Progress bars on stderr: with ``--progress``, or when stderr is a terminal."""
    return bool(getattr(args, "progress", False)) or sys.stderr.isatty()


def note(command: str, message: str) -> None:
    """A status line on stderr (kept out of stdout, which may be piped as data)."""
    print(f"isa-match {command}: {message}", file=sys.stderr)


# -- opening and building ----------------------------------------------------------


def open_matcher(path: Path, *, milvus_uri: str | None = None) -> Matcher:
    """Load an index folder; a missing or damaged folder is a :class:`CliError`.

    ``milvus_uri`` replaces the URI a Milvus-backed index's manifest records.
    """
    from isa_match.index.base import IndexFormatError
    from isa_match.rank.matcher import Matcher

    if not path.is_dir():
        raise CliError(f"no such index folder: {path} (build one with `isa-match index`)")
    try:
        if milvus_uri is None:
            return Matcher.load(path)
        from isa_match.index.milvus_index import milvus_uri_override

        with milvus_uri_override(milvus_uri):
            return Matcher.load(path)
    except IndexFormatError as exc:
        raise CliError(f"cannot use the index {path}: {exc}", EXIT_INVALID) from exc
    except ImportError as exc:
        raise CliError(f"cannot use the index {path}: {exc}", EXIT_INVALID) from exc
    except ValueError as exc:  # e.g. a --milvus-uri that is neither a .db path nor a URL
        raise CliError(f"cannot use the index {path}: {exc}") from exc
    except OSError as exc:
        raise CliError(f"cannot read the index {path}: {exc}", EXIT_INVALID) from exc


def make_encoder(name: str) -> Encoder:
    """The encoder registered under ``name``; an unknown name is a usage error."""
    from isa_match.embed import get_encoder

    try:
        return get_encoder(name)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from exc
    except ValueError as exc:
        raise CliError(f"--encoder: {exc}") from exc


def build_matcher(
    listings: Sequence[Any],
    *,
    config: Any = None,
    encoder: Encoder,
    backend: str = "faiss",
    reference_date: date | None = None,
    progress: bool = False,
    vectors: Any = None,
    **index_options: Any,
) -> Matcher:
    """``Matcher.build`` with environment problems (a missing extra) as :class:`CliError`.

    ``vectors`` (precomputed, e.g. by Ray) skip encoding; ``index_options`` go to the backend.
    """
    from isa_match.embed.base import EncoderLoadError
    from isa_match.rank.matcher import Matcher

    try:
        return Matcher.build(
            listings,
            config,
            encoder=encoder,
            backend=backend,
            reference_date=reference_date,
            show_progress=progress,
            vectors=vectors,
            **index_options,
        )
    except (ImportError, EncoderLoadError) as exc:
        raise CliError(f"cannot build the index: {exc}", EXIT_INVALID) from exc
    finally:
        close = getattr(encoder, "close", None)
        if close is not None:
            close()  # stops encoder worker processes


def _is_matcher_folder(path: Path) -> bool:
    from isa_match.rank._persist_matcher import KIND

    try:
        manifest = json.loads((path / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("kind") == KIND


def run_index(args: argparse.Namespace) -> int:
    """``isa-match index``: validate listing files, build the matcher, save it to ``--out``."""
    from isa_match.rank.config import ConfigError, load_config

    out: Path = args.out
    # write_folder replaces its target: never let that be a folder of something else.
    if out.exists() and not _is_matcher_folder(out):
        if not out.is_dir() or any(out.iterdir()):
            raise CliError(
                f"--out {out} exists and is not an isa-match index folder; "
                "choose a new folder (nothing was written)"
            )
    if args.config is not None and not args.config.is_file():
        raise CliError(f"no such file: {args.config}")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_INVALID) from exc
    encoder = make_encoder(args.encoder or config.encoder)  # a bad name fails before loading
    ray_address = getattr(args, "ray", None)
    if ray_address is not None and ray_address != "local" and Path(ray_address).exists():
        # `--ray FILE ...`: argparse took a listing file for the optional address
        raise CliError(
            f"--ray took {ray_address!r} as the Ray address; put the listing files before "
            "--ray, or write --ray=ADDRESS"
        )
    options, previous = milvus_options(args, out)  # a bad --milvus-uri fails before loading
    result = load_files(args.paths, strict=True, today=args.today)
    for warning in result.warnings:
        note("index", f"warning: {warning.problem}")
    if not result.listings:
        raise CliError("no listings to index: the file(s) hold no rows", EXIT_INVALID)
    started = time.perf_counter()
    vectors = None
    if ray_address is not None:
        vectors = ray_vectors(result.listings, encoder, config.title_weight, ray_address, out)
    try:
        matcher = build_matcher(
            result.listings,
            config=config,
            encoder=encoder,
            backend=args.backend,
            reference_date=args.today,
            progress=wants_progress(args),
            vectors=vectors,
            **options,
        )
        matcher.save(out)
    except BaseException as exc:
        forget_collection(options)  # a failed build leaves no orphan collection behind
        if isinstance(exc, OSError):
            raise CliError(f"cannot write the index to {out}: {exc}", EXIT_INVALID) from exc
        if options and isinstance(exc, Exception) and not isinstance(exc, CliError):
            # pymilvus errors (server unreachable, refused write) name their cause
            raise CliError(
                f"cannot build the index in Milvus at {options['uri']}: {exc}", EXIT_INVALID
            ) from exc
        raise
    info = matcher.encoder_info
    print(
        f"indexed {len(matcher)} listings from {len(result.files)} file(s) with encoder "
        f"{info.name} ({info.version}), {args.backend} backend"
        f"{' (Milvus collection ' + options['collection'] + ')' if options else ''}, in "
        f"{time.perf_counter() - started:.1f} s: {out}"
    )
    if previous is not None and previous != (options.get("uri"), options.get("collection")):
        from isa_match.index.milvus_index import drop_collection

        try:
            if drop_collection(*previous):
                note("index", f"dropped the replaced Milvus collection {previous[1]}")
        except Exception as exc:  # noqa: BLE001 - the new index is saved; say what is left
            note("index", f"warning: could not drop the replaced collection {previous[1]}: {exc}")
    return EXIT_OK


def milvus_options(
    args: argparse.Namespace, out: Path
) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """The Milvus index options of ``isa-match index`` and the (uri, collection) the
    folder ``out`` pointed to before (replaced once the new index is saved)."""
    if args.backend != "milvus":
        if getattr(args, "milvus_uri", None) is not None:
            raise CliError("--milvus-uri goes with --backend milvus")
        return {}, None
    import re
    import uuid

    from isa_match.index.milvus_index import resolve_uri

    try:
        uri = resolve_uri(args.milvus_uri or "./isa.db")
    except ValueError as exc:
        raise CliError(f"--milvus-uri: {exc}") from exc
    stem = re.sub(r"[^A-Za-z0-9_]", "_", out.resolve().name)[:40]
    # a new collection per build: the old one keeps serving until the folder is replaced
    options = {"uri": uri, "collection": f"isa_{stem}_{uuid.uuid4().hex[:8]}"}
    previous = None
    try:
        old = json.loads((out / "dense" / "manifest.json").read_text("utf-8"))
        if old.get("backend") == "milvus" and old.get("collection"):
            previous = (str(old["uri"]), str(old["collection"]))
    except (OSError, ValueError):
        pass
    return options, previous


def forget_collection(options: dict[str, Any]) -> None:
    """Drop the collection a failed ``isa-match index --backend milvus`` created (if any)."""
    if not options:
        return
    from isa_match.index.milvus_index import drop_collection

    try:
        drop_collection(options["uri"], options["collection"])
    except Exception:  # noqa: BLE001 - cleaning up after another error; keep that one
        pass


def ray_vectors(
    listings: Sequence[Any], encoder: Encoder, title_weight: float, address: str, out: Path
) -> Any:
    """Document vectors from a Ray Data job (``--ray``), staged next to ``out``."""
    import uuid

    from isa_match.embed import ray_encode

    work = out.resolve().parent / f".{out.name}.ray-{uuid.uuid4().hex[:8]}"
    try:
        shards = ray_encode.stage_texts([(x.id, x.text, x.title) for x in listings], work / "texts")
        where = "a local Ray instance" if address == "local" else f"Ray at {address}"
        note("index", f"encoding {len(listings)} listings in {len(shards)} shards with {where}")
        report = ray_encode.encode_shards(
            shards,
            work / "embeddings",
            encoder=encoder,
            title_weight=title_weight,
            address=None if address == "local" else address,
        )
        note(
            "index",
            f"Ray encoded {report.rows} listings with {report.actors} encoder(s) in "
            f"{report.seconds:.1f} s",
        )
        return ray_encode.load_embeddings(
            work / "embeddings", [x.id for x in listings], encoder=encoder
        )
    except ImportError as exc:
        raise CliError(f"cannot encode with Ray: {exc}", EXIT_INVALID) from exc
    except (ValueError, ConnectionError) as exc:
        raise CliError(f"encoding with Ray failed: {exc}", EXIT_INVALID) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- suggest ---------------------------------------------------------------------


def filters_from_args(args: argparse.Namespace) -> Filters | None:
    """The hard filters of the ``--country``/``--city``/... options (``None`` when none)."""
    from isa_match.rank.query_filters import FilterValueError, resolve_filters

    try:
        filters = resolve_filters(
            country=args.country,
            city=args.city,
            region=args.region,
            sector=args.sector,
            category=args.category,
            org_type=args.org_type,
            language=args.language,
        )
    except FilterValueError as exc:
        raise CliError(f"--{exc.field.replace('_', '-')}: {exc}") from exc
    return None if filters.is_empty() else filters


def match_record(match: Match, rank: int, lang: str) -> dict[str, Any]:
    """One suggestion as a JSON-ready object; reasons as texts in ``lang``."""
    item = match.listing
    return {
        "rank": rank,
        "id": match.id,
        "score": round(match.score, 6),
        "title": item.title,
        "organization": item.organization,
        "city": cities().display_name(item.city, lang),
        "city_id": item.city,
        "country": item.country.value,
        "kind": item.kind.value,
        "category": item.category.value,
        "reasons": [r.text(lang) for r in match.reasons],
        "components": {k: round(v, 6) for k, v in match.components.items()},
        "duplicates": list(match.duplicates),
    }


def _cell(text: str, width: int) -> str:
    """``text`` clipped and padded to ``width`` terminal columns (CJK counts double)."""
    shown = clip(" ".join(text.split()), width)
    return shown + " " * (width - display_width(shown))


def terminal_width() -> int:
    """Columns of the terminal (100 when not a terminal), kept between 60 and 200."""
    return max(60, min(200, shutil.get_terminal_size((100, 24)).columns))


def wrap_items(
    items: Sequence[str], *, width: int, indent: int, max_lines: int, sep: str = " · "
) -> list[str]:
    """``items`` joined by ``sep`` into lines of at most ``width`` columns, none split.

    An item longer than a line is clipped; items beyond ``max_lines`` are left out
    (the last line then ends with ``…``).
    """
    room = max(10, width - indent)
    lines: list[str] = []
    current = ""
    for item in items:
        item = clip(item, room)
        joined = f"{current}{sep}{item}" if current else item
        if display_width(joined) <= room:
            current = joined
            continue
        lines.append(current)
        current = item
        if len(lines) == max_lines:
            lines[-1] = clip(lines[-1] + sep + item, room)
            current = ""
            break
    if current:
        lines.append(current)
    return [" " * indent + line for line in lines if line]


def match_table(
    matches: Sequence[Match], lang: str, *, width: int, reasons: int = REASONS_SHOWN
) -> str:
    """A readable table: rank, score, title, organisation, city; reasons below each row."""
    if not matches:
        return "  no suggestions (no active counterpart passes the filters)"
    registry = cities()
    city_names = [registry.display_name(m.listing.city, lang) for m in matches]
    w_city = min(18, max(4, *(display_width(c) for c in city_names)))
    w_org = min(30, max(12, *(display_width(m.listing.organization) for m in matches)))
    fixed = 2 + 3 + 1 + 7 + 1 + 1 + w_org + 1 + w_city
    w_title = max(16, width - fixed)
    head = f"  {'#':>3} {'score':>7} {_cell('title', w_title)} {_cell('organisation', w_org)} city"
    lines = [head.rstrip()]
    for rank, (match, city) in enumerate(zip(matches, city_names, strict=True), 1):
        row = (
            f"  {rank:>3} {match.score:>7.3f} {_cell(match.listing.title, w_title)} "
            f"{_cell(match.listing.organization, w_org)} {clip(city, w_city)}"
        )
        lines.append(row)
        texts = [r.text(lang) for r in match.reasons[:reasons]]
        lines.extend(wrap_items(texts, width=width, indent=14, max_lines=2))
    return "\n".join(lines)


def query_heading(
    matcher: Matcher, query: str, *, is_text: bool, kind: str | None, lang: str
) -> str:
    """One line naming the query: the listing's kind, city and title, or the text."""
    if is_text:
        return f"text ({kind}): {query}"
    item = matcher.get(query)
    city = cities().display_name(item.city, lang)
    return (
        f"{query} · {item.kind.value} · {item.category.value} · {city} ({item.country.value}) · "
        f"{item.organization}: {item.title}"
    )


def run_suggest(args: argparse.Namespace) -> int:
    """``isa-match suggest``: partners for listing ids or a text, as table, JSON lines or CSV."""
    from isa_match.index.base import UnknownIdError
    from isa_match.rank.matcher import QueryError

    is_text = args.text is not None
    if is_text and args.kind is None:
        raise CliError("--text needs --kind offer|request: say what the text is")
    if not is_text and args.kind is not None:
        raise CliError("--kind goes with --text only: a stored listing's own kind decides")
    if is_text and not args.text.strip():
        raise CliError("--text: the query text is empty")
    filters = filters_from_args(args)
    matcher = open_matcher(args.index, milvus_uri=getattr(args, "milvus_uri", None))
    queries: list[str] = [args.text] if is_text else list(args.ids)
    if is_text:
        from isa_match.embed.base import EncoderLoadError

        try:
            matcher.encoder.encode(["warm-up"], role="query")  # loads it; checks its version
        except (ImportError, EncoderLoadError, ValueError) as exc:
            raise CliError(f"cannot encode the query text: {exc}", EXIT_INVALID) from exc
    else:
        unknown = list(dict.fromkeys(i for i in queries if i not in matcher))
        if unknown:
            raise CliError(
                f"{UnknownIdError(unknown)} (index {args.index}, {len(matcher)} listings)",
                EXIT_INVALID,
            )
    writer = None
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(
            ["query", "rank", "id", "score", "title", "organization", "city", "reasons"]
        )
    width = terminal_width()
    for number, query in enumerate(queries):
        try:
            if is_text:
                found = matcher.suggest(
                    text=query, kind=args.kind, k=args.k, filters=filters, today=args.today
                )
            else:
                found = matcher.suggest(query, k=args.k, filters=filters, today=args.today)
        except QueryError as exc:
            raise CliError(str(exc)) from exc
        records = [match_record(m, i, args.lang) for i, m in enumerate(found, 1)]
        if args.format == "json":
            head: dict[str, Any] = {"query": query}
            if is_text:
                head["kind"] = args.kind
            print_json({**head, "matches": records})
        elif writer is not None:
            for rec in records:
                writer.writerow(
                    [query, rec["rank"], rec["id"], rec["score"], rec["title"],
                     rec["organization"], rec["city"], " | ".join(rec["reasons"])]
                )  # fmt: skip
        else:
            if number:
                print()
            heading = query_heading(matcher, query, is_text=is_text, kind=args.kind, lang=args.lang)
            print(clip(heading, width))
            print(match_table(found, args.lang, width=width))
        sys.stdout.flush()
    return EXIT_OK


# -- evaluate --------------------------------------------------------------------


def run_evaluation(
    matcher: Matcher,
    pairs: Sequence[tuple[str, str]],
    *,
    today: date | None,
    depth: int = 100,
    progress: bool = False,
) -> Evaluation:
    """:func:`isa_match.rank.evaluate.evaluate` over all modes, one progress step per mode."""
    from isa_match.rank.evaluate import MODES, Evaluation, evaluate

    metrics = {}
    misses: tuple[tuple[str, str, int | None], ...] = ()
    bar: Any = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(MODES), unit="ranker", desc="evaluating", file=sys.stderr)
    try:
        for mode in MODES:
            if bar is not None:
                bar.set_postfix_str(mode)
            done = evaluate(matcher, pairs, modes=(mode,), today=today, depth=depth)
            metrics.update(done.metrics)
            misses = misses or done.misses
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return Evaluation(metrics, misses)


def read_pairs_file(path: Path) -> list[tuple[str, str]]:
    """Labelled pairs from ``path``; problems are :class:`CliError`."""
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    try:
        pairs = read_pairs(path)
    except (ValueError, OSError) as exc:
        raise CliError(str(exc), EXIT_INVALID) from exc
    if not pairs:
        raise CliError(f"{path} holds no labelled pairs", EXIT_INVALID)
    return pairs


def run_evaluate(args: argparse.Namespace) -> int:
    """``isa-match evaluate``: recall, MRR and nDCG of full, dense and BM25 ranking."""
    from isa_match.index.base import UnknownIdError

    pairs = read_pairs_file(args.pairs)
    matcher = open_matcher(args.index, milvus_uri=getattr(args, "milvus_uri", None))
    missing = list(dict.fromkeys(i for pair in pairs for i in pair if i not in matcher))
    if missing:
        raise CliError(
            f"{args.pairs} names listings that are not in the index {args.index}: "
            f"{UnknownIdError(missing)}",
            EXIT_INVALID,
        )
    day = args.today or matcher.reference_date or date.today()
    evaluation = run_evaluation(
        matcher, pairs, today=day, depth=args.k, progress=wants_progress(args)
    )
    if args.format == "json":
        print_json(
            {
                "index": str(args.index),
                "pairs": len(pairs),
                "queries": 2 * len(pairs),
                "depth": args.k,
                "today": day.isoformat(),
                "metrics": evaluation.as_dict(),
            }
        )
    else:
        print(
            f"{len(pairs)} labelled pairs, both directions ({2 * len(pairs)} queries), "
            f"{len(matcher)} listings as candidates, top {args.k}, on {day.isoformat()}:\n"
        )
        print(evaluation.table())
    return EXIT_OK
