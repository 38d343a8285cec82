"""Reading and checking the reference JSON files.

Every problem is reported as a :class:`ReferenceDataError` that names the file,
the record and the field, so a broken data change fails loudly at load time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

from isa_match.schema import Language

SUPPORTED_FORMAT_VERSIONS = frozenset({1})


class ReferenceDataError(ValueError):
    """A reference data file is missing, unreadable or inconsistent."""


def as_language(lang: Language | str) -> Language:
    """``lang`` as a :class:`Language`; accepts ``"de"``, ``"ZH"``, ``Language.EN``."""
    try:
        return Language(str(lang).strip().lower())
    except ValueError:
        choices = ", ".join(item.value for item in Language)
        raise ValueError(f"unknown language {lang!r}; expected one of {choices}") from None


class Source:
    """One JSON document with its path, for error messages that say where."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ReferenceDataError(f"{self.path}: cannot read reference data: {exc}") from exc
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReferenceDataError(
                f"{self.path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from exc
        if not isinstance(doc, dict):
            self.fail("the top level", "must be a JSON object")
        self.doc: dict[str, Any] = doc
        version = doc.get("format_version")
        if version not in SUPPORTED_FORMAT_VERSIONS:
            supported = ", ".join(str(v) for v in sorted(SUPPORTED_FORMAT_VERSIONS))
            self.fail("format_version", f"is {version!r}; this version reads {supported}")

    def fail(self, where: str, problem: str) -> NoReturn:
        """Raise a :class:`ReferenceDataError` for ``where`` in this file."""
        raise ReferenceDataError(f"{self.path}: {where}: {problem}")

    def records(self, field: str) -> list[dict[str, Any]]:
        """The list of objects under top-level ``field``."""
        items = self.doc.get(field)
        if not isinstance(items, list):
            self.fail(field, "missing or not a list")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                self.fail(f"{field}[{i}]", "must be a JSON object")
        return items

    @staticmethod
    def where(field: str, index: int, record: dict[str, Any], key: str) -> str:
        """A record's location for messages: ``cities[3] (id 'koeln')``."""
        value = record.get(key)
        named = f" ({key} {value!r})" if isinstance(value, str) and value.strip() else ""
        return f"{field}[{index}]{named}"

    def check_fields(
        self, record: dict[str, Any], where: str, required: Iterable[str], optional: Iterable[str]
    ) -> None:
        """Fail on a missing required field or an unknown field (a likely typo)."""
        required = tuple(required)
        for name in required:
            if name not in record:
                self.fail(where, f"missing field {name!r}")
        unknown = sorted(set(record) - set(required) - set(optional))
        if unknown:
            self.fail(where, f"unknown field(s) {', '.join(map(repr, unknown))}")

    def text(self, record: dict[str, Any], field: str, where: str) -> str:
        """A required non-empty string field, stripped."""
        value = record.get(field)
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"field {field!r} must be a non-empty string, got {value!r}")
        return value.strip()

    def texts(self, record: dict[str, Any], field: str, where: str) -> tuple[str, ...]:
        """An optional list of non-empty strings (missing means empty)."""
        values = record.get(field, [])
        if not isinstance(values, list):
            self.fail(where, f"field {field!r} must be a list of strings, got {values!r}")
        out: list[str] = []
        for value in values:
            if not isinstance(value, str) or not value.strip():
                self.fail(where, f"field {field!r} holds {value!r}, not a non-empty string")
            out.append(value.strip())
        return tuple(out)
