"""The engine holder: one :class:`~isa_match.Matcher` kept in step with the database.

Concurrency:

* searches hold the read side of a readers/writer lock; one ranking runs at a
  time per process (:class:`SearchSlot`): rankings are mostly Python work, so
  threads running several at once only fight over the GIL and each takes longer
  (processes, ``--workers``, are the way to use more cores). A caller on the
  event loop asks with ``wait=False`` (:meth:`MatchEngine.suggest`): it gets the
  slot only when it is free and no thread waits for it, else :class:`EngineBusy`
  tells it to hand the search to a thread (so threads are never starved);
* writers are serialised by one mutex (:meth:`MatchEngine.writing`): inside it a
  writer commits to the database first, then :meth:`MatchEngine.apply` mutates
  the matcher under the write side of the lock (milliseconds: the vectors are
  encoded before the lock is taken), so a listing is searchable when the call
  that wrote it returns (read-your-writes);
* a rebuild reads a consistent snapshot, builds a new matcher without any lock,
  then catches up with the changes committed meanwhile and swaps it in under
  the write lock: searches keep running on the old one until the swap;
* saving the index holds the writer mutex (not the read/write lock), so searches
  keep running while the folder is written.

Start-up compares the saved index's watermark with the database's change counter;
a missing, corrupt or foreign index is rebuilt before serving, a stale one is
loaded, caught up from the database and rebuilt in the background. A loaded or
rebuilt matcher answers a few suggestions before it is served, so the first
requests do not pay for its lazily built filter plans.

Next to the matcher the engine keeps the ids of each organisation's listings in
it (:class:`Owners`, changed with the matcher under the same lock), so "never
suggest an organisation's own listings" costs no query and always agrees with
the index being searched.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

from isa_match.embed.base import Encoder
from isa_match.rank.config import load_config
from isa_match.rank.matcher import Match, Matcher
from isa_match.schema import Filters, Kind, Listing
from service import index_store
from service._rwlock import RWLock
from service.db import Database, current_seq, read_state
from service.listing_data import changed_since, iter_active, to_listing
from service.models import ListingRow, utcnow
from service.settings import Settings

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


class IndexNotReady(RuntimeError):
    """The index is still being built (the API answers 503 with Retry-After)."""


class EngineBusy(RuntimeError):
    """:meth:`MatchEngine.suggest` with ``wait=False`` would have had to wait: another
    ranking holds the slot or a thread waits for it, or the index must first catch up
    with other workers' changes. Nothing was done; ask again with ``wait=True`` (from
    a thread)."""


class SearchSlot:
    """One ranking at a time (a lock that knows whether anyone waits for it).

    :meth:`try_acquire` never overtakes a waiting thread: under a steady stream of
    requests answered on the event loop, a thread that waits (a review page, a
    free-text search) gets the slot at the next release.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._busy = False
        self._waiting = 0

    def acquire(self) -> None:
        """Take the slot, waiting for it."""
        with self._cond:
            self._waiting += 1
            try:
                while self._busy:
                    self._cond.wait()
            finally:
                self._waiting -= 1
            self._busy = True

    def try_acquire(self) -> bool:
        """Take the slot if it is free and nobody waits for it; False otherwise."""
        with self._cond:
            if self._busy or self._waiting:
                return False
            self._busy = True
            return True

    def release(self) -> None:
        """Give the slot back (to a waiting thread, if there is one)."""
        with self._cond:
            self._busy = False
            if self._waiting:
                self._cond.notify()


Owner = tuple[str, str]
"""An organisation as the index knows it: (name, member city); unique like the
``organizations`` table's (name, city)."""


