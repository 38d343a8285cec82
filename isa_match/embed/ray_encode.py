"""Batch encoding over many machines: text shards in, embedding shards out, as a Ray Data job.

``isa-match index --ray [ADDRESS]`` runs three steps (without ``--ray`` the
index command encodes in-process with every local core: ``use-m3`` starts one
worker process per core):

1. :func:`stage_texts` writes the validated listings' texts as Parquet shards
   (``id``, ``text``, ``title``; :data:`ROWS_PER_SHARD` rows each, in input order);
2. :func:`encode_shards` runs a Ray Data job over shard files (these, or any
   Parquet/JSONL files with those columns): an actor pool with one encoder copy
   per CPU of the cluster (one BLAS thread each) encodes every shard whole and
   writes ``<shard>.emb.parquet`` (``id``, ``vector`` as ``fixed_size_list<float32>``)
   plus a ``manifest.json`` naming the encoder, dimension and shards;
3. :func:`load_embeddings` reads them back in the order of the listings, checking
   that every id is there exactly once, and the index is built from them.

The document vector is :func:`document_vectors`, the formula of
``Matcher.encode_listings`` (text vector plus ``title_weight`` times the title
vector, normalised). A shard is always encoded in one call, so its batch
composition depends on the input only: a re-run, or a cluster of another size,
gives bitwise identical vectors. Against the in-process path they are identical
for batch-independent encoders (``hashing``); ``use-m3`` pads each micro-batch
to its longest text, so its vectors differ in the last bits (a few 1e-7) with
the company a text keeps in a batch, on any path.

On a cluster every node needs this package installed and the shard folder on
storage all nodes share (NFS, or an ``s3://``-style path pyarrow can write).
"""

from __future__ import annotations

import importlib
import json
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .base import Encoder, FloatMatrix

ROWS_PER_SHARD = 1024
"""Listings per staged text shard (fixed, so vectors do not depend on the cluster's size)."""

MANIFEST = "manifest.json"
_KIND = "isa-match embeddings"


class RayUnavailableError(ImportError):
    """Ray (the ``scale`` extra) is not installed."""

    def __init__(self) -> None:
        super().__init__(
            'encoding with --ray needs Ray Data: pip install "isa-match[scale]" (or "ray[data]")'
        )


def _import(name: str) -> Any:
    # import_module: Ray and pyarrow are typed loosely; the core never needs them at import
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        if name.startswith("ray"):
            raise RayUnavailableError() from exc
        raise


def document_vectors(
    encoder: Encoder, texts: list[str], titles: list[str], title_weight: float
) -> FloatMatrix:
    """Document vectors as ``Matcher.encode_listings`` makes them (one encode call per part)."""
    full = encoder.encode(texts, role="document")
    if title_weight == 0:
        return full
    title_vecs = encoder.encode(titles, role="document")
    mixed = full + np.float32(title_weight) * title_vecs
    norms = np.linalg.norm(mixed, axis=1, keepdims=True)
    out: FloatMatrix = (mixed / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


def stage_texts(
    rows: Sequence[tuple[str, str, str]], folder: Path, *, rows_per_shard: int = ROWS_PER_SHARD
) -> list[Path]:
    """Write ``(id, text, title)`` rows as Parquet shards ``texts-00000.parquet`` ...

    Returns the shard paths in input order.
    """
    pa, pq = _import("pyarrow"), _import("pyarrow.parquet")
    if rows_per_shard < 1:
        raise ValueError(f"rows_per_shard must be at least 1, got {rows_per_shard}")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, start in enumerate(range(0, len(rows), rows_per_shard)):
        part = rows[start : start + rows_per_shard]
        table = pa.table(
            {
                "id": [r[0] for r in part],
                "text": [r[1] for r in part],
                "title": [r[2] for r in part],
            }
        )
        path = folder / f"texts-{number:05d}.parquet"
        pq.write_table(table, path)
        paths.append(path)
    return paths


def _read_shard(path: str, need_title: bool) -> tuple[list[str], list[str], list[str]]:
    """``id``, ``text`` and ``title`` columns of a Parquet or JSONL shard, as strings."""
    if path.endswith((".jsonl", ".json", ".ndjson")):
        table = _import("pyarrow.json").read_json(path)
    else:
        table = _import("pyarrow.parquet").read_table(path)
    wanted = ["id", "text", "title"] if need_title else ["id", "text"]
    missing = [c for c in wanted if c not in table.column_names]
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {', '.join(missing)} (has {table.column_names})"
        )
    cols = {c: table.column(c).to_pylist() for c in wanted}
    for c, values in cols.items():
        bad = next((i for i, v in enumerate(values) if not isinstance(v, str) or not v), None)
        if bad is not None:
            raise ValueError(f"{path}, row {bad + 1}: {c} must be a non-empty string")
    return cols["id"], cols["text"], cols.get("title", cols["text"])


