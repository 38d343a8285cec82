"""Bulk import of an uploaded listing file (CSV, TSV, XLSX, JSON, JSONL).

The file is validated by the core loader (:func:`isa_match.load_listings`), so
the report is the same as ``isa-match validate`` gives: file, row, field,
problem and fix for every problem. The service adds its own checks per listing:
the caller may only import listings of organisations in their scope, and an id
already used by a listing outside that scope is refused.

Modes: ``strict`` (default) imports nothing when anything is wrong; ``lenient``
imports the good rows and reports the rest. An id already in the caller's
scope updates that listing (a re-uploaded spreadsheet updates its rows).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from isa_match.io import RowIssue, load_listings
from isa_match.schema import Listing
from service import audit
from service.access import in_scope
from service.db import next_seq
from service.errors import ApiError, invalid
from service.listing_data import fill_row, issue_dict
from service.listing_service import OrgRef, Writer, ensure_org, find_org
from service.models import ListingRow, Organization, utcnow
from service.schemas import ImportReport

Mode = Literal["strict", "lenient"]
SUFFIXES = (".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".json", ".xlsx")
_CHUNK = 500


class ImportRejected(Exception):
    """A strict import found errors; nothing was imported."""

    def __init__(self, report: ImportReport) -> None:
        errors = sum(1 for i in report.issues if i.severity == "error")
        super().__init__(f"{errors} error(s) in {report.file}; nothing was imported")
        self.report = report


@dataclass(slots=True)
class _Plan:
    listings: list[Listing] = field(default_factory=list)
    refs: dict[str, OrgRef] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)


def upload_name(filename: str | None) -> str:
    """The uploaded file's base name, checked for a supported extension (422 otherwise)."""
    name = PurePath((filename or "").replace("\\", "/")).name[:200]
    lowered = name.lower()
    if not any(lowered.endswith(s) or lowered.endswith(s + ".gz") for s in SUFFIXES):
        raise invalid(
            ["body", "file"],
            f"unsupported file {name!r}: upload {', '.join(SUFFIXES)} (text formats may be .gz)",
        )
    return name


def import_file(w: Writer, filename: str | None, data: bytes, mode: Mode) -> ImportReport:
    """Validate and import one uploaded file; see the module docstring.

    Raises:
        ImportRejected: strict mode and at least one error.
        ApiError: unsupported file type (422) or a conflicting concurrent change (409).
    """
    name = upload_name(filename)
    with tempfile.TemporaryDirectory(prefix="isa-import-") as tmp:
        path = Path(tmp) / ("upload" + _suffix(name))
        path.write_bytes(data)
        try:
            result = load_listings(path, strict=False, today=w.today)
        except (ValueError, OSError) as exc:
            raise invalid(["body", "file"], f"{name}: {exc}") from None
    rows_read = result.rows_read
    with w.database.session() as db:
        plan = _plan(db, w, result.listings)
    issues = [*result.issues, *plan.issues]
    errors = any(i.severity == "error" for i in issues)
    if errors and mode == "strict":
        raise ImportRejected(_report(name, mode, rows_read, 0, 0, issues))
    if not plan.listings:
        return _report(name, mode, rows_read, 0, 0, issues)
    vectors = w.engine.encode(plan.listings)
    created = updated = 0
    with w.engine.writing(), w.database.write_session() as db:
        again = _plan(db, w, plan.listings)
        if len(again.listings) != len(plan.listings):
            raise ApiError(409, "listings changed while importing; upload the file again")
        seq = next_seq(db)
        existing = _existing(db, [x.id for x in plan.listings])
        for listing in plan.listings:
            org = ensure_org(db, again.refs[listing.id])
            row = existing.get(listing.id)
            if row is None:
                row = ListingRow(id=listing.id, version=1)
                db.add(row)
                created += 1
            else:
                row.version += 1
                updated += 1
            fill_row(row, listing)
            row.organization_id = org.id
            row.status = "active"
            row.seq = seq
            row.updated_at = utcnow()
            row.updated_by = w.user.id
        audit.record(
            db,
            w.user.id,
            "listing.import",
            "file",
            name,
            {"seq": seq, "mode": mode, "created": created, "updated": updated, "rows": rows_read},
        )
        db.commit()
        w.engine.apply(seq, plan.listings, vectors=vectors)
    return _report(name, mode, rows_read, created, updated, issues)


def _suffix(name: str) -> str:
    lowered = name.lower()
    for suffix in SUFFIXES:
        for full in (suffix + ".gz", suffix):
            if lowered.endswith(full):
                return full
    return ""


def _existing(db: Session, ids: Sequence[str]) -> dict[str, ListingRow]:
    found: dict[str, ListingRow] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        rows = db.execute(select(ListingRow).where(ListingRow.id.in_(chunk))).scalars()
        found.update((r.id, r) for r in rows)
    return found


def _plan(db: Session, w: Writer, listings: Sequence[Listing]) -> _Plan:
    """The listings the caller may import, their organisations, and issues for the rest."""
    plan = _Plan()
    user = w.user
    own = db.get(Organization, user.organization_id) if user.organization_id else None
    existing = _existing(db, [x.id for x in listings])
    orgs: dict[tuple[str, str], Organization | None] = {}
    for item in listings:
        problem = _scope_problem(user.role, user.city, own, item)
        if problem is not None:
            plan.issues.append(_issue(item, *problem))
            continue
        key = (item.organization, item.city)
        if key not in orgs:
            orgs[key] = find_org(db, *key)
        org = orgs[key]
        if org is not None and org.org_type != item.org_type.value:
            plan.issues.append(
                _issue(
                    item,
                    "org_type",
                    f"{org.name!r} is registered as {org.org_type!r}",
                    f"write {org.org_type!r}",
                )
            )
            continue
        row = existing.get(item.id)
        if row is not None and (
            org is None or row.organization_id != org.id or not in_scope(user, row)
        ):
            plan.issues.append(
                _issue(
                    item,
                    "id",
                    "this id belongs to another organisation's listing",
                    "give the listing another id",
                )
            )
            continue
        ref = (
            OrgRef(org.name, org.city, org.org_type, org.id)
            if org is not None
            else OrgRef(item.organization, item.city, item.org_type.value)
        )
        plan.refs[item.id] = ref
        plan.listings.append(item)
    return plan


def _scope_problem(
    role: str, city: str | None, own: Organization | None, item: Listing
) -> tuple[str, str, str] | None:
    if role == "company":
        assert own is not None
        if item.organization != own.name:
            return (
                "organization",
                f"you may import listings of your organisation ({own.name!r}) only",
                f"write {own.name!r}",
            )
        if item.city != own.city:
            return "city", f"your organisation is in {own.city!r}", f"write {own.city!r}"
    elif role == "staff" and item.city != city:
        return "city", f"staff import listings of {city!r} only", f"write {city!r}"
    return None


def _issue(item: Listing, field_name: str, problem: str, fix: str) -> RowIssue:
    # The loader does not hand back row numbers per listing: the id names the row.
    return RowIssue("", None, item.id, field_name, None, problem, fix)


def _report(
    name: str, mode: Mode, rows_read: int, created: int, updated: int, issues: list[RowIssue]
) -> ImportReport:
    imported = created + updated
    return ImportReport.model_validate(
        {
            "file": name,
            "mode": mode,
            "rows_read": rows_read,
            "imported": imported,
            "created": created,
            "updated": updated,
            "rejected": rows_read - imported,
            "issues": [issue_dict(i, name) for i in issues],
        }
    )
