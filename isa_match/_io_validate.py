"""Validation of one listing row: every field parsed, every problem reported.

Called by :func:`isa_match.io.load_listings` for each row; returns the
:class:`~isa_match.schema.Listing` or records the row's issues and returns ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from isa_match import _io_columns as C
from isa_match import _io_fields as F
from isa_match._io_result import (
    EMAIL_RE,
    PHONE_RE,
    PHONE_START,
    _Collector,
    looks_like_phone,
)
from isa_match.schema import (
    Category,
    Contact,
    Country,
    Kind,
    Language,
    Listing,
    OrgType,
)
from isa_match.text import detect_language, language_shares


def validate_row(
    fields: dict[str, object],
    headers: dict[str, str],
    file: str,
    row: int,
    out: _Collector,
    today: date,
    caches: dict[str, dict[object, Any]],
    *,
    strict_keys: bool,
) -> Listing | None:
    """Parse and check one row's fields; the Listing, or None after reporting every problem.

    Every field is parsed even after an error, so the report names all problems of the row.
    """
    problems: list[tuple[str, object, str, str]] = []
    got: dict[str, Any] = {}
    for name, parse, required, cached in _SPECS:
        value = fields.get(name)
        parsed: Any = None
        if value is not None and value != "":
            if cached:
                # Categorical fields repeat across rows: parse each distinct value once.
                memo = caches.setdefault(name, {})
                # Keyed by type too: True == 1 == 1.0 as dict keys, but not as cell text.
                key: object = value
                if type(value) is not str:
                    key = (type(value), tuple(value) if isinstance(value, list) else value)
                try:
                    parsed = memo[key]
                except KeyError:
                    parsed = _parse(parse, value)
                    if len(memo) < _MEMO_SIZE:
                        memo[key] = parsed
                except TypeError:  # unhashable (a dict in JSON): not cached
                    parsed = _parse(parse, value)
            else:
                parsed = _parse(parse, value)
            if isinstance(parsed, F.FieldError):
                problems.append((name, value, parsed.problem, parsed.fix))
                continue
        if parsed is None or parsed == "" or parsed == ():
            # In tabular files a missing required column is reported once per file.
            if required and (strict_keys or name in headers):
                problems.append((name, value, "required field is empty", f"fill in {name!r}"))
            continue
        got[name] = parsed
    listing_id: str | None = got.get("id")
    place: tuple[str, Country, str] | None = got.get("city")
    if place is not None and (note := F.city_note(fields.get("city"))) is not None:
        # One summary warning per distinct note and file, not one per row.
        notes = caches.setdefault(CITY_NOTES, {})
        notes[note] = notes.get(note, 0) + 1
    country = got.get("country")
    region = got.get("region")
    created_at: date | None = got.get("created_at")
    expires_at: date | None = got.get("expires_at")
    if created_at and expires_at and expires_at < created_at:
        problems.append(
            (
                "expires_at",
                fields["expires_at"],
                f"expires before it was created ({created_at.isoformat()})",
                "correct expires_at or created_at",
            )
        )
    if place is not None:
        city_id, city_country, city_region = place
        if country is not None and country != city_country:
            problems.append(_disagrees("country", fields["country"], city_id, city_country.value))
        if region is not None and region != city_region:
            problems.append(_disagrees("region", fields["region"], city_id, city_region))
    if listing_id is not None:
        first = out.seen_ids.setdefault(listing_id, (file, row))
        if first != (file, row):
            rejected = " (that row was rejected)" if first in out.rejected else ""
            problems.append(
                (
                    "id",
                    listing_id,
                    f"duplicate id; first used in {first[0]} row {first[1]}{rejected}",
                    "give every listing a unique id",
                )
            )
    for name, value, problem, fix in problems:
        out.add(
            file,
            row,
            problem,
            fix,
            listing_id=listing_id,
            field=name,
            value=value,
            column=headers.get(name),
        )
    for name in _PUBLIC:
        if (found := _contact_like(got.get(name))) is not None:
            out.add(
                file,
                row,
                f"looks like contact data ({found}) in a public field",
                "move it to contact_email/contact_phone (contact data is never published)",
                listing_id=listing_id,
                field=name,
                value=fields.get(name),
                severity="warning",
                column=headers.get(name),
            )
    if created_at is not None and created_at > today:
        out.add(
            file,
            row,
            f"created_at lies in the future (after {today.isoformat()})",
            "check the date for a typo",
            listing_id=listing_id,
            field="created_at",
            value=fields["created_at"],
            severity="warning",
            column=headers.get("created_at"),
        )
    if problems or any(name not in got for name in C.REQUIRED):
        return None  # every problem is reported above, or once per file (missing column)
    description: str = got.get("description", "")
    title: str = got["title"]
    text = f"{title}\n{description}" if description else title
    language: Language | None = got.get("language")
    if language is None:
        language = detect_language(text)
    elif (zh := language_shares(title)[Language.ZH]) > 0.9 or zh < 0.1:
        # Only the Han/Latin split is certain enough to question a stated language;
        # a mismatch usually means shifted columns or a copy-and-paste slip. The
        # title alone decides: it is short (fast) and names the subject.
        looks = Language.ZH if zh > 0.9 else None
        if (looks is Language.ZH) != (language is Language.ZH):
            out.add(
                file,
                row,
                f"language is {language.value!r} but the title looks "
                + ("Chinese" if looks else "German or English"),
                "check the language column (or leave it empty to detect it)",
                listing_id=listing_id,
                field="language",
                value=fields.get("language"),
                severity="warning",
                column=headers.get("language"),
            )
    contact = Contact(got.get("contact_name"), got.get("contact_email"), got.get("contact_phone"))
    return Listing(
        id=got["id"],
        kind=got["kind"],
        category=got["category"],
        title=title,
        description=description,
        language=language,
        organization=got["organization"],
        org_type=got["org_type"],
        city=got["city"][0],
        country=got["city"][1],
        region=got["city"][2],
        sector=got["sector"],
        created_at=got["created_at"],
        expires_at=expires_at,
        keywords=got.get("keywords", ()),
        contact=None if contact.is_empty() else contact,
    )


_PUBLIC = ("title", "description", "organization", "keywords")


def _contact_like(value: object) -> str | None:
    """ "an e-mail address" or "a phone number" when public text contains one."""
    if not value:
        return None
    text = " | ".join(value) if isinstance(value, tuple) else str(value)
    if "@" in text and EMAIL_RE.search(text):
        return "an e-mail address"
    if PHONE_START.search(text) and any(looks_like_phone(m[0]) for m in PHONE_RE.finditer(text)):
        return "a phone number"
    return None


def _parse(parse: Callable[[object], Any], value: object) -> Any:
    """The parsed value, or the FieldError (blank-looking values count as absent)."""
    try:
        return parse(value)
    except F.FieldError as exc:
        try:
            if not F.line(value):
                return None  # only invisible characters: absent, not wrong
        except F.FieldError:
            pass
        return exc


_MEMO_SIZE = 50_000
# (field, parser, required, parse each distinct value once per load)
CITY_NOTES = "city notes"  # key in the per-file caches: note -> number of rows

_SPECS: tuple[tuple[str, Callable[[object], Any], bool, bool], ...] = (
    ("id", F.line, True, False),
    ("kind", partial(F.parse_enum, Kind), True, True),
    ("category", partial(F.parse_enum, Category), True, True),
    ("title", F.parse_title, True, False),
    ("description", F.parse_description, False, False),
    ("language", partial(F.parse_enum, Language), False, True),
    ("organization", F.line, True, True),
    ("org_type", partial(F.parse_enum, OrgType), True, True),
    ("city", F.parse_city, True, True),
    ("country", partial(F.parse_enum, Country), False, True),
    ("region", F.parse_region, False, True),
    ("sector", F.parse_sectors, True, True),
    ("keywords", F.parse_keywords, False, True),
    ("created_at", F.parse_date, True, True),
    ("expires_at", F.parse_date, False, True),
    ("contact_name", F.line, False, False),
    ("contact_email", F.parse_email, False, False),
    ("contact_phone", F.parse_phone, False, False),
)


def _disagrees(name: str, value: object, city: str, derived: str) -> tuple[str, object, str, str]:
    return (
        name,
        value,
        f"disagrees with city {city!r}, whose {name} is {derived!r} ({name} is derived "
        "from the city)",
        f"correct the city or the {name}, or leave {name} empty",
    )