class Owners:
    """The ids of each organisation's listings in one matcher (changed along with it)."""

    def __init__(self, listings: Iterable[Listing] = ()) -> None:
        groups: dict[Owner, set[str]] = {}
        for item in listings:
            groups.setdefault(_owner(item), set()).add(item.id)
        self._ids: dict[Owner, frozenset[str]] = {k: frozenset(v) for k, v in groups.items()}

    def of(self, owner: Owner) -> frozenset[str]:
        """The ids of ``owner``'s listings (empty when it has none)."""
        return self._ids.get(owner, frozenset())

    def add(self, listings: Iterable[Listing]) -> None:
        """Record ``listings`` under their owners (before adding them to the matcher:
        an owner that lists too much only excludes more)."""
        for owner, ids in _grouped((_owner(x), x.id) for x in listings).items():
            self._ids[owner] = self.of(owner) | ids

    def discard(self, pairs: Iterable[tuple[Owner, str]]) -> None:
        """Forget (owner, id) pairs (after the matcher dropped or moved those ids)."""
        for owner, ids in _grouped(pairs).items():
            left = self.of(owner) - ids
            if left:
                self._ids[owner] = left
            else:
                self._ids.pop(owner, None)


def _owner(listing: Listing) -> Owner:
    return (listing.organization, listing.city)


def _grouped(pairs: Iterable[tuple[Owner, str]]) -> dict[Owner, frozenset[str]]:
    groups: dict[Owner, set[str]] = {}
    for owner, item_id in pairs:
        groups.setdefault(owner, set()).add(item_id)
    return {k: frozenset(v) for k, v in groups.items()}


def _limit_native_threads() -> None:
    """One BLAS thread for the process, one OpenMP thread for the calling thread.

    FAISS's OpenMP setting is per thread, so every thread that searches calls this
    (see shared PERFORMANCE.md: two threads made single queries ~2x slower).
    """
    try:
        import faiss

        faiss.omp_set_num_threads(1)
    except ImportError:  # the exact backend needs no FAISS
        pass


