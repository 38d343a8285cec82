"""The engine holder: locks, catching up across processes, rebuild while serving."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from svc_helpers import small_settings

from isa_match.schema import Listing
from service._rwlock import RWLock
from service.bootstrap import prepare_database
from service.db import Database, next_seq
from service.engine import MatchEngine
from service.listing_data import fill_row, to_listing
from service.models import ListingRow


def test_rwlock_readers_share_writer_excludes() -> None:
    lock = RWLock()
    inside: list[str] = []
    both_readers = threading.Barrier(2, timeout=5)

    def reader() -> None:
        with lock.read():
            inside.append("r")
            both_readers.wait()  # two readers inside at once, or this times out

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert inside == ["r", "r"]
    order: list[str] = []
    with lock.write():
        t = threading.Thread(target=lambda: (lock.read().__enter__(), order.append("read")))
        t.start()
        time.sleep(0.05)
        order.append("write done")
    t.join(timeout=5)
    assert order == ["write done", "read"]


def _engine(settings_dir: Path, **overrides: object) -> tuple[Database, MatchEngine]:
    settings = small_settings(settings_dir, **overrides)
    database = Database(settings)
    prepare_database(database, settings)
    engine = MatchEngine(settings, database)
    engine.start()
    return database, engine


def _write(database: Database, listing: Listing, org_id: int) -> int:
    with database.write_session() as db:
        seq = next_seq(db)
        row = ListingRow(organization_id=org_id, status="active", version=1, seq=seq)
        fill_row(row, listing)
        db.add(row)
        db.commit()
    return seq


def test_a_second_worker_catches_up_before_searching(tmp_path: Path) -> None:
    database, first = _engine(tmp_path)
    _, second = _engine(tmp_path, sync_on_read=True)
    try:
        with database.session() as db:
            template = db.query(ListingRow).first()
            assert template is not None
            org_id = template.organization_id
            base = to_listing(template)
        import dataclasses

        new = dataclasses.replace(base, id="W-1", title="Wolframcarbid-Fräser für Zahnräder")
        # worker one writes and applies; worker two has not seen the change
        with first.writing():
            seq = _write(database, new, org_id)
            first.apply(seq, [new])
        assert not second.contains("W-1")
        hits = second.suggest(text="Wolframcarbid-Fräser Zahnräder", k=3)
        assert hits[0].id == "W-1"
        assert second.watermark == first.watermark == seq
        # worker two writes the next change: worker one catches up on its own next apply
        other = dataclasses.replace(base, id="W-2", title="Keramiklager für Pumpen")
        with second.writing():
            seq2 = _write(database, other, org_id)
            second.apply(seq2, [other])
        newer = dataclasses.replace(base, id="W-3", title="Dichtungen aus Graphit")
        with first.writing():
            seq3 = _write(database, newer, org_id)
            first.apply(seq3, [newer])
        assert first.contains("W-2") and first.contains("W-3") and first.watermark == seq3
    finally:
        first.stop()
        second.stop()
        database.dispose()


def test_searches_keep_running_during_a_rebuild(tmp_path: Path) -> None:
    database, engine = _engine(tmp_path)
    try:
        errors: list[BaseException] = []
        done = threading.Event()
        count = 0

        def search() -> None:
            nonlocal count
            while not done.is_set():
                try:
                    assert engine.suggest(text="Batterie Recycling", k=5)
                    count += 1
                except BaseException as exc:  # collected and re-raised below
                    errors.append(exc)
                    return

        threads = [threading.Thread(target=search) for _ in range(2)]
        for t in threads:
            t.start()
        before = count
        engine.rebuild("test").join(timeout=60)
        during = count - before
        done.set()
        for t in threads:
            t.join()
        assert errors == []
        assert engine.rebuilds == 2 and during > 0
    finally:
        engine.stop()
        database.dispose()
