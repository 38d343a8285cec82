"""Saving and loading a :class:`Matcher` as one folder.

Layout (written atomically: the whole tree appears at once)::

    manifest.json    kind, format, config, encoder, counts, reference date, checksums
    listings.jsonl   public fields of every listing (never contact data)
    dense/           the vector index folder (its own manifest)
    lexical/         the BM25 index folder (its own manifest)
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isa_match.index import _persist
from isa_match.index.base import EncoderInfo, IndexCorruptError, IndexMismatchError
from isa_match.rank._learned_model import LearnedRanker, LearnedRankerError
from isa_match.rank.config import ConfigError, RankConfig
from isa_match.schema import Category, Country, Kind, Language, Listing, OrgType

if TYPE_CHECKING:
    from isa_match.embed.base import Encoder
    from isa_match.rank.matcher import Matcher

KIND = "isa_match.matcher"
MATCHER_FORMAT = 1
LEARNED = "learned.json"
"""The learned ranker the matcher ranks with, if any (a copy of the config's file)."""


def save(matcher: Matcher, path: Path) -> None:
    """Write ``matcher`` to ``path`` (see the module docstring)."""
    listings = matcher.listings()
    body = "".join(json.dumps(x.public_dict(), ensure_ascii=False) + "\n" for x in listings).encode(
        "utf-8"
    )
    manifest = {
        "kind": KIND,
        "matcher_format": MATCHER_FORMAT,
        "count": len(listings),
        "encoder": matcher.encoder_info.as_dict(),
        "dim": matcher.dense.dim,
        "config": matcher.config.as_dict(),
        "reference_date": matcher.reference_date.isoformat() if matcher.reference_date else None,
    }
    files = {"listings.jsonl": _persist.bytes_writer(body)}
    if matcher.learned is not None:  # the index ranks the same wherever it is moved
        model = json.dumps(matcher.learned.to_dict(), indent=1).encode("utf-8")
        files[LEARNED] = _persist.bytes_writer(model)
    _persist.write_folder(
        path,
        manifest,
        files,
        subfolders={"dense": matcher.dense.save, "lexical": matcher.lexical.save},
    )


def _listing(data: dict[str, Any]) -> Listing:
    return Listing(
        id=data["id"],
        kind=Kind(data["kind"]),
        category=Category(data["category"]),
        title=data["title"],
        description=data["description"],
        language=Language(data["language"]),
        organization=data["organization"],
        org_type=OrgType(data["org_type"]),
        city=data["city"],
        country=Country(data["country"]),
        region=data["region"],
        sector=tuple(data["sector"]),
        created_at=date.fromisoformat(data["created_at"]),
        expires_at=date.fromisoformat(data["expires_at"]) if data["expires_at"] else None,
        keywords=tuple(data["keywords"]),
    )


def load(
    cls: type[Matcher], path: Path, *, encoder: Encoder | None = None, mmap: bool | None = None
) -> Matcher:
    """Read a matcher folder; checksums, kind and versions are checked."""
    from isa_match.index import load_index
    from isa_match.rank.lexical import LexicalIndex

    manifest = _persist.read_manifest(path)
    if manifest.get("kind") != KIND:
        raise IndexMismatchError(f"{path}: not a matcher folder (kind {manifest.get('kind')!r})")
    if manifest.get("matcher_format") != MATCHER_FORMAT:
        raise IndexMismatchError(
            f"{path}: matcher format {manifest.get('matcher_format')!r}, "
            f"this code reads {MATCHER_FORMAT}"
        )
    try:
        config = RankConfig.from_dict(manifest["config"], source=f"{path}/manifest.json")
        info = EncoderInfo.from_dict(manifest["encoder"])
    except (KeyError, TypeError, ConfigError) as exc:
        raise IndexCorruptError(f"{path}/manifest.json: malformed ({exc})") from exc
    assert info is not None
    if encoder is not None and EncoderInfo.of(encoder) != info:
        raise IndexMismatchError(
            f"{path}: built with {info.name} {info.version}, "
            f"the given encoder is {encoder.name} {encoder.version}"
        )
    dense = load_index(path / "dense", expect_encoder=info, mmap=mmap)
    lexical = LexicalIndex.load(path / "lexical")
    listings = []
    source = path / "listings.jsonl"
    with open(source, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            try:
                listings.append(_listing(json.loads(line)))
            except (ValueError, KeyError, TypeError) as exc:
                raise IndexCorruptError(f"{source}, line {number}: {exc}") from exc
    if len(listings) != manifest.get("count") or len(listings) != len(dense):
        raise IndexCorruptError(
            f"{path}: {len(listings)} listings, manifest says {manifest.get('count')}, "
            f"vector index holds {len(dense)}"
        )
    learned = None
    if (path / LEARNED).exists():
        try:
            learned = LearnedRanker.load(path / LEARNED)
        except LearnedRankerError as exc:
            raise IndexCorruptError(str(exc)) from exc
    ref = manifest.get("reference_date")
    matcher = cls(
        config,
        info,
        dense,
        lexical,
        reference_date=date.fromisoformat(ref) if ref else None,
        encoder=encoder,
        learned=learned,
    )
    matcher._restore(listings)
    return matcher
