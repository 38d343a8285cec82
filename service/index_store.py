"""The saved search index: a folder holding the matcher and the watermark it reflects.

Layout (written atomically by :func:`isa_match.index._persist.write_folder`)::

    <index_dir>/
      manifest.json   kind, format, watermark, database id, listing count, encoder
      matcher/        the :class:`~isa_match.Matcher` folder (its own manifest)

The *watermark* is the database's change counter at the moment the matcher was
saved: the index reflects every listing change numbered up to it and none after.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from isa_match.embed.base import Encoder
from isa_match.index import _persist
from isa_match.index.base import EncoderInfo, IndexCorruptError, IndexMismatchError
from isa_match.rank.matcher import Matcher

log = logging.getLogger(__name__)

INDEX_KIND = "isa_match.service_index"
INDEX_FORMAT = 1


@dataclass(frozen=True, slots=True)
class SavedIndex:
    """What a saved index folder says about itself."""

    watermark: int
    database_id: str
    listings: int
    encoder: EncoderInfo | None


def read_saved(path: Path) -> SavedIndex:
    """Read and check the folder's manifest (and every checksum of the outer folder).

    Raises:
        IndexCorruptError: missing, unreadable or altered.
        IndexMismatchError: another kind or format.
    """
    manifest = _persist.read_manifest(path)
    if manifest.get("kind") != INDEX_KIND:
        raise IndexMismatchError(f"{path}: not a service index (kind {manifest.get('kind')!r})")
    if manifest.get("index_format") != INDEX_FORMAT:
        raise IndexMismatchError(
            f"{path}: service index format {manifest.get('index_format')!r}, "
            f"this code reads {INDEX_FORMAT}"
        )
    try:
        return SavedIndex(
            watermark=int(manifest["watermark"]),
            database_id=str(manifest["database_id"]),
            listings=int(manifest["listings"]),
            encoder=EncoderInfo.from_dict(manifest.get("encoder")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexCorruptError(f"{path}/manifest.json: malformed ({exc})") from exc


def load_matcher(path: Path, encoder: Encoder, milvus_uri: str | None = None) -> Matcher:
    """Load the saved matcher and attach ``encoder`` (which must be the one it was built with).

    ``milvus_uri``: connect a Milvus-backed index there instead of its manifest's URI.

    Raises:
        IndexCorruptError, IndexMismatchError: the folder cannot be used.
    """
    from isa_match.index.milvus_index import milvus_uri_override

    # The service's warmed-up encoder: the matcher does not load a second one.
    with milvus_uri_override(milvus_uri):
        return Matcher.load(path / "matcher", encoder=encoder)


@dataclass(frozen=True, slots=True)
class Opened:
    """What start-up found: a usable matcher (maybe stale), or why there is none."""

    matcher: Matcher | None
    watermark: int | None
    reason: str | None
    stale: bool


def open_saved(
    path: Path, encoder: Encoder, database_id: str, db_seq: int, milvus_uri: str | None = None
) -> Opened:
    """Open the saved index if it belongs to this database and is not ahead of it.

    Args:
        path: the index folder.
        encoder: the service's encoder (the index must have been built with it).
        database_id: the database's identity (:class:`~service.models.IndexState`).
        db_seq: the database's change counter.

    Returns:
        The matcher and its watermark, stale when the database has moved on since;
        or no matcher and the reason it must be rebuilt.
    """
    if not (path / "manifest.json").exists():
        return Opened(None, None, f"no saved index in {path}", False)
    try:
        saved = read_saved(path)
    except (IndexCorruptError, IndexMismatchError) as exc:
        return Opened(None, None, f"the saved index cannot be used ({exc})", False)
    if saved.database_id != database_id:
        return Opened(None, None, "the saved index was built from another database", False)
    if saved.watermark > db_seq:
        reason = (
            f"the saved index reflects change {saved.watermark}, the database only {db_seq} "
            "(database restored from a backup?)"
        )
        return Opened(None, None, reason, False)
    try:
        matcher = load_matcher(path, encoder, milvus_uri)
    except (IndexCorruptError, IndexMismatchError, OSError, ValueError, RuntimeError) as exc:
        return Opened(None, None, f"the saved index cannot be used ({exc})", False)
    if saved.watermark < db_seq:
        reason = f"the saved index reflects change {saved.watermark}, the database {db_seq}"
        return Opened(matcher, saved.watermark, reason, True)
    return Opened(matcher, saved.watermark, None, False)


def save_index(path: Path, matcher: Matcher, *, watermark: int, database_id: str) -> None:
    """Write ``matcher`` with its watermark to ``path`` atomically."""
    manifest = {
        "kind": INDEX_KIND,
        "index_format": INDEX_FORMAT,
        "watermark": watermark,
        "database_id": database_id,
        "listings": len(matcher),
        "encoder": matcher.encoder_info.as_dict(),
    }
    _persist.write_folder(path, manifest, {}, subfolders={"matcher": matcher.save})


@contextmanager
def folder_lock(path: Path) -> Iterator[bool]:
    """Try to take an exclusive lock beside ``path`` (one saver among worker processes).

    Yields True when this process holds the lock, False when another one does.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.parent / f".{path.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