def encode_shard_file(
    encoder: Encoder, shard: str, out: str, title_weight: float
) -> dict[str, Any]:
    """Encode one shard whole and write its embedding shard (atomically); returns a summary."""
    pa, pq = _import("pyarrow"), _import("pyarrow.parquet")
    ids, texts, titles = _read_shard(shard, title_weight != 0)
    started = time.perf_counter()
    vectors = document_vectors(encoder, texts, titles, title_weight)
    dim = int(vectors.shape[1])
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1))
    table = pa.table({"id": ids, "vector": pa.FixedSizeListArray.from_arrays(flat, dim)})
    tmp = f"{out}.tmp-{uuid.uuid4().hex[:8]}"
    pq.write_table(table, tmp)
    os.replace(tmp, out)
    return {
        "shard": shard,
        "out": out,
        "rows": len(ids),
        "dim": dim,
        "seconds": time.perf_counter() - started,
        "encoder": f"{encoder.name} {encoder.version}",
    }


class ShardEncoder:
    """A Ray Data actor: one encoder copy (one process, one BLAS thread) encoding whole shards."""

    def __init__(self, encoder: str, title_weight: float) -> None:
        from threadpoolctl import threadpool_limits

        from .registry import get_encoder

        threadpool_limits(limits=1)  # Ray runs one actor per CPU: no BLAS threads on top
        self.encoder = get_encoder(encoder)
        if getattr(self.encoder, "workers", 1) > 1:
            self.encoder.workers = 1  # type: ignore[attr-defined]  # no pool inside an actor
        self.title_weight = title_weight

    def __call__(self, batch: dict[str, npt.NDArray[Any]]) -> dict[str, list[Any]]:
        done = [
            encode_shard_file(self.encoder, str(shard), str(out), self.title_weight)
            for shard, out in zip(batch["shard"], batch["out"], strict=True)
        ]
        return {key: [d[key] for d in done] for key in done[0]} if done else {}


@contextmanager
def ray_session(address: str | None = None, **init: Any) -> Iterator[Any]:
    """The ``ray`` module with a running instance: one this process started is reused and left
    running; otherwise Ray starts (``address=None``: a new local instance on this machine's
    cores; an address such as ``auto`` or ``ray://head:10001``: that cluster) and is shut
    down afterwards."""
    ray = _import("ray")
    if ray.is_initialized():
        yield ray
        return
    # "local" starts a new instance even when this machine runs another Ray cluster
    ray.init(address=address or "local", include_dashboard=False, **init)
    try:
        yield ray
    finally:
        ray.shutdown()


@dataclass(frozen=True)
class EncodeReport:
    """What :func:`encode_shards` did."""

    folder: Path
    rows: int
    shards: int
    actors: int
    seconds: float
    encoder: str


