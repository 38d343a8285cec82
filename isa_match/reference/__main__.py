"""Check the shipped reference data: ``python -m isa_match.reference [cities.json] [nace.json]``.

Loading runs every check (fields, ids, regions, alias ambiguity); this prints
what was loaded, or the first problem and exits with status 1.
"""

from __future__ import annotations

import sys

from isa_match.reference import ReferenceDataError, cities, sectors


def main(argv: list[str]) -> int:
    """Load the cities and NACE files (defaults: the shipped ones) and report counts."""
    try:
        registry = cities(argv[0] if argv else None)
        table = sectors(argv[1] if len(argv) > 1 else None)
    except ReferenceDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    de, cn = len(registry.by_country("DE")), len(registry.by_country("CN"))
    print(f"cities: {len(registry)} members ({de} DE, {cn} CN), {len(registry.regions())} regions")
    n_div = sum(1 for _ in table.divisions())
    print(f"nace: {sum(1 for _ in table.sections())} sections, {n_div} divisions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
