"""Load speed of isa_match.io: N listings (a few rows repeated with new ids).

Usage: python benchmarks/bench_io.py [N] [formats...]   (default 200000 parquet jsonl csv)
Prints rows/s per format, for files written by write_rows and then loaded strictly.
Descriptions are varied per row so that text normalisation and language
detection are not answered from a cache.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from isa_match.io import load_listings, write_rows

BASE: list[dict[str, object]] = [
    {
        "kind": "offer",
        "category": "service",
        "title": "CNC-Fräsen und Drehen für Aluminiumteile",
        "description": "Lohnfertigung für Aluminium und Edelstahl, zertifiziert nach ISO 9001.",
        "organization": "Müller Präzision GmbH",
        "org_type": "company",
        "city": "Köln",
        "sector": ["C25", "C28"],
        "keywords": ["CNC", "Aluminium"],
        "created_at": "2025-03-01",
        "expires_at": "2026-12-31",
        "contact_email": "info@example.de",
    },
    {
        "kind": "request",
        "category": "technology",
        "title": "寻找德国电池回收技术合作伙伴",
        "description": "我们是一家位于佛山的新能源企业，寻找德国电池回收技术。",
        "organization": "佛山新能源有限公司",
        "org_type": "company",
        "city": "佛山",
        "sector": "C27",
        "keywords": "电池; 回收",
        "created_at": "15.04.2025",
        "contact_phone": "0757-8888 6666",
    },
    {
        "kind": "offer",
        "category": "space",
        "title": "Office space in the technology centre",
        "description": "500 m2 of office space near the main station, available now.",
        "organization": "Wirtschaftsförderung Hamburg",
        "org_type": "public",
        "city": "hamburg",
        "sector": "L",
        "created_at": "2025-01-10",
    },
]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    formats = sys.argv[2:] or ["parquet", "jsonl", "csv"]
    rows = [
        {**BASE[i % 3], "id": f"L{i:07d}", "description": f"{BASE[i % 3]['description']} Nr. {i}"}
        for i in range(n)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in formats:
            path = Path(tmp) / f"bench.{fmt}"
            t0 = time.perf_counter()
            write_rows(rows, path)
            t1, c1 = time.perf_counter(), time.process_time()
            result = load_listings(path)
            t2, c2 = time.perf_counter(), time.process_time()
            assert len(result) == n, result.report(limit=5)
            print(
                f"{fmt:8s} n={n:,}: write {t1 - t0:6.1f} s, load {t2 - t1:6.1f} s "
                f"({n / (t2 - t1):,.0f} rows/s; CPU {c2 - c1:.1f} s; "
                f"{path.stat().st_size / 1e6:.0f} MB)"
            )


if __name__ == "__main__":
    main()