def encode_shards(
    shards: Sequence[str | Path],
    out: Path,
    *,
    encoder: Encoder,
    title_weight: float,
    address: str | None = None,
    actors: int | None = None,
    progress: bool = False,
) -> EncodeReport:
    """Encode shard files as a Ray Data job and write embedding shards plus a manifest to ``out``.

    Args:
        shards: Parquet or JSONL files with ``id``, ``text`` (and ``title``) columns.
        out: the embeddings folder (created).
        encoder: the encoder (its registry name is sent to the actors, which load their own
            copy; the name and version they report must match it).
        title_weight: weight of the title vector (``RankConfig.title_weight``).
        address: a Ray cluster address (``None``: reuse a running instance or start a
            local one).
        actors: encoder copies (default: one per CPU of the cluster, at most one per shard).
        progress: Ray Data progress bars.

    Raises:
        RayUnavailableError: Ray is not installed.
        ValueError: an actor's encoder differs from ``encoder``, or a shard is malformed.
    """
    started = time.perf_counter()
    names = [str(s) for s in shards]
    out.mkdir(parents=True, exist_ok=True)
    stems = [Path(s).name.split(".")[0] for s in names]
    if len(set(stems)) != len(stems):
        raise ValueError("shard file names must be unique up to their extension")
    items = [
        {"shard": s, "out": str(out / f"{stem}.emb.parquet")}
        for s, stem in zip(names, stems, strict=True)
    ]
    with ray_session(address) as ray:
        data = _import("ray.data")
        data.DataContext.get_current().enable_progress_bars = progress
        cpus = int(ray.cluster_resources().get("CPU", 1))
        size = max(1, min(actors or cpus, len(items)))
        done = (
            data.from_items(items)
            .map_batches(
                ShardEncoder,
                batch_size=1,
                compute=data.ActorPoolStrategy(size=size),
                fn_constructor_kwargs={"encoder": encoder.name, "title_weight": title_weight},
                num_cpus=1,
                batch_format="numpy",
            )
            .take_all()
        )
    want = f"{encoder.name} {encoder.version}"
    wrong = sorted({str(d["encoder"]) for d in done} - {want})
    if wrong:
        raise ValueError(f"Ray workers encoded with {', '.join(wrong)}, expected {want}")
    dims = {int(d["dim"]) for d in done}
    by_shard = {str(d["shard"]): d for d in done}
    if len(dims) != 1 or len(by_shard) != len(names):
        raise ValueError(f"Ray job returned {len(by_shard)} of {len(names)} shards, dims {dims}")
    total = sum(int(d["rows"]) for d in done)
    manifest: dict[str, Any] = {
        "kind": _KIND,
        "encoder": {"name": encoder.name, "version": encoder.version},
        "dim": dims.pop(),
        "title_weight": title_weight,
        "rows": total,
        "shards": [
            {"source": s, "file": Path(i["out"]).name, "rows": int(by_shard[s]["rows"])}
            for s, i in zip(names, items, strict=True)
        ],
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return EncodeReport(
        folder=out,
        rows=total,
        shards=len(names),
        actors=size,
        seconds=time.perf_counter() - started,
        encoder=want,
    )


def load_embeddings(folder: Path, ids: Sequence[str], *, encoder: Encoder) -> FloatMatrix:
    """The vectors of ``ids`` (in that order) from an embeddings folder of :func:`encode_shards`.

    Raises:
        ValueError: another encoder, an id missing or present twice, or a damaged shard.
    """
    pq = _import("pyarrow.parquet")
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{folder}: not an embeddings folder ({exc})") from exc
    if manifest.get("kind") != _KIND:
        raise ValueError(f"{folder}/{MANIFEST}: not an embeddings manifest")
    want = {"name": encoder.name, "version": encoder.version}
    if manifest.get("encoder") != want:
        raise ValueError(f"{folder}: encoded with {manifest.get('encoder')}, expected {want}")
    dim = int(manifest["dim"])
    position = {item_id: row for row, item_id in enumerate(ids)}
    if len(position) != len(ids):
        raise ValueError("load_embeddings: the requested ids contain duplicates")
    out = np.empty((len(ids), dim), dtype=np.float32)
    seen = np.zeros(len(ids), dtype=bool)
    for shard in manifest["shards"]:
        path = folder / shard["file"]
        table = pq.read_table(path)
        got = table.column("id").to_pylist()
        vecs = table.column("vector").combine_chunks().flatten().to_numpy(zero_copy_only=False)
        if len(got) != shard["rows"] or vecs.size != len(got) * dim:
            raise ValueError(
                f"{path}: {len(got)} rows of {vecs.size} values, expected "
                f"{shard['rows']} rows of dimension {dim}"
            )
        rows = np.array([position.get(i, -1) for i in got], dtype=np.int64)
        if (rows < 0).any():
            extra = [i for i, r in zip(got, rows.tolist(), strict=True) if r < 0]
            raise ValueError(f"{path}: vectors of ids that are not being indexed: {extra[:5]}")
        if seen[rows].any():
            twice = [got[i] for i in np.flatnonzero(seen[rows])[:5]]
            raise ValueError(f"{path}: ids present twice in the embeddings: {twice}")
        seen[rows] = True
        out[rows] = vecs.reshape(len(got), dim)
    if not seen.all():
        missing = [ids[i] for i in np.flatnonzero(~seen)[:5]]
        raise ValueError(f"{folder}: no vectors for {int((~seen).sum())} id(s), e.g. {missing}")
    return out
