"""Save and load a :class:`~isa_match.rank.lexical.LexicalIndex` folder.

Layout (written atomically and checksummed by :mod:`isa_match.index._persist`)::

    manifest.json        backend "bm25", k1, b, options, counts, checksums
    tokenizer.json       tokenizer options and learned compound parts
    vocab.json           metadata column vocabularies (cities, sectors, ...)
    *.npy                metadata columns (``Store.arrays``), the term vocabulary as
                         UTF-8 bytes plus offsets, listing lengths, and the one
                         segment's forward and inverted arrays (``seg_*.npy``)

No pickle anywhere: term strings are stored as concatenated UTF-8 bytes.
Document frequencies and per-language totals are recomputed on load.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from isa_match.index import _persist
from isa_match.index._store import Store
from isa_match.index.base import IndexCorruptError, IndexMismatchError
from isa_match.rank import _postings as post
from isa_match.rank.tokenize import Tokenizer

if TYPE_CHECKING:
    from isa_match.rank.lexical import LexicalIndex

BACKEND = "bm25"


def save(index: LexicalIndex, path: Path) -> None:
    """Write ``index`` to folder ``path`` (compacts it to one segment first)."""
    index.compact()
    store = index._store
    files: dict[str, _persist.Writer] = {
        f"{name}.npy": _persist.npy_writer(arr) for name, arr in store.arrays().items()
    }
    files["vocab.json"] = _persist.json_writer(store.vocabularies())
    files["tokenizer.json"] = _persist.json_writer(index.tokenizer.to_dict())
    encoded = [t.encode("utf-8") for t in index._terms]
    offsets = np.concatenate([[0], np.cumsum([len(e) for e in encoded])]).astype(np.int64)
    files["terms_utf8.npy"] = _persist.npy_writer(np.frombuffer(b"".join(encoded), np.uint8))
    files["terms_offsets.npy"] = _persist.npy_writer(offsets)
    files["doc_len.npy"] = _persist.npy_writer(index._dl[: store.n_slots])
    if index._segments:
        for name, arr in index._segments[0].arrays().items():
            files[f"seg_{name}.npy"] = _persist.npy_writer(arr)
    manifest = {
        "backend": BACKEND,
        "encoder": None,
        "dim": 0,
        "count": len(index),
        "slots": store.n_slots,
        "terms": len(index._terms),
        "k1": index.k1,
        "b": index.b,
        "avgdl_per_language": index.avgdl_per_language,
        "max_query_terms": index.max_query_terms,
        "max_postings": index.max_postings,
    }
    _persist.write_folder(path, manifest, files)


def load(index: LexicalIndex, path: Path) -> None:
    """Fill the empty ``index`` from folder ``path`` (see :meth:`LexicalIndex.load`)."""
    manifest = _persist.read_manifest(path, backend=BACKEND)
    try:
        arrays = {
            name[:-4]: _persist.load_npy(path, name)
            for name in manifest["files"]
            if name.endswith(".npy")
        }
        own = ("seg_", "terms_", "doc_len")
        store_arrays = {k: v for k, v in arrays.items() if not k.startswith(own)}
        index.k1 = float(manifest["k1"])
        index.b = float(manifest["b"])
        index.avgdl_per_language = bool(manifest["avgdl_per_language"])
        for name in ("max_query_terms", "max_postings"):
            limit = manifest[name]
            setattr(index, name, None if limit is None else int(limit))
        index.tokenizer = Tokenizer.from_dict(_persist.read_json(path / "tokenizer.json"))
        index._store = Store.restore(0, store_arrays, _persist.read_json(path / "vocab.json"))
        _restore(index, arrays, manifest)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, IndexCorruptError | IndexMismatchError):
            raise
        raise IndexCorruptError(f"{path}: inconsistent index files ({exc!r})") from exc
    if len(index) != manifest["count"]:
        raise IndexCorruptError(
            f"{path}: manifest says {manifest['count']} listings, files hold {len(index)}"
        )


def _restore(
    index: LexicalIndex, arrays: dict[str, npt.NDArray[Any]], manifest: dict[str, Any]
) -> None:
    raw = np.asarray(arrays["terms_utf8"], dtype=np.uint8).tobytes()
    offsets = np.asarray(arrays["terms_offsets"], dtype=np.int64)
    if len(offsets) != int(manifest["terms"]) + 1 or offsets[-1] != len(raw):
        raise ValueError("term offsets do not match the term bytes")
    ends = offsets.tolist()
    terms = [raw[a:b].decode("utf-8") for a, b in zip(ends[:-1], ends[1:], strict=True)]
    if index._term_ids(terms) != list(range(len(terms))):
        raise ValueError("duplicate terms in the vocabulary")
    store = index._store
    n_slots = store.n_slots
    index._reserve(n_slots)
    doc_len = np.asarray(arrays["doc_len"], dtype=np.int32)
    if len(doc_len) != n_slots or (doc_len < 0).any():
        raise ValueError("listing lengths do not match the slots")
    alive = store.alive[:n_slots]
    if "seg_doc_slots" not in arrays:
        if len(store):
            raise ValueError("postings are missing")
        return
    seg = post.Segment(
        sid=index._new_sid(),
        **{name: np.array(arrays[f"seg_{name}"]) for name in post.ARRAYS},  # type: ignore[arg-type]
    )
    post.check_segment(seg, len(terms), n_slots)
    if len(seg.doc_slots) != len(store) or not alive[seg.doc_slots].all():
        raise ValueError("the listings of the postings are not the stored listings")
    index._segments = [seg]
    index._seg_of[seg.doc_slots] = seg.sid
    index._df[:] = np.bincount(seg.fwd_terms, minlength=len(terms)).astype(np.int32)
    index._dl[:n_slots] = np.where(alive, doc_len, 0)
    index._total_len = int(index._dl.sum())
    index._lang[:n_slots] = store.cols["language"][:n_slots]
    index._count_lengths(seg.doc_slots.astype(np.int64), +1)
