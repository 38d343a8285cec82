"""First start: the embedded sample corpus, its organisations and the demo accounts.

On an empty database in demo mode the sample listings (``data/sample``) are
imported with their organisations, and one account per role is created (see
:data:`DEMO_PASSWORDS` and ``service/README.md``). The two demo companies are
the two sides of a labelled sample pair, a Köln organisation and a Chinese one,
so that each finds the other among its suggestions.

Production mode never seeds and refuses to start while an active demo account
exists.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from isa_match.io import load_listings, read_pairs
from isa_match.schema import Listing
from service import audit
from service.auth import hash_password
from service.db import Database, next_seq
from service.listing_data import fill_row
from service.models import ListingRow, Organization, User, utcnow
from service.settings import Settings, SettingsError

log = logging.getLogger(__name__)

DEMO_DOMAIN = "isa.example"
DEMO_PASSWORDS = {
    "admin": "isa-demo-admin",
    "staff": "isa-demo-staff",
    "company": "isa-demo-company",
}
DEMO_STAFF_CITY = "koeln"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A demo login, for the README and the tests."""

    email: str
    password: str
    role: str
    organization: str | None = None
    city: str | None = None


def prepare_database(database: Database, settings: Settings) -> list[DemoAccount]:
    """Create the schema; seed the sample on a fresh demo database; check production rules.

    Returns the demo accounts created now (empty when the database was not new).
    """
    database.create_schema()
    created: list[DemoAccount] = []
    with database.write_session() as db:
        empty = not db.scalar(select(func.count()).select_from(User)) and not db.scalar(
            select(func.count()).select_from(ListingRow)
        )
        if empty and settings.seed_sample:
            today = settings.reference_date or date.today()
            created = seed_sample(db, today, limit=settings.sample_limit)
            db.commit()
        if settings.mode == "production":
            demo = db.scalar(
                select(func.count()).select_from(User).where(User.is_demo, User.active)
            )
            if demo:
                raise SettingsError(
                    f"production mode refuses to start: {demo} active demo account(s) in the "
                    "database (demo data does not belong in production; use a new database)"
                )
    return created


def sample_files() -> tuple[Path, Path]:
    """The embedded sample: (listings file, labelled pairs file)."""
    from isa_match.cli import sample_paths

    return sample_paths()


def seed_sample(db: Session, today: date, *, limit: int | None = None) -> list[DemoAccount]:
    """Import the sample corpus and create the demo accounts inside ``db``'s transaction.

    Args:
        db: a write session.
        today: the reference day for the loader's plausibility warnings.
        limit: import only this many listings: the demo pair's, then those of the
            labelled pairs, then the rest in file order.
    """
    listings_file, pairs_file = sample_files()
    listings = load_listings(listings_file, today=today).listings
    pairs = read_pairs(pairs_file)
    de_side, cn_side = demo_pair(listings, pairs)
    if limit is not None:
        listings = _subset(listings, pairs, (de_side.id, cn_side.id), limit)
    seq, orgs = import_listings(db, listings)
    accounts = [
        DemoAccount(f"admin@{DEMO_DOMAIN}", DEMO_PASSWORDS["admin"], "admin"),
        DemoAccount(
            f"staff.{DEMO_STAFF_CITY}@{DEMO_DOMAIN}",
            DEMO_PASSWORDS["staff"],
            "staff",
            city=DEMO_STAFF_CITY,
        ),
        DemoAccount(
            f"staff.{cn_side.city}@{DEMO_DOMAIN}",
            DEMO_PASSWORDS["staff"],
            "staff",
            city=cn_side.city,
        ),
        DemoAccount(
            f"company.de@{DEMO_DOMAIN}",
            DEMO_PASSWORDS["company"],
            "company",
            organization=de_side.organization,
            city=de_side.city,
        ),
        DemoAccount(
            f"company.cn@{DEMO_DOMAIN}",
            DEMO_PASSWORDS["company"],
            "company",
            organization=cn_side.organization,
            city=cn_side.city,
        ),
    ]
    for account in accounts:
        org = None
        if account.organization is not None and account.city is not None:
            org = orgs[(account.organization, account.city)]
        db.add(
            User(
                email=account.email,
                password_hash=hash_password(account.password),
                role=account.role,
                organization_id=org.id if org else None,
                city=account.city if account.role == "staff" else None,
                is_demo=True,
            )
        )
    audit.record(
        db,
        None,
        "sample.import",
        "database",
        None,
        {"listings": len(listings), "organizations": len(orgs), "seq": seq},
    )
    log.info(
        "first start: imported %d sample listings of %d organisations; demo accounts: %s",
        len(listings),
        len(orgs),
        ", ".join(a.email for a in accounts),
    )
    return accounts


def import_listings(
    db: Session, listings: Sequence[Listing]
) -> tuple[int, dict[tuple[str, str], Organization]]:
    """Store ``listings`` as active rows of one change (their organisations created as
    needed); returns the change number and the organisations by (name, city)."""
    seq = next_seq(db)
    orgs: dict[tuple[str, str], Organization] = {
        (o.name, o.city): o for o in db.execute(select(Organization)).scalars()
    }
    for item in listings:
        key = (item.organization, item.city)
        if key not in orgs:
            orgs[key] = Organization(
                name=item.organization, city=item.city, org_type=item.org_type.value
            )
            db.add(orgs[key])
    db.flush()
    now = utcnow()
    for item in listings:
        row = ListingRow(
            organization_id=orgs[(item.organization, item.city)].id,
            status="active",
            version=1,
            seq=seq,
            updated_at=now,
        )
        fill_row(row, item)
        db.add(row)
    return seq, orgs


def _subset(
    listings: Sequence[Listing], pairs: Sequence[tuple[str, str]], first: Sequence[str], limit: int
) -> list[Listing]:
    order = list(first) + [i for pair in pairs for i in pair] + [x.id for x in listings]
    keep = set(list(dict.fromkeys(order))[:limit])
    return [x for x in listings if x.id in keep]


def demo_pair(
    listings: Sequence[Listing], pairs: Sequence[tuple[str, str]]
) -> tuple[Listing, Listing]:
    """(German side, Chinese side) of the first labelled pair between Köln and China.

    Falls back to the first German-Chinese pair.
    """
    by_id = {x.id: x for x in listings}
    cross: list[tuple[Listing, Listing]] = []
    for request, offer in pairs:
        a, b = by_id.get(request), by_id.get(offer)
        if a is None or b is None or a.country == b.country:
            continue
        de, cn = (a, b) if a.country.value == "DE" else (b, a)
        if de.city == DEMO_STAFF_CITY:
            return de, cn
        cross.append((de, cn))
    if not cross:
        raise ValueError("the sample has no German-Chinese pair")
    return cross[0]
