"""Tests of the synthetic corpus generator and of the committed sample corpus."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from isa_match._paths import data_dir
from isa_match.generate import GeneratedCorpus, generate_corpus, iter_rows, write_corpus
from isa_match.generate.api import stream_corpus
from isa_match.schema import CONTACT_FIELDS

SAMPLE_ARGS = {"n_listings": 2000, "seed": 7}
SAMPLE_CMD = ["--n", "2000", "--seed", "7"]
TODAY = date(2026, 11, 1)
FIELDS = [
    "id",
    "kind",
    "category",
    "title",
    "description",
    "language",
    "organization",
    "org_type",
    "city",
    "sector",
    "keywords",
    "created_at",
    "expires_at",
    *CONTACT_FIELDS,
]


@pytest.fixture(scope="module")
def sample() -> GeneratedCorpus:
    return generate_corpus(**SAMPLE_ARGS)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def by_id(sample: GeneratedCorpus) -> dict[str, dict[str, str | None]]:
    return {str(r["id"]): r for r in sample.rows}


def _expired(row: dict[str, str | None]) -> bool:
    return row["expires_at"] is not None and str(row["expires_at"]) < TODAY.isoformat()


# ---- determinism ------------------------------------------------------------------------


def test_same_seed_same_rows_and_pairs(sample: GeneratedCorpus) -> None:
    again = generate_corpus(**SAMPLE_ARGS)  # type: ignore[arg-type]
    assert again.rows == sample.rows
    assert again.pairs == sample.pairs


def test_different_seed_differs(sample: GeneratedCorpus) -> None:
    other = generate_corpus(2000, seed=8)
    assert other.rows != sample.rows
    assert {r["title"] for r in other.rows} != {r["title"] for r in sample.rows}


def test_iter_rows_streams_the_same_rows() -> None:
    corpus = generate_corpus(9000, seed=3)  # three blocks
    assert list(iter_rows(9000, seed=3)) == corpus.rows


def test_output_identical_across_processes(tmp_path: Path) -> None:
    """A fresh interpreter (different hash seed) writes byte-identical files."""
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    write_corpus(generate_corpus(600, seed=11), out_a)
    env = {"PYTHONHASHSEED": "12345"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "isa_match.generate",
            "--n",
            "600",
            "--seed",
            "11",
            "--out",
            str(out_b),
        ],
        check=True,
        env={**_env(), **env},
        capture_output=True,
    )
    for name in ("listings.jsonl", "pairs.jsonl"):
        assert (out_a / name).read_bytes() == (out_b / name).read_bytes()


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_committed_sample_equals_fresh_generation(tmp_path: Path) -> None:
    committed = data_dir("sample")
    stream_corpus(2000, tmp_path, seed=7)
    for name in ("listings.jsonl", "pairs.jsonl"):
        assert (committed / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_stream_equals_write_corpus(tmp_path: Path) -> None:
    write_corpus(generate_corpus(700, seed=5), tmp_path / "a")
    stream_corpus(700, tmp_path / "b", seed=5)
    for name in ("listings.jsonl", "pairs.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_file_layout(tmp_path: Path) -> None:
    write_corpus(generate_corpus(300, seed=2), tmp_path)
    lines = (tmp_path / "listings.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 300
    first = json.loads(lines[0])
    assert list(first) == FIELDS
    assert "\\u" not in "".join(lines)  # ensure_ascii=False: Chinese stays readable
    pair = json.loads((tmp_path / "pairs.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert list(pair) == ["request", "offer"]


@pytest.mark.parametrize("n", [1, 4, 10, 33])
def test_tiny_corpora(n: int) -> None:
    corpus = generate_corpus(n, seed=2)
    assert len(corpus.rows) == n
    assert len({r["id"] for r in corpus.rows}) == n
    assert 2 * len(corpus.pairs) <= n


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="n_listings"):
        generate_corpus(0)
    with pytest.raises(ValueError, match="n_pairs"):
        generate_corpus(100, n_pairs=60)
    with pytest.raises(ValueError, match="n_pairs"):
        generate_corpus(100_000, n_pairs=5000)


# ---- coverage -----------------------------------------------------------------------------


def test_all_cities_resolve_and_all_members_present(sample: GeneratedCorpus) -> None:
    from isa_match.reference import cities

    registry = cities()
    resolved = Counter(registry.resolve(str(r["city"])).id for r in sample.rows)
    assert len(resolved) == 41 == len(registry)
    assert min(resolved.values()) >= 5


def test_every_spelling_the_generator_uses_resolves() -> None:
    from isa_match.generate._cities import CITIES
    from isa_match.generate._plan import EN_DISPLAY
    from isa_match.reference import cities

    registry = cities()
    for c in CITIES:
        # display names in the city field and the names used inside texts
        for name in (*c.display, c.de, c.zh, c.en, EN_DISPLAY.get(c.id, c.en)):
            assert registry.resolve(name).id == c.id, name


def test_every_template_names_the_need() -> None:
    """Titles and opening sentences always state the topic (and the place of a space)."""
    from isa_match.generate._render import FRAMES

    for category, by_side in FRAMES.items():
        assert len(by_side) == 6  # request/offer x de/zh/en
        for (kind, lang), frames in by_side.items():
            assert len(frames.titles) >= 6 and len(frames.openers) >= 6, (category, kind, lang)
            for template in (*frames.titles, *frames.openers):
                assert any(s in template for s in ("{x}", "{xa}", "{xd}", "{X}")), template
                if category == "space":
                    assert "{loc}" in template, template


def test_categories_kinds_org_types_languages(sample: GeneratedCorpus) -> None:
    rows = sample.rows
    assert {r["category"] for r in rows} == {
        "product",
        "technology",
        "space",
        "event",
        "cooperation",
        "investment",
        "service",
    }
    for cat in {r["category"] for r in rows}:
        assert {r["kind"] for r in rows if r["category"] == cat} == {"offer", "request"}
    assert {r["org_type"] for r in rows} == {"company", "research", "public"}
    lang = Counter(r["language"] for r in rows)
    assert 0.40 < lang["de"] / len(rows) < 0.50
    assert 0.40 < lang["zh"] / len(rows) < 0.50
    assert 0.06 < lang["en"] / len(rows) < 0.15


def test_sectors_are_valid_and_varied(sample: GeneratedCorpus) -> None:
    from isa_match.reference import sectors

    table = sectors()
    sections: set[str] = set()
    for r in sample.rows:
        codes = str(r["sector"]).split(";")
        assert codes and all(table.normalize(c) == c for c in codes), r["sector"]
        sections.update(table.section_of(c) for c in codes)
    assert len(sections) >= 15


def test_expired_share_and_dates(sample: GeneratedCorpus) -> None:
    rows = sample.rows
    share = sum(_expired(r) for r in rows) / len(rows)
    assert 0.08 <= share <= 0.12
    assert any(r["expires_at"] is None for r in rows)
    oldest = date(2024, 11, 1).isoformat()
    for r in rows:
        assert oldest <= str(r["created_at"]) <= TODAY.isoformat()
        if r["expires_at"]:
            assert str(r["expires_at"]) > str(r["created_at"])


def test_language_follows_country(sample: GeneratedCorpus) -> None:
    from isa_match.reference import cities

    registry = cities()
    native: Counter[tuple[str | None, str]] = Counter()
    for r in sample.rows:
        if r["language"] == "en":
            continue
        country = registry.resolve(str(r["city"])).country.value
        native[(r["language"], country)] += 1
    assert native[("de", "DE")] > 0.9 * (native[("de", "DE")] + native[("de", "CN")])
    assert native[("zh", "CN")] > 0.9 * (native[("zh", "CN")] + native[("zh", "DE")])


def test_contacts_are_fictitious(sample: GeneratedCorpus) -> None:
    for r in sample.rows:
        email, phone = r["contact_email"], r["contact_phone"]
        if email:
            domain = email.split("@", 1)[1]
            assert domain in {"example.com", "example.org", "example.net"} or domain.endswith(
                ".example"
            ), email
        if phone:
            assert phone.startswith(("+49 ", "+86 ")) and " 555" in phone, phone


def test_organisations_post_several_listings(sample: GeneratedCorpus) -> None:
    orgs = Counter(r["organization"] for r in sample.rows)
    assert sum(1 for n in orgs.values() if n > 1) >= 150


def test_text_lengths(sample: GeneratedCorpus) -> None:
    for r in sample.rows:
        title, text = str(r["title"]), str(r["description"])
        if r["language"] == "zh":
            assert 6 <= len(title) <= 40, title
            sentences = text.count("。") + text.count("？")
        else:
            assert 3 <= len(title.split()) <= 18, title
            sentences = len(re.findall(r"[.!?](?:\s|$)", text.replace("Mio. ", "Mio ")))
        assert 1 <= sentences <= 9, text
    assert any(len(str(r["description"])) > 400 for r in sample.rows)


def test_no_unfilled_placeholders(sample: GeneratedCorpus) -> None:
    for r in sample.rows:
        for name in ("title", "description"):
            assert "{" not in str(r[name]) and "}" not in str(r[name]), r[name]


# ---- labelled pairs ---------------------------------------------------------------------


def test_pair_count_and_spread(
    sample: GeneratedCorpus, by_id: dict[str, dict[str, str | None]]
) -> None:
    pairs = sample.pairs
    assert 250 <= len(pairs) <= 350
    assert len(set(pairs)) == len(pairs)
    assert len({r for r, _ in pairs}) == len(pairs) == len({o for _, o in pairs})
    cats = Counter(by_id[r]["category"] for r, _ in pairs)
    assert len(cats) == 7 and min(cats.values()) >= 15
    directions = Counter((by_id[r]["language"], by_id[o]["language"]) for r, o in pairs)
    assert directions[("de", "zh")] >= 50 and directions[("zh", "de")] >= 50
    assert sum(v for k, v in directions.items() if "en" in k) >= 20
    sections = {str(by_id[r]["sector"])[0] for r, _ in pairs}
    assert len(sections) >= 10


def test_pair_invariants(sample: GeneratedCorpus, by_id: dict[str, dict[str, str | None]]) -> None:
    from isa_match.reference import cities

    registry = cities()
    for req, off in sample.pairs:
        r, o = by_id[req], by_id[off]
        country_r = registry.resolve(str(r["city"])).country
        assert country_r != registry.resolve(str(o["city"])).country  # pairs cross the border
        assert r["kind"] == "request" and o["kind"] == "offer"
        assert r["category"] == o["category"]
        assert r["language"] != o["language"]
        assert not _expired(r) and not _expired(o)
        assert r["organization"] != o["organization"]


def test_labelled_needs_are_unique(sample: GeneratedCorpus) -> None:
    """No listing other than the labelled partner fits a labelled listing."""
    info = sample.info
    labelled = {info[r].topic for r, _ in sample.pairs}
    paired_ids = {i for p in sample.pairs for i in p}
    active_same_topic = Counter(
        info[lid].topic for lid in info if not info[lid].expired and info[lid].topic in labelled
    )
    assert all(v == 2 for v in active_same_topic.values())
    for lid, i in info.items():
        if i.topic in labelled and lid not in paired_ids:
            assert i.expired
    # unlabelled topics: all active listings of one topic have one kind, so no hidden pairs
    kinds: dict[str, set[str]] = {}
    rows = {r["id"]: r for r in sample.rows}
    for lid, i in info.items():
        if not i.expired and i.topic not in labelled:
            kinds.setdefault(i.topic, set()).add(str(rows[lid]["kind"]))
    assert all(len(k) == 1 for k in kinds.values())


def test_hard_near_misses(sample: GeneratedCorpus) -> None:
    info = sample.info
    variants = Counter(i.variant for i in info.values() if i.role == "near_miss")
    total = len(sample.rows)
    near = sum(variants.values())
    assert 0.18 <= near / total <= 0.32
    assert variants["sibling"] > 0 and variants["expired"] > 0 and variants["cross_category"] > 0
    labelled = {info[r].topic for r, _ in sample.pairs}
    for i in info.values():
        if i.role == "near_miss":
            assert i.anchor in labelled
            if i.variant == "sibling":
                assert i.topic != i.anchor and i.topic.split(":")[0] == i.anchor.split(":")[0]


def test_sibling_texts_share_words_with_their_anchor(sample: GeneratedCorpus) -> None:
    from isa_match.generate.topics import all_topics

    topics = {t.key: t for t in all_topics()}
    shared = 0
    siblings = [i for i in sample.info.values() if i.variant == "sibling"]
    for i in siblings:
        a, b = topics[i.anchor].term[0], topics[i.topic].term[0]
        if set(a.lower().split()) & set(b.lower().split()) or a[:4] == b[:4]:
            shared += 1
    assert shared >= 0.5 * len(siblings)


def test_paired_texts_are_not_translations(
    sample: GeneratedCorpus, by_id: dict[str, dict[str, str | None]]
) -> None:
    info = sample.info
    same_facets = 0
    for req, off in sample.pairs:
        ti, to = info[req].templates, info[off].templates
        assert not set(ti) & set(to)  # request and offer come from different template sets
        same_facets += info[req].facets == info[off].facets
        r, o = by_id[req], by_id[off]
        if "zh" not in (r["language"], o["language"]):
            wr = set(str(r["description"]).lower().split())
            wo = set(str(o["description"]).lower().split())
            assert len(wr & wo) / len(wr | wo) < 0.5
    # the two sides mostly state different subsets of attributes
    assert same_facets < 0.3 * len(sample.pairs)


def test_sample_loads_without_errors() -> None:
    from isa_match.io import load_listings

    result = load_listings(data_dir("sample") / "listings.jsonl", today=TODAY)
    assert result.ok and len(result) == 2000
    # expected warnings only: expired listings, and staff typing the parent city
    # ("Shenzhen", "深圳") of a member, which the loader points out once per name
    expected = ("expired before", "as a whole is not an ISA member")
    assert all(any(e in i.problem for e in expected) for i in result.warnings), result.report(5)


def test_sample_readme_statistics_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    from isa_match.generate.stats import main as stats_main

    assert stats_main([str(data_dir("sample"))]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    readme = (data_dir("sample") / "README.md").read_text("utf-8")
    section = readme.split("## Statistics", 1)[1].strip().splitlines()
    # the README's first line adds a hand-written breakdown to the same total
    assert section[0].startswith(printed[0])
    assert section[1:] == printed[1:]
