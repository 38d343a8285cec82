"""Parsing and checking ``cities.json`` into :class:`City` and :class:`Region` records."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from isa_match.reference._load import Source
from isa_match.reference._records import City, Region
from isa_match.schema import Country

_CITY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REGION_CODE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_NAMES = ("name_de", "name_zh", "name_en")
_CITY_FIELDS = ("id", "country", "region", *_NAMES)
_CITY_OPTIONAL = ("aliases", "members", "member_aliases", "parent_aliases", "note")
_REGION_FIELDS = ("code", "country", *_NAMES)


def _country(src: Source, record: dict[str, Any], where: str) -> Country:
    value = src.text(record, "country", where)
    try:
        return Country(value)
    except ValueError:
        choices = ", ".join(c.value for c in Country)
        src.fail(where, f"country {value!r} is not one of {choices}")


def _regions(src: Source) -> tuple[Region, ...]:
    out: dict[str, Region] = {}
    for i, rec in enumerate(src.records("regions")):
        where = src.where("regions", i, rec, "code")
        src.check_fields(rec, where, _REGION_FIELDS, ("aliases",))
        code = src.text(rec, "code", where)
        if not _REGION_CODE.match(code):
            src.fail(where, "code must be an ISO 3166-2 code such as 'DE-NW' or 'CN-GD'")
        if code in out:
            src.fail(where, f"duplicate region code {code!r}")
        country = _country(src, rec, where)
        if not code.startswith(f"{country.value}-"):
            src.fail(where, f"country {country.value!r} does not match the code's prefix")
        out[code] = Region(
            code=code,
            country=country,
            name_de=src.text(rec, "name_de", where),
            name_zh=src.text(rec, "name_zh", where),
            name_en=src.text(rec, "name_en", where),
            aliases=src.texts(rec, "aliases", where),
        )
    return tuple(out.values())


def _cities(src: Source, regions: dict[str, Region]) -> tuple[City, ...]:
    out: dict[str, City] = {}
    for i, rec in enumerate(src.records("cities")):
        where = src.where("cities", i, rec, "id")
        src.check_fields(rec, where, _CITY_FIELDS, _CITY_OPTIONAL)
        city_id = src.text(rec, "id", where)
        if not _CITY_ID.match(city_id):
            src.fail(where, "id must be lowercase ASCII words joined by '-' (e.g. 'kreis-dueren')")
        if city_id in out:
            src.fail(where, f"duplicate city id {city_id!r}")
        country = _country(src, rec, where)
        code = src.text(rec, "region", where)
        region = regions.get(code)
        if region is None:
            src.fail(where, f"region {code!r} is not in the regions list")
        if region.country is not country:
            src.fail(
                where,
                f"country {country.value!r} does not match its region {code} "
                f"(country {region.country.value!r})",
            )
        note = rec.get("note", "")
        if not isinstance(note, str):
            src.fail(where, f"field 'note' must be a string, got {note!r}")
        out[city_id] = City(
            id=city_id,
            country=country,
            region=code,
            name_de=src.text(rec, "name_de", where),
            name_zh=src.text(rec, "name_zh", where),
            name_en=src.text(rec, "name_en", where),
            aliases=src.texts(rec, "aliases", where),
            members=src.texts(rec, "members", where),
            note=note.strip(),
            member_aliases=src.texts(rec, "member_aliases", where),
            parent_aliases=src.texts(rec, "parent_aliases", where),
        )
    return tuple(out.values())


def parse_cities(path: str | Path) -> tuple[Source, tuple[City, ...], tuple[Region, ...]]:
    """Read ``path`` and return its source, cities and regions, all checked field by field.

    Alias ambiguity is checked afterwards by the registry's lookup tables.
    """
    src = Source(path)
    regions = _regions(src)
    cities = _cities(src, {r.code: r for r in regions})
    return src, cities, regions
