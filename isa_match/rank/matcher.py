"""The :class:`Matcher`: hybrid retrieval (dense + BM25) and explainable ranking.

A suggestion is computed in three steps, all on a bounded candidate set:

1. *retrieve*: the dense index and the lexical index each return the top
   ``config.candidates`` counterparts that pass the hard filters (counterpart
   kind, active today, not the query itself, plus the caller's filters); the
   filters are applied inside both searches;
2. *score*: every candidate gets its components (dense and lexical similarity,
   sector, category, cross-border, location, freshness, reciprocity), computed
   vectorised over the candidates, and a weighted sum (or a learned model);
3. *select*: near duplicates collapse, at most ``max_per_org`` per
   organisation, the top ``k`` get reasons in German, Chinese and English.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from isa_match.embed.base import Encoder
from isa_match.index.base import EncoderInfo, ItemMeta, UnknownIdError, VectorIndex
from isa_match.rank import _persist_matcher, _score
from isa_match.rank._filters import merge_filters
from isa_match.rank._learned_model import LearnedRanker
from isa_match.rank._table import FeatureTable
from isa_match.rank.config import RankConfig, load_config
from isa_match.schema import Filters, Kind, Listing

Mode = Literal["full", "dense", "lexical"]
FloatArray = npt.NDArray[np.float64]


class QueryError(ValueError):
    """A suggestion query is malformed (no id and no text, empty text, bad ``k`` ...)."""


@dataclass(frozen=True, slots=True)
class Match:
    """One suggested partner listing.

    Attributes:
        id: the suggested listing's id.
        score: the final score (higher is better; comparable within one query).
        components: each component's value in [0, 1] (``location_mismatch`` is 0 or 1).
        reasons: short explanations in German, Chinese and English.
        listing: the suggested listing (public fields; never its contact data).
        duplicates: ids of near-duplicate listings collapsed into this one.
    """

    id: str
    score: float
    components: dict[str, float]
    reasons: tuple[Any, ...]
    listing: Listing
    duplicates: tuple[str, ...] = ()

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        """JSON-ready form; ``lang`` picks one reason language, ``None`` keeps all three."""
        reasons: list[Any]
        if lang is None:
            reasons = [{"code": r.code, "de": r.de, "zh": r.zh, "en": r.en} for r in self.reasons]
        else:
            reasons = [r.text(lang) for r in self.reasons]
        return {
            "id": self.id,
            "score": round(self.score, 6),
            "components": {k: round(v, 6) for k, v in self.components.items()},
            "reasons": reasons,
            "listing": self.listing.public_dict(),
            "duplicates": list(self.duplicates),
        }


@dataclass(slots=True)
class _Query:
    vector: npt.NDArray[np.float32]
    text: str
    lexical: Any
    language: str | None
    attrs: _score.QueryAttrs
    kinds: frozenset[str] | None
    exclude: frozenset[str]
    listing: Listing | None = None
    lexical_self: float = 0.0
    row: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Matcher:
    """Partner suggestions over a corpus of listings; see the module docstring.

    Build with :meth:`build`, query with :meth:`suggest`, persist with
    :meth:`save` / :meth:`load`. :meth:`add` and :meth:`remove` keep every part
    (vectors, lexical index, ranking attributes) in step without a rebuild.
    Not thread-safe for writes: a service serialises mutations.
    """

    def __init__(
        self,
        config: RankConfig,
        encoder_info: EncoderInfo,
        dense: VectorIndex,
        lexical: Any,
        *,
        reference_date: date | None = None,
        encoder: Encoder | None = None,
        learned: LearnedRanker | None = None,
    ) -> None:
        from isa_match.rank.features import category_matrix, complement_pairs

        self.config = config
        self.learned = learned  # replaces the weighted sum when set (isa_match.rank.learn)
        self.encoder_info = encoder_info
        self.dense = dense
        self.lexical = lexical
        self.reference_date = reference_date
        self._encoder = encoder
        self.table = FeatureTable()
        self._listings: list[Listing | None] = []
        self._rows: dict[str, int] = {}
        # slot <-> row maps of the two indexes (-1: none), so that ranking works on
        # integer arrays and decodes ids only for the results it returns
        self._slot_maps = _SlotMaps()
        self._complements = _score.ComplementMasks(complement_pairs())
        self._category_compat = category_matrix()

    # -- building ------------------------------------------------------------

    @classmethod
    def build(
        cls,
        listings: Iterable[Listing],
        config: RankConfig | str | Path | None = None,
        *,
        encoder: Encoder | str | None = None,
        backend: str = "faiss",
        vectors: npt.ArrayLike | None = None,
        reference_date: date | None = None,
        show_progress: bool = False,
        learned: LearnedRanker | None = None,
        **index_options: Any,
    ) -> Matcher:
        """Build a matcher: encode, index (dense and lexical) and profile ``listings``.

        Args:
            listings: validated listings (e.g. ``load_listings(path).listings``).
            config: a :class:`RankConfig`, a TOML/JSON file, or ``None`` for
                ``models/ranking.toml``.
            encoder: an encoder or its registry name (default: the config's).
            backend: the vector-index backend (``"faiss"`` or ``"exact"``).
            vectors: precomputed document vectors, one row per listing, in the
                same order (skips encoding; for benchmarks and batch pipelines).
            reference_date: the date suggestions are computed for when the
                caller gives none (``None``: the day of the query).
            show_progress: progress bars while encoding.
            learned: a learned ranker to rank with (default: the one the config
                names with ``learned``, relative to the config file's folder).
            **index_options: passed to the index backend.
        """
        from isa_match.embed import get_encoder
        from isa_match.index import create_index
        from isa_match.rank.lexical import LexicalIndex
        from isa_match.rank.tokenize import Tokenizer, learn_compound_parts

        cfg = load_config(config)
        listings = list(listings)
        enc = get_encoder(encoder or cfg.encoder) if not isinstance(encoder, Encoder) else encoder
        info = EncoderInfo.of(enc)
        dense = create_index(backend, dim=enc.dim, encoder=info, **index_options)
        # German compounds are split into parts seen as words in the corpus; the
        # learned parts stay fixed (saved with the index) so updates tokenise alike.
        parts = learn_compound_parts(_lexical_text(x) for x in listings)
        lexical = LexicalIndex(k1=cfg.bm25_k1, b=cfg.bm25_b, tokenizer=Tokenizer(None, parts))
        if learned is None and cfg.learned is not None:
            learned = _learned_for(config, cfg.learned)
        matcher = cls(
            cfg, info, dense, lexical, reference_date=reference_date, encoder=enc, learned=learned
        )
        matcher.add(listings, vectors=vectors, show_progress=show_progress)
        return matcher

    @property
    def encoder(self) -> Encoder:
        """The encoder (loaded on first use: only text queries and additions need it)."""
        if self._encoder is None:
            from isa_match.embed import get_encoder

            self._encoder = get_encoder(self.encoder_info.name)
            if self._encoder.version != self.encoder_info.version:
                raise ValueError(
                    f"this matcher was built with {self.encoder_info.name} "
                    f"{self.encoder_info.version}, the installed one is {self._encoder.version}"
                )
        return self._encoder

    def encode_listings(
        self, listings: Sequence[Listing], *, show_progress: bool = False
    ) -> npt.NDArray[np.float32]:
        """Document vectors: the normalised sum of the title+description and title vectors."""
        enc = self.encoder
        full = enc.encode([x.text for x in listings], role="document", show_progress=show_progress)
        weight = self.config.title_weight
        if weight == 0:
            return full
        titles = enc.encode(
            [x.title for x in listings], role="document", show_progress=show_progress
        )
        mixed = full + np.float32(weight) * titles
        norms = np.linalg.norm(mixed, axis=1, keepdims=True)
        out: npt.NDArray[np.float32] = (mixed / np.maximum(norms, 1e-12)).astype(np.float32)
        return out

    def add(
        self,
        listings: Sequence[Listing],
        *,
        vectors: npt.ArrayLike | None = None,
        show_progress: bool = False,
    ) -> None:
        """Add listings, or replace those whose id is already present."""
        listings = list(listings)
        if not listings:
            return
        seen: set[str] = set()
        for pos, item in enumerate(listings):
            if not isinstance(item, Listing):
                raise TypeError(f"item {pos}: expected a Listing, got {type(item).__name__}")
            if item.id in seen:
                raise ValueError(f"item {pos}: listing id {item.id!r} occurs twice in the input")
            seen.add(item.id)
        # The matcher holds public fields only, in memory as on disk: no suggestion,
        # reason or saved folder can carry contact data, and a loaded matcher
        # explains exactly like the one that was saved.
        listings = [
            dataclasses.replace(x, contact=None) if x.contact is not None else x for x in listings
        ]
        if vectors is None:
            vecs = self.encode_listings(listings, show_progress=show_progress)
        else:
            vecs = np.asarray(vectors, dtype=np.float32)
            if vecs.shape != (len(listings), self.dense.dim):
                raise ValueError(
                    f"vectors must have shape ({len(listings)}, {self.dense.dim}), got {vecs.shape}"
                )
        rows = []
        for item in listings:
            row = self._rows.get(item.id)
            if row is None:
                row = len(self._listings)
                self._listings.append(None)
                self._rows[item.id] = row
            self._listings[row] = item
            rows.append(row)
        self.table.set_rows(rows, listings, _places(listings))
        metas = [ItemMeta.from_listing(x) for x in listings]
        self.dense.add(metas, vecs)
        # (both indexes give new items slots by kind, then city: see Store.assign)
        self.lexical.add(
            metas, [_lexical_text(x) for x in listings], [x.language.value for x in listings]
        )
        self._slot_maps.link(self, rows, [x.id for x in listings])

    def remove(self, ids: Iterable[str], *, missing_ok: bool = False) -> int:
        """Remove listings by id; returns how many were removed."""
        ids = list(dict.fromkeys(ids))
        unknown = [i for i in ids if i not in self._rows]
        if unknown and not missing_ok:
            raise UnknownIdError(unknown)
        known = [i for i in ids if i in self._rows]
        self._slot_maps.unlink(self, [self._rows[i] for i in known])
        self.dense.remove(known)
        self.lexical.remove(known)
        for item_id in known:
            self._listings[self._rows.pop(item_id)] = None
        return len(known)

    # -- reading -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._rows

    def get(self, listing_id: str) -> Listing:
        """The listing with this id; :class:`UnknownIdError` otherwise."""
        row = self._rows.get(listing_id)
        if row is None:
            raise UnknownIdError([listing_id])
        item = self._listings[row]
        assert item is not None
        return item

    def listings(self) -> list[Listing]:
        """All listings, in insertion order."""
        return [x for x in self._listings if x is not None]

    # -- suggesting ------------------------------------------------------------

    def suggest(
        self,
        listing_id: str | None = None,
        *,
        text: str | None = None,
        kind: Kind | str | None = None,
        k: int = 10,
        filters: Filters | None = None,
        today: date | None = None,
        mode: Mode = "full",
        explain: bool = True,
    ) -> list[Match]:
        """Suggested partners for a stored listing or for a free text.

        Args:
            listing_id: a listing in the matcher; its counterparts are searched.
            text: a free text instead (German, Chinese or English).
            kind: with ``text``, the kind of listing the text describes
                (``"request"`` gets offers, ``"offer"`` gets requests); ``None``
                searches both kinds.
            k: number of suggestions (1 to 1000).
            filters: hard filters (:class:`Filters`), applied inside retrieval.
            today: the date for expiry and freshness (default: the matcher's
                reference date, else today).
            mode: ``"full"`` ranking, or one retriever alone (``"dense"``,
                ``"lexical"``) as an evaluation baseline.
            explain: attach reasons (skip for bulk evaluation).
        """
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 1000:
            raise QueryError(f"k must be an integer from 1 to 1000, got {k!r}")
        if mode not in ("full", "dense", "lexical"):
            raise QueryError(f"mode must be 'full', 'dense' or 'lexical', got {mode!r}")
        day = today or self.reference_date or date.today()
        query = self._query(listing_id, text, kind)
        hard = self._hard_filters(query, filters, day)
        from isa_match.rank import _rank

        return _rank.rank(self, query, hard, k=k, today=day, mode=mode, explain=explain)

    def _query(self, listing_id: str | None, text: str | None, kind: Kind | str | None) -> _Query:
        from isa_match.rank.features import counterpart_kinds
        from isa_match.rank.places import mentioned_places, mentioned_regions

        if (listing_id is None) == (text is None):
            raise QueryError("give either a listing id or a text, not both and not neither")
        if listing_id is not None:
            item = self.get(listing_id)
            row = self._rows[listing_id]
            maps = self._slot_maps
            return _Query(
                vector=self.dense.vectors_at(maps.row_dense[row : row + 1].astype(np.int64))[0],
                text=_lexical_text(item),
                lexical=self.lexical.query_for(int(maps.row_lex[row])),
                language=item.language.value,
                attrs=_score.query_attrs_of_row(self.table, row, self._complements),
                kinds=counterpart_kinds(item, self.config.cooperation_peers),
                exclude=frozenset({listing_id}),
                listing=item,
                row=row,
            )
        assert text is not None
        if not text.strip():
            raise QueryError("the query text is empty")
        kinds = None
        if kind is not None:
            try:
                other = Kind.OFFER if Kind(kind) is Kind.REQUEST else Kind.REQUEST
            except ValueError:
                raise QueryError(f"kind must be 'offer' or 'request', got {kind!r}") from None
            kinds = frozenset({other.value})
        from isa_match.text import detect_language, normalize_text

        clean = normalize_text(text)
        language = detect_language(clean)
        vector = self.encoder.encode([clean], role="query")[0]
        return _Query(
            vector=vector,
            text=clean,
            lexical=self.lexical.query(clean, language),
            language=language,
            attrs=_score.text_query_attrs(mentioned_places(clean), mentioned_regions(clean)),
            kinds=kinds,
            exclude=frozenset(),
        )

    def _hard_filters(self, query: _Query, filters: Filters | None, day: date) -> Filters:
        own = Filters.of(active_on=day, exclude_ids=query.exclude)
        if query.kinds is not None:
            own = merge_filters(own, Filters.of(kind=query.kinds))
        if self.config.cross_border == "require" and query.listing is not None:
            other = "CN" if query.listing.country.value == "DE" else "DE"
            own = merge_filters(own, Filters.of(country=other))
        return own if filters is None else merge_filters(own, filters)

    # -- persistence -------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the matcher to folder ``path`` atomically (manifest, listings, indexes)."""
        _persist_matcher.save(self, Path(path))

    @classmethod
    def load(
        cls, path: str | Path, *, encoder: Encoder | None = None, mmap: bool | None = None
    ) -> Matcher:
        """Read a folder written by :meth:`save` (checksums and versions checked).

        ``encoder``: an already loaded encoder for text queries and additions; it
        must be the one the matcher was built with (else :class:`IndexMismatchError`).
        Without it the matcher loads its encoder on first use.
        """
        return _persist_matcher.load(cls, Path(path), encoder=encoder, mmap=mmap)

    def _restore(self, listings: Sequence[Listing]) -> None:
        """Re-attach listings and ranking attributes after loading the indexes."""
        self._listings = list(listings)
        self._rows = {x.id: i for i, x in enumerate(listings)}
        self.table.set_rows(list(range(len(listings))), listings, _places(listings))
        self._slot_maps = _SlotMaps()
        self._slot_maps.link(self, list(range(len(listings))), [x.id for x in listings])


class _SlotMaps:
    """Row <-> slot maps between a matcher and its dense and lexical indexes."""

    def __init__(self) -> None:
        empty = np.zeros(0, dtype=np.int32)
        self.dense_row, self.lex_row, self.row_dense, self.row_lex = empty, empty, empty, empty

    def link(self, m: Matcher, rows: Sequence[int], ids: Sequence[str]) -> None:
        """Record the slots of freshly added (or replaced) listings."""
        r = np.asarray(rows, dtype=np.int32)
        ds = m.dense.slots_of(ids)
        ls = m.lexical.slots_of(ids)
        self.dense_row = _put(self.dense_row, ds, r)
        self.lex_row = _put(self.lex_row, ls, r)
        self.row_dense = _put(self.row_dense, r, ds)
        self.row_lex = _put(self.row_lex, r, ls)

    def unlink(self, m: Matcher, rows: Sequence[int]) -> None:
        """Forget the slots of listings about to be removed."""
        r = np.asarray(rows, dtype=np.int64)
        if len(r):
            self.dense_row[self.row_dense[r]] = -1
            self.lex_row[self.row_lex[r]] = -1
            self.row_dense[r] = -1
            self.row_lex[r] = -1


def _put(
    arr: npt.NDArray[np.int32], at: npt.ArrayLike, values: npt.ArrayLike
) -> npt.NDArray[np.int32]:
    """``arr[at] = values``, growing ``arr`` (filled with -1) as needed."""
    idx = np.asarray(at, dtype=np.int64)
    if len(idx) and int(idx.max()) >= len(arr):
        grown = np.full(max(int(idx.max()) + 1, 2 * len(arr), 64), -1, dtype=np.int32)
        grown[: len(arr)] = arr
        arr = grown
    arr[idx] = values
    return arr


def _learned_for(config: RankConfig | str | Path | None, name: str) -> LearnedRanker:
    """The learned ranker a config names: relative to the config file's folder, or to
    ``models/`` for a config given as an object."""
    from isa_match.rank._learned_model import LearnedRankerError, load_for_config
    from isa_match.rank.config import default_config_path

    if isinstance(config, RankConfig):
        return LearnedRanker.load(default_config_path().parent / name)
    found = load_for_config(config)
    if found is None:  # the file changed between the two reads
        raise LearnedRankerError(f"{config}: names no learned ranker any more")
    return found


def _places(listings: Sequence[Listing]) -> list[tuple[frozenset[str], frozenset[str]]]:
    """The member cities and the regions each listing's text names."""
    from isa_match.rank.places import find_places

    found = [find_places(x.text) for x in listings]
    return [(f.city_ids, f.region_codes) for f in found]


def _lexical_text(item: Listing) -> str:
    """The text indexed for BM25: title, description and keywords."""
    parts = [item.title, item.description, " ".join(item.keywords)]
    return "\n".join(p for p in parts if p)