class MatchEngine:
    """Owns the matcher, its locks, the saved index and rebuilds (see the module docstring)."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.watermark = 0
        self.database_id = ""
        self.rebuilds = 0
        self.last_rebuild_reason: str | None = None
        self.saved_watermark: int | None = None
        self._matcher: Matcher | None = None
        self._owners = Owners()
        self._encoder: Encoder | None = None
        self._rw = RWLock()
        self._slot = SearchSlot()
        self._write_mutex = threading.RLock()
        self._rebuild_lock = threading.Lock()
        self._rebuild_thread: threading.Thread | None = None
        self._save_lock = threading.Lock()
        self._unsaved = 0
        self._first_unsaved: float | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._saver: threading.Thread | None = None
        self._local = threading.local()
        self._blas_limits: Any = None

    # -- life cycle -------------------------------------------------------------------

    def start(self, *, wait: bool = True) -> None:
        """Load or build the index and start the background saver.

        Args:
            wait: when the index must be built from scratch, build it before
                returning; otherwise build in the background (searches answer
                503 until it is ready).
        """
        from threadpoolctl import threadpool_limits

        self._blas_limits = threadpool_limits(limits=1, user_api="blas")
        self._thread_setup()
        self._encoder = self._make_encoder()
        with self.database.session() as db:
            state = read_state(db)
            self.database_id, db_seq = state.database_id, state.change_seq
        matcher, reason, stale = self._open_saved(db_seq)
        if matcher is not None:
            _warm_up(matcher)
            self._owners = Owners(matcher.listings())
            self._matcher = matcher
            self.watermark = self.saved_watermark or 0
            log.info("loaded the saved index: %d listings", len(matcher))
            if stale:
                with self._write_mutex:
                    applied = self._catch_up_locked()
                log.info("caught up with %d listing change(s) since the index was saved", applied)
                log.warning("index rebuild: %s; caught up, rebuilding in the background", reason)
                self.rebuild(reason or "stale index")
        else:
            (log.info if reason and reason.startswith("no saved index") else log.warning)(
                "index rebuild: %s", reason
            )
            if wait:
                self._rebuild_run(reason or "no index", raise_errors=True)
            else:
                self.rebuild(reason or "no index")
        self._saver = threading.Thread(target=self._save_loop, name="isa-index-saver", daemon=True)
        self._saver.start()

    def stop(self) -> None:
        """Stop the saver, wait for a running rebuild, save unsaved changes."""
        self._stop.set()
        self._wake.set()
        if self._saver is not None:
            self._saver.join(timeout=30)
        thread = self._rebuild_thread
        if thread is not None:
            thread.join(timeout=600)
        if self._unsaved and self._matcher is not None:
            self.save()
        self._close_encoder_pool()
        if self._blas_limits is not None:
            self._blas_limits.restore_original_limits()
            self._blas_limits = None

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait for a running rebuild to finish; True when none runs any more."""
        thread = self._rebuild_thread
        if thread is not None:
            thread.join(timeout)
        return not self.rebuilding

    @property
    def ready(self) -> bool:
        """True once a matcher is being served."""
        return self._matcher is not None

    @property
    def rebuilding(self) -> bool:
        """True while a background rebuild runs."""
        thread = self._rebuild_thread
        return thread is not None and thread.is_alive()

    def status(self) -> dict[str, Any]:
        """Counts and watermarks for health checks and logs."""
        matcher = self._matcher
        return {
            "ready": matcher is not None,
            "listings": len(matcher) if matcher is not None else 0,
            "watermark": self.watermark,
            "saved_watermark": self.saved_watermark,
            "unsaved_changes": self._unsaved,
            "rebuilding": self.rebuilding,
            "rebuilds": self.rebuilds,
            "last_rebuild_reason": self.last_rebuild_reason,
        }

    # -- reading ----------------------------------------------------------------------

    def suggest(
        self,
        listing_id: str | None = None,
        *,
        text: str | None = None,
        kind: str | None = None,
        k: int = 10,
        filters: Filters | None = None,
        exclude_ids: frozenset[str] = frozenset(),
        exclude_owner: Owner | None = None,
        seen_seq: int | None = None,
        wait: bool = True,
    ) -> list[Match]:
        """:meth:`Matcher.suggest` under the read lock; ``exclude_ids`` and the listings
        of ``exclude_owner`` (an organisation's (name, city)) are never suggested.

        Args:
            seen_seq: the database's change counter as the caller read it at the start
                of its request. With ``sync_on_read``, the index catches up first
                unless it already holds every change up to this number (without it,
                the counter is read here).
            wait: ``False`` for a caller on the event loop: rather than wait for the
                ranking slot or catch up with other workers' changes, raise
                :class:`EngineBusy`. The read lock is still waited for; only a change
                being applied to the index holds it (milliseconds per listing).

        Raises:
            EngineBusy: ``wait=False`` and the search would have had to wait.
            IndexNotReady: no index yet.
            QueryError, UnknownIdError: from the matcher.
        """
        if self.settings.sync_on_read and (seen_seq is None or seen_seq > self.watermark):
            if not wait:
                raise EngineBusy("the index must catch up with other workers' changes")
            self.sync()
        self._thread_setup()
        if wait:
            self._slot.acquire()
        elif not self._slot.try_acquire():
            raise EngineBusy("another ranking runs or waits")
        try:
            with self._rw.read():
                matcher = self._require()
                if exclude_owner is not None:
                    # read under the lock: the same state of the index as the search
                    exclude_ids = exclude_ids | self._owners.of(exclude_owner)
                if exclude_ids:
                    base = filters or Filters()
                    filters = dataclasses.replace(base, exclude_ids=base.exclude_ids | exclude_ids)
                return matcher.suggest(listing_id, text=text, kind=kind, k=k, filters=filters)
        finally:
            self._slot.release()

    def owned_ids(self, owner: Owner) -> frozenset[str]:
        """The ids of an organisation's listings in the served index."""
        with self._rw.read():
            return self._owners.of(owner)

    def contains(self, listing_id: str) -> bool:
        """True when the listing is in the served index."""
        with self._rw.read():
            return self._matcher is not None and listing_id in self._matcher

    def _require(self) -> Matcher:
        if self._matcher is None:
            raise IndexNotReady("the search index is being built; try again in a minute")
        return self._matcher

    # -- writing ----------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Serialise a writer: commit to the database, then :meth:`apply`, inside this."""
        with self._write_mutex:
            yield

    def encode(self, listings: Sequence[Listing]) -> Vectors | None:
        """Document vectors for ``listings`` (no lock held; ``None`` before the index exists)."""
        matcher = self._matcher
        if matcher is None or not listings:
            return None
        self._thread_setup()
        return matcher.encode_listings(listings)

    def apply(
        self,
        seq: int,
        upserts: Sequence[Listing] = (),
        removals: Sequence[str] = (),
        *,
        vectors: Vectors | None = None,
    ) -> None:
        """Apply change ``seq``, already committed, to the served matcher.

        Call inside :meth:`writing`. Changes numbered before ``seq`` that this
        process has not seen (written by another worker) are read from the
        database first. A failure here cannot undo the commit: it is logged and
        the index is rebuilt from the database.
        """
        upserts = _without_contact(upserts)
        with self._write_mutex:
            matcher = self._matcher
            if matcher is None:
                return  # the initial build catches up with this change when it installs
            try:
                if self.watermark < seq - 1:
                    self._catch_up_locked(upto=seq - 1)
                if upserts and (vectors is None or len(vectors) != len(upserts)):
                    vectors = matcher.encode_listings(upserts)
                with self._rw.write():
                    _mutate(matcher, self._owners, list(upserts), list(removals), vectors)
                    self.watermark = max(self.watermark, seq)
            except Exception:
                log.exception("applying change %d to the index failed", seq)
                self.rebuild(f"applying change {seq} failed")
                return
            self._note_changes(len(upserts) + len(removals))

    def sync(self) -> int:
        """Catch up with changes committed by other processes; returns how many were applied."""
        top = self.database.change_seq()
        if top <= self.watermark:
            return 0
        with self._write_mutex:
            return self._catch_up_locked()

    def _changes(self, since: int, upto: int | None = None) -> tuple[list[ListingRow], int]:
        """Rows changed after ``since`` up to ``upto`` (default: the latest), and that number.

        The counter is read before the rows: commits happen in counter order, so every
        change numbered up to it is visible to the second query.
        """
        with self.database.session() as db:
            top = current_seq(db) if upto is None else upto
            return changed_since(db, since, top), top

    def _catch_up_locked(self, upto: int | None = None) -> int:
        matcher = self._matcher
        if matcher is None:
            return 0
        rows, top = self._changes(self.watermark, upto)
        upserts, removals = _split(rows)
        vectors = matcher.encode_listings(upserts) if upserts else None
        with self._rw.write():
            _mutate(matcher, self._owners, upserts, removals, vectors)
            self.watermark = max(self.watermark, top)
        if rows:
            log.debug("index caught up with %d changed listing(s) up to change %d", len(rows), top)
            self._note_changes(len(rows))
        return len(rows)

    # -- rebuilding -------------------------------------------------------------------

    def rebuild(self, reason: str) -> threading.Thread:
        """Rebuild the index from the database in the background; swap it in when done.

        Returns the rebuild thread (an already running one if there is one).
        """
        with self._rebuild_lock:
            running = self._rebuild_thread
            if running is not None and running.is_alive():
                return running
            thread = threading.Thread(
                target=self._rebuild_run, args=(reason,), name="isa-index-rebuild", daemon=True
            )
            self._rebuild_thread = thread
            thread.start()
            return thread

    def _rebuild_run(self, reason: str, *, raise_errors: bool = False) -> None:
        self._thread_setup()
        self.last_rebuild_reason = reason
        started = time.monotonic()
        try:
            matcher, seq = self._build_from_db()
            owners = Owners(matcher.listings())
            with self._write_mutex:
                # changes committed while building: replay them onto the new matcher
                rows, top = self._changes(seq)
                upserts, removals = _split(rows)
                vectors = matcher.encode_listings(upserts) if upserts else None
                _mutate(matcher, owners, upserts, removals, vectors)
                with self._rw.write():
                    replaced = self._matcher
                    self._matcher, self._owners = matcher, owners
                    self.watermark = top
                self._note_changes(1)
            self.rebuilds += 1
            log.info(
                "index rebuilt: %d listings at change %d in %.1f s",
                len(matcher),
                top,
                time.monotonic() - started,
            )
            if self.save():
                _drop_replaced(replaced, matcher)
        except Exception:
            log.exception("index rebuild failed (%s)", reason)
            if raise_errors:
                raise
        finally:
            self._close_encoder_pool()

    def _build_from_db(self) -> tuple[Matcher, int]:
        """A new matcher of every active listing, and the change number it reflects."""
        assert self._encoder is not None
        with self.database.session() as db:
            if self.database.dialect == "postgresql":
                db.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            seq = current_seq(db)  # same transaction (snapshot) as the listings below
            listings = _without_contact(iter_active(db))
        # a new Milvus collection per build: the served one keeps answering until the swap
        name = f"isa_{self.database_id[:12]}_{seq}_{uuid.uuid4().hex[:6]}"
        collection = re.sub(r"\W", "_", name)
        matcher = Matcher.build(
            listings,
            self.settings.ranking_config,
            encoder=self._encoder,
            backend=self.settings.index_backend,
            reference_date=self.settings.reference_date,
            **self.settings.index_options(collection),
        )
        _warm_up(matcher)
        return matcher, seq

    # -- persistence ------------------------------------------------------------------

    def _open_saved(self, db_seq: int) -> tuple[Matcher | None, str | None, bool]:
        """(matcher, reason to rebuild, stale) from the saved index folder."""
        assert self._encoder is not None
        milvus_uri = self.settings.milvus_uri if self.settings.index_backend == "milvus" else None
        opened = index_store.open_saved(
            self.settings.index_path, self._encoder, self.database_id, db_seq, milvus_uri
        )
        if opened.matcher is not None:
            opened.matcher.reference_date = self.settings.reference_date
            self.saved_watermark = opened.watermark
        return opened.matcher, opened.reason, opened.stale

    def save(self) -> bool:
        """Save the served index with its watermark; False when skipped (busy or no index)."""
        if not self._save_lock.acquire(blocking=False):
            return False
        try:
            with index_store.folder_lock(self.settings.index_path) as mine:
                if not mine:
                    return False
                # The writer mutex keeps the matcher still while searches go on.
                with self._write_mutex:
                    matcher, watermark, pending = self._matcher, self.watermark, self._unsaved
                    if matcher is None:
                        return False
                    index_store.save_index(
                        self.settings.index_path,
                        matcher,
                        watermark=watermark,
                        database_id=self.database_id,
                    )
                    self._unsaved -= pending
                    self._first_unsaved = None if self._unsaved == 0 else time.monotonic()
                    self.saved_watermark = watermark
            self._record_saved(watermark)
            log.info("index saved at change %d (%d listings)", watermark, len(matcher))
            return True
        except Exception:
            log.exception("saving the index failed")
            return False
        finally:
            self._save_lock.release()

    def _record_saved(self, watermark: int) -> None:
        from service.models import IndexState

        try:
            with self.database.session() as db:
                state = db.get(IndexState, 1)
                if state is not None:
                    state.saved_seq = watermark
                    state.saved_at = utcnow()
                    db.commit()
        except Exception:  # informational only; the manifest is what start-up reads
            log.warning("could not record the saved watermark in the database", exc_info=True)

    def _note_changes(self, n: int) -> None:
        if n <= 0:
            return
        self._unsaved += n
        if self._first_unsaved is None:
            self._first_unsaved = time.monotonic()
        if self._unsaved >= self.settings.index_save_every:
            self._wake.set()

    def _save_loop(self) -> None:
        every = self.settings.index_save_seconds
        while not self._stop.is_set():
            self._wake.wait(timeout=min(every, 5.0))
            self._wake.clear()
            if self._stop.is_set():
                return
            first = self._first_unsaved
            due = self._unsaved >= self.settings.index_save_every or (
                first is not None and time.monotonic() - first >= every
            )
            if self._unsaved and due:
                self.save()

    # -- helpers ----------------------------------------------------------------------

    def _close_encoder_pool(self) -> None:
        """Stop the encoder's worker processes (started for large builds; idle otherwise).

        The in-process model stays loaded for queries and single listings.
        """
        close = getattr(self._encoder, "close", None)
        if callable(close):
            try:
                close()
            except Exception:
                log.warning("stopping the encoder's worker pool failed", exc_info=True)

    def _thread_setup(self) -> None:
        if not getattr(self._local, "done", False):
            _limit_native_threads()
            self._local.done = True

    def _make_encoder(self) -> Encoder:
        from isa_match.embed import get_encoder

        name = self.settings.encoder or load_config(self.settings.ranking_config).encoder
        options: dict[str, Any] = {}
        if self.settings.encoder_workers is not None and name.partition(":")[0] == "use-m3":
            options["workers"] = self.settings.encoder_workers
        encoder = get_encoder(name, **options)
        warmup = getattr(encoder, "warmup", None)
        if callable(warmup):
            started = time.monotonic()
            # the model only: the worker pool for large builds starts when one comes
            if "pool" in inspect.signature(warmup).parameters:
                warmup(pool=False)
            else:
                warmup()
            log.info("encoder %s warmed up in %.1f s", encoder.name, time.monotonic() - started)
        return encoder


