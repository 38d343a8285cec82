"""Benchmark the BM25 lexical index: ranking quality per tokenizer variant, speed at scale.

Quality (``--quality``): BM25 alone on the sample corpus's labelled pairs, both
directions (request→offer, offer→request). Candidates: the whole corpus
filtered to the opposite kind and active on 2026-11-01, the query excluded;
the query is the stored listing (title, description, keywords) used as a
query, as the matcher does for suggest-by-id. Prints recall@10 and MRR per
tokenizer variant.

Speed (``--sizes``): generated corpora (``isa_match.generate.iter_rows``)
indexed in batches of 50,000 (so the segment merges run as in production);
prints build time, index memory (arrays) and process RSS growth, and p50/p99
latency of one query: search by listing id (``query_for`` + ``search``) for
the top 100 (the matcher's candidate count) unfiltered, with the matcher's hard
filters (opposite kind, active), and with a single-city filter; tokenising a
text query; ``score`` of 100 given candidates. The machine is shared, so
figures are noisy: quote medians of one run.

    python benchmarks/bench_lexical.py --quality
    python benchmarks/bench_lexical.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from isa_match import load_listings, read_pairs
from isa_match.generate import generate_corpus, iter_rows
from isa_match.index import ItemMeta
from isa_match.rank.lexical import LexicalIndex, LexicalQuery
from isa_match.rank.tokenize import Tokenizer, TokenizerOptions, learn_compound_parts
from isa_match.reference import cities
from isa_match.schema import Filters, Listing

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 1)
OPPOSITE = {"offer": "request", "request": "offer"}


def listing_text(x: Listing) -> str:
    """Query and document text: title, description and keywords."""
    return " ".join([x.title, x.description, *x.keywords])


# -- quality ------------------------------------------------------------------------------

# name -> (tokenizer options, learn compound parts, LexicalIndex parameters)
Variant = tuple[TokenizerOptions, bool, dict[str, Any]]
VARIANTS: dict[str, Variant] = {
    "default": (TokenizerOptions(), True, {}),
    "no decompounding": (TokenizerOptions(decompound=False), False, {}),
    "no zh bigrams": (TokenizerOptions(zh_bigrams=False), True, {}),
    "no stop words": (TokenizerOptions(stopwords=False), True, {}),
    "keep pure numbers": (TokenizerOptions(keep_numbers=True), True, {}),
    "no hyphen joins": (TokenizerOptions(join_hyphens=False), True, {}),
    "compound parts >= 3 letters": (TokenizerOptions(min_part=3), True, {}),
    "one avgdl for all languages": (TokenizerOptions(), True, {"avgdl_per_language": False}),
    "all query terms": (TokenizerOptions(), True, {"max_query_terms": None}),
    "24 rarest query terms": (TokenizerOptions(), True, {"max_query_terms": 24}),
    "16 rarest query terms": (TokenizerOptions(), True, {"max_query_terms": 16}),
    "8 rarest query terms": (TokenizerOptions(), True, {"max_query_terms": 8}),
    "k1 = 2.0": (TokenizerOptions(), True, {"k1": 2.0}),
    "b = 0.5": (TokenizerOptions(), True, {"b": 0.5}),
    "plain (no stop words, bigrams, compounds, joins; all terms, one avgdl)": (
        TokenizerOptions(decompound=False, zh_bigrams=False, stopwords=False, join_hyphens=False),
        False,
        {"avgdl_per_language": False, "max_query_terms": None},
    ),
}


def make_index(variant: Variant, texts: list[str]) -> LexicalIndex:
    opts, learn, params = variant
    parts = learn_compound_parts(texts) if learn else None
    return LexicalIndex(tokenizer=Tokenizer(opts, parts), **params)


def evaluate(
    index: LexicalIndex, by_id: dict[str, Listing], pairs: list[tuple[str, str]]
) -> dict[str, float]:
    """recall@1/10 and MRR (rank within the top 1000) over both directions of every pair."""
    ranks: list[int | None] = []
    for req, off in pairs:
        for query, target in ((req, off), (off, req)):
            kind = OPPOSITE[by_id[query].kind.value]
            flt = Filters.of(kind=kind, active_on=TODAY, exclude_ids=[query])
            hits = index.search(index.query_for(query), 1000, flt)
            found = [h.id for h in hits]
            ranks.append(found.index(target) + 1 if target in found else None)
    n = len(ranks)
    return {
        "recall@1": sum(r is not None and r <= 1 for r in ranks) / n,
        "recall@10": sum(r is not None and r <= 10 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r is not None) / n,
        "found": sum(r is not None for r in ranks) / n,
    }


def topic_eval(n: int, seed: int, queries: int) -> tuple[list[Listing], dict[str, set[str]]]:
    """A generated corpus and, per query listing, the listings on the same topic.

    Relevant = same generated topic, category and language, either kind (the
    generator keeps same-language counterparts of one topic out of the active
    corpus, so this measures how well tokenisation links differently worded
    listings on one subject, not the partner task).
    """
    corpus = generate_corpus(n, seed=seed, today=TODAY)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "listings.jsonl"
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in corpus.rows),
            encoding="utf-8",
        )
        listings = list(load_listings(path, today=TODAY).listings)
    by_id = {x.id: x for x in listings}
    groups: dict[tuple[str, str, str], list[str]] = {}
    for x in listings:
        if x.expires_at is not None and x.expires_at < TODAY:
            continue
        key = (corpus.info[x.id].topic, x.category.value, x.language.value)
        groups.setdefault(key, []).append(x.id)
    relevant: dict[str, set[str]] = {}
    for members in groups.values():
        for m in members:
            if len(members) > 1:
                relevant[m] = set(members) - {m}
    chosen = sorted(relevant)
    random.Random(seed).shuffle(chosen)
    return listings, {q: relevant[q] for q in chosen[:queries] if q in by_id}


def topic_metrics(
    index: LexicalIndex, by_id: dict[str, Listing], rel: dict[str, set[str]]
) -> dict[str, float]:
    """recall@10 (any relevant in the top 10) and MRR of the first relevant, same language."""
    r10 = mrr = 0.0
    for query, targets in rel.items():
        x = by_id[query]
        flt = Filters.of(language=x.language.value, active_on=TODAY, exclude_ids=[query])
        found = [h.id for h in index.search(index.query_for(query), 1000, flt)]
        rank = next((p + 1 for p, i in enumerate(found) if i in targets), None)
        if rank is not None:
            r10 += rank <= 10
            mrr += 1 / rank
    return {"recall@10": r10 / len(rel), "mrr": mrr / len(rel)}


def quality() -> None:
    result = load_listings(ROOT / "data/sample/listings.jsonl", today=TODAY)
    listings = list(result.listings)
    by_id = {x.id: x for x in listings}
    pairs = read_pairs(ROOT / "data/sample/pairs.jsonl")
    items = [ItemMeta.from_listing(x) for x in listings]
    texts = [listing_text(x) for x in listings]
    langs = [x.language.value for x in listings]
    print(f"BM25 only, sample corpus, {len(pairs)} pairs x 2 directions\n")
    print("| tokenizer variant | recall@1 | recall@10 | MRR | found in top 1000 | terms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, variant in VARIANTS.items():
        index = make_index(variant, texts)
        index.add(items, texts, langs)
        m = evaluate(index, by_id, pairs)
        print(
            f"| {name} | {m['recall@1']:.3f} | {m['recall@10']:.3f} | {m['mrr']:.3f} "
            f"| {m['found']:.3f} | {index.stats()['terms']:,} |"
        )
    gen, rel = topic_eval(6000, 2, 1500)
    gen_by_id = {x.id: x for x in gen}
    g_items = [ItemMeta.from_listing(x) for x in gen]
    g_texts = [listing_text(x) for x in gen]
    g_langs = [x.language.value for x in gen]
    per_lang = {
        lang: {q: t for q, t in rel.items() if gen_by_id[q].language.value == lang}
        for lang in ("de", "zh", "en")
    }
    print(
        f"\nSame-language topic retrieval, generated corpus (6,000 listings, seed 2, "
        f"{len(rel)} queries; relevant: active listings of the same generated topic, category "
        "and language, either kind)\n"
    )
    print("| tokenizer variant | R@10 all | MRR all | MRR de | MRR zh | MRR en |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, variant in VARIANTS.items():
        index = make_index(variant, g_texts)
        index.add(g_items, g_texts, g_langs)
        m = topic_metrics(index, gen_by_id, rel)
        by = {lang: topic_metrics(index, gen_by_id, r)["mrr"] for lang, r in per_lang.items()}
        print(
            f"| {name} | {m['recall@10']:.3f} | {m['mrr']:.3f} | {by['de']:.3f} "
            f"| {by['zh']:.3f} | {by['en']:.3f} |"
        )
    # Language of the pair, for the default variant: where BM25 can work at all.
    index = LexicalIndex.build(items, texts, langs)
    print("\nDefault variant by language pair (request-offer):")
    by_lang: dict[str, list[tuple[str, str]]] = {}
    for req, off in pairs:
        key = f"{by_id[req].language.value}-{by_id[off].language.value}"
        by_lang.setdefault(key, []).append((req, off))
    for key, group in sorted(by_lang.items()):
        m = evaluate(index, by_id, group)
        print(f"  {key}: {len(group)} pairs, recall@10 {m['recall@10']:.3f}, MRR {m['mrr']:.3f}")


# -- speed --------------------------------------------------------------------------------


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def generated(n: int, seed: int) -> Iterator[tuple[ItemMeta, str, str]]:
    """(metadata, text, language) of generated listings."""
    registry = cities()
    for row in iter_rows(n, seed=seed, today=TODAY):
        city = registry.resolve(str(row["city"]))
        expires = row.get("expires_at")
        meta = ItemMeta(
            id=str(row["id"]),
            country=city.country.value,
            city=city.id,
            region=city.region,
            sector=tuple(str(row["sector"]).split(";")),
            category=str(row["category"]),
            kind=str(row["kind"]),
            org_type=str(row["org_type"]),
            language=str(row["language"]),
            expires_at=date.fromisoformat(expires) if expires else None,
        )
        text = " ".join([str(row["title"]), str(row["description"] or "")])
        text += " " + " ".join(str(row["keywords"] or "").split(";"))
        yield meta, text, str(row["language"])


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.99 * len(times)))]


def speed(n: int, seed: int, queries: int, batch: int) -> None:
    gc.collect()
    base = rss_mb()
    t0 = time.perf_counter()
    # Compound parts learned from the first batch, as a build from an initial corpus would.
    index: LexicalIndex | None = None
    sample: list[tuple[ItemMeta, str, str]] = []
    rng = random.Random(seed)
    buf: list[tuple[ItemMeta, str, str]] = []
    tokenize_s = 0.0

    def flush() -> None:
        nonlocal index, tokenize_s
        items, texts, langs = zip(*buf, strict=True)
        if index is None:
            index = LexicalIndex(tokenizer=Tokenizer(compound_parts=learn_compound_parts(texts)))
        t = time.perf_counter()
        index.add(list(items), list(texts), list(langs))
        tokenize_s += time.perf_counter() - t
        buf.clear()

    for i, rec in enumerate(generated(n, seed)):
        buf.append(rec)
        if len(sample) < queries:
            sample.append(rec)
        elif rng.random() < queries / (i + 1):
            sample[rng.randrange(queries)] = rec
        if len(buf) >= batch:
            flush()
    if buf:
        flush()
    assert index is not None
    build_s = time.perf_counter() - t0
    stats = index.stats()
    print(f"\n## {n:,} listings\n")
    print(
        f"build {build_s:.1f} s (generation included; index.add {tokenize_s:.1f} s), "
        f"{stats['terms']:,} terms, {stats['postings']:,} postings, "
        f"{stats['segments']} segments, arrays ~{stats['bytes'] / 2**20:.0f} MB, "
        f"RSS +{rss_mb() - base:.0f} MB"
    )
    t = time.perf_counter()
    index.compact()
    print(f"compact to one segment: {time.perf_counter() - t:.1f} s")

    ids = [m.id for m, _, _ in sample]
    kinds = {m.id: m.kind for m, _, _ in sample}
    city_of = {m.id: m.city for m, _, _ in sample}
    text_of = {m.id: (t, lang) for m, t, lang in sample}
    hard = {i: Filters.of(kind=OPPOSITE[kinds[i]], active_on=TODAY, exclude_ids=[i]) for i in ids}
    city = {
        i: Filters.of(kind=OPPOSITE[kinds[i]], active_on=TODAY, city=city_of[i], exclude_ids=[i])
        for i in ids
    }
    all_ids = index.ids()
    cands = {i: rng.sample(all_ids, 100) for i in ids}
    q_of = {i: index.query_for(i) for i in ids}
    for i in ids[:20]:  # warm the filter-mask cache and the buffers
        index.search(q_of[i], 100, hard[i])

    def run(name: str, fn: Callable[[str], object]) -> None:
        wall, cpu = [], []
        for i in ids:
            t, c = time.perf_counter(), time.thread_time()
            fn(i)
            cpu.append((time.thread_time() - c) * 1e3)
            wall.append((time.perf_counter() - t) * 1e3)
        wall.sort()
        cpu.sort()
        p99 = min(len(wall) - 1, int(0.99 * len(wall)))
        print(
            f"| {name} | {statistics.median(wall):.3f} | {wall[p99]:.3f} "
            f"| {statistics.median(cpu):.3f} | {cpu[p99]:.3f} |"
        )

    print(f"\n{len(ids)} queries (random listings), top 100, one thread, latency in ms\n")
    print("| operation | p50 wall | p99 wall | p50 CPU | p99 CPU |")
    print("| --- | ---: | ---: | ---: | ---: |")
    run("query_for(id)", lambda i: index.query_for(i))
    run("search by id, no filter", lambda i: index.search(q_of[i], 100))
    run("search by id, kind + active", lambda i: index.search(q_of[i], 100, hard[i]))
    run("search by id, kind + active + one city", lambda i: index.search(q_of[i], 100, city[i]))
    run("search by id, no filter, top 10", lambda i: index.search(q_of[i], 10))
    index.max_postings = None
    run(
        "same, no posting limit (12 rarest terms)",
        lambda i: index.search(q_of[i], 100, hard[i]),
    )
    index.max_query_terms = None
    run("same, all query terms, no limit", lambda i: index.search(q_of[i], 100, hard[i]))
    index.max_query_terms, index.max_postings = 12, 250_000
    tok = index.tokenizer
    run("tokenize the listing text", lambda i: tok.tokenize(*text_of[i]))
    run(
        "search by text (tokenize + search, kind + active)",
        lambda i: index.search(LexicalQuery.from_tokens(tok.tokenize(*text_of[i])), 100, hard[i]),
    )
    run("score 100 given candidates", lambda i: index.score(q_of[i], cands[i]))
    run("reverse_scores 100 candidates", lambda i: index.reverse_scores(q_of[i], cands[i]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quality", action="store_true", help="tokenizer variants on the sample")
    parser.add_argument("--sizes", type=int, nargs="*", default=[], help="generated corpus sizes")
    parser.add_argument("--queries", type=int, default=500, help="queries per size")
    parser.add_argument("--batch", type=int, default=50_000, help="listings per add()")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.quality and not args.sizes:
        parser.error("nothing to do: give --quality and/or --sizes")
    if args.quality:
        quality()
    for n in args.sizes:
        speed(n, args.seed, args.queries, args.batch)
        gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
