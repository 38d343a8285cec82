"""ISA reference data: member cities, regions and the NACE Rev. 2 sector table.

Nothing is read at import time; :func:`cities` and :func:`sectors` load the
shipped JSON files on first call and cache them.
"""

from isa_match.reference._keys import normalize_key
from isa_match.reference._load import ReferenceDataError
from isa_match.reference.cities import (
    City,
    CityRegistry,
    Region,
    UnknownCityError,
    UnknownRegionError,
    cities,
    load_cities,
)
from isa_match.reference.sectors import (
    NaceDivision,
    NaceSection,
    SectorTable,
    UnknownSectorError,
    load_sectors,
    sectors,
)

__all__ = [
    "City",
    "CityRegistry",
    "NaceDivision",
    "NaceSection",
    "ReferenceDataError",
    "Region",
    "SectorTable",
    "UnknownCityError",
    "UnknownRegionError",
    "UnknownSectorError",
    "cities",
    "load_cities",
    "load_sectors",
    "normalize_key",
    "sectors",
]