def _drop_replaced(old: Matcher | None, new: Matcher) -> None:
    """Drop the Milvus collection of a matcher the saved index no longer points to."""
    from isa_match.index.milvus_index import MilvusIndex

    dense = None if old is None else old.dense
    if isinstance(dense, MilvusIndex) and (
        not isinstance(new.dense, MilvusIndex) or dense.collection != new.dense.collection
    ):
        try:
            dense.drop()
        except Exception:  # noqa: BLE001 - the new index serves; an orphan is only space
            log.warning("could not drop the replaced Milvus collection %s", dense.collection)


def _split(rows: Sequence[ListingRow]) -> tuple[list[Listing], list[str]]:
    """Changed rows as (listings to add or replace, ids to remove)."""
    upserts = _without_contact(to_listing(r) for r in rows if r.status == "active")
    removals = [r.id for r in rows if r.status != "active"]
    return upserts, removals


def _without_contact(listings: Iterable[Listing]) -> list[Listing]:
    """The listings without their contact data: the index never holds personal data, so
    nothing that reads a suggestion's listing can reveal it."""
    return [dataclasses.replace(x, contact=None) if x.contact is not None else x for x in listings]


def _mutate(
    matcher: Matcher,
    owners: Owners,
    upserts: list[Listing],
    removals: list[str],
    vectors: Vectors | None,
) -> None:
    """Apply a change to ``matcher`` and its ``owners`` (under the write lock if served).

    New owners are recorded before the matcher changes and old ones forgotten after,
    so a failure half-way leaves owners that exclude too much, never too little.
    """
    gone = [(_owner(matcher.get(x)), x) for x in removals if x in matcher]
    for item in upserts:
        if item.id in matcher:
            before = _owner(matcher.get(item.id))
            if before != _owner(item):
                gone.append((before, item.id))
    owners.add(upserts)
    if upserts:
        matcher.add(upserts, vectors=vectors)
    if removals:
        matcher.remove(removals, missing_ok=True)
    owners.discard(gone)


def _warm_up(matcher: Matcher, per_kind: int = 2) -> None:
    """Answer a few suggestions (for each kind of listing) so the lazily built parts of
    the matcher (filter plans, bitmaps: ~0.5 s at 100k) are ready before it is served."""
    started = time.monotonic()
    wanted = dict.fromkeys(Kind, per_kind)
    picks: list[str] = []
    for item in matcher.listings():
        if wanted.get(item.kind, 0) > 0:
            wanted[item.kind] -= 1
            picks.append(item.id)
            if not any(wanted.values()):
                break
    try:
        for item_id in picks:
            matcher.suggest(item_id, k=10, filters=Filters(exclude_ids=frozenset({item_id})))
    except Exception:  # a cold first request is slow, not wrong: never fail a start on it
        log.warning("warming the matcher up failed", exc_info=True)
        return
    log.info("matcher warmed up in %.2f s", time.monotonic() - started)
