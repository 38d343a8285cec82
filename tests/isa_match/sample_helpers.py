"""Constants shared by the tests (imported as ``sample_helpers``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
TODAY = date(2026, 11, 1)
