"""Staff decisions on suggested pairs: the training labels of the learned ranker.

One reader serves the service's export (``GET /api/v1/matchlists/decisions``:
a JSON page ``{"items": [...], "total": ..., ...}``), the same items as JSON
Lines (one decision object a line) or a JSON array, and CSV/TSV/XLSX sheets
(as a spreadsheet edit of the export would be). Each decision names the pair
(``listing_id``: the listing whose match list it was, ``suggested_id``), its
``status`` (``approve`` or ``reject``) and, when the engine suggested the pair,
the ranking ``components`` at decision time. In flat files the components
are either one ``components`` column holding the JSON object or one column
per component (``components.dense`` or just ``dense``).

Every problem names file, row, field and value; nothing is dropped silently.
When a pair was decided more than once, the last row in the file (the export
is oldest first) is its decision; :class:`DecisionSet` counts the others.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from isa_match._io_formats import FileProblem, RowProblem, read_raw
from isa_match.rank.tune import FEATURES

Status = Literal["approve", "reject"]
SOURCES = ("suggested", "duplicate", "manual")
_STATUS = {"approve": "approve", "approved": "approve", "reject": "reject", "rejected": "reject"}
MAX_REPORTED = 20
"""At most this many problems are listed in one :class:`DecisionsError` message."""


class DecisionsError(ValueError):
    """A decisions file cannot be read or holds invalid rows (message names each problem)."""

    def __init__(self, path: str, problems: Sequence[str]) -> None:
        shown = list(problems[:MAX_REPORTED])
        more = len(problems) - len(shown)
        tail = [f"... and {more} more problem(s)"] if more > 0 else []
        lines = "\n".join(f"  {p}" for p in [*shown, *tail])
        super().__init__(f"{path}: {len(problems)} problem(s)\n{lines}")
        self.path = path
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Decision:
    """One staff decision on a pair.

    Attributes:
        listing_id: the listing whose match list showed the pair (the query).
        suggested_id: the suggested (or manually found) partner.
        status: ``"approve"`` or ``"reject"``.
        components: the ranking components at decision time, or ``None`` for a
            pair the engine did not suggest (``source="manual"``).
        source: ``suggested``, ``duplicate`` (a collapsed near duplicate) or ``manual``.
        rank: 1-based position among the suggestions, if suggested.
        score: the ranker's score at decision time, if suggested.
        where: file and row, for messages (``"export.jsonl, line 4"``).
    """

    listing_id: str
    suggested_id: str
    status: Status
    components: Mapping[str, float] | None = None
    source: str = "suggested"
    rank: int | None = None
    score: float | None = None
    where: str = ""

    @property
    def approved(self) -> bool:
        """True for an approval."""
        return self.status == "approve"


@dataclass(frozen=True, slots=True)
class DecisionSet:
    """The current decision of every pair of a file, in file order."""

    decisions: tuple[Decision, ...]
    rows: int
    superseded: int = 0
    sources: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        """Counts for reports and model metadata."""
        approved = sum(1 for d in self.decisions if d.approved)
        return {
            "rows": self.rows,
            "superseded": self.superseded,
            "decisions": len(self.decisions),
            "approved": approved,
            "rejected": len(self.decisions) - approved,
            "queries": len({d.listing_id for d in self.decisions}),
            **{f"source_{k}": v for k, v in sorted(self.sources.items())},
        }


PathLike = str | os.PathLike[str]


def read_decisions(paths: PathLike | Sequence[PathLike]) -> DecisionSet:
    """Read one decisions file or several (e.g. export pages, oldest first).

    See the module docstring for the formats. Files are read in the order
    given; the last decision on a pair wins.

    Raises:
        DecisionsError: a file cannot be read, or some rows are invalid (all
            problems are listed, each with its file, row and field).
    """
    files = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    name = ", ".join(os.fspath(p) for p in files)
    problems: list[str] = []
    found: list[Decision] = []
    rows = 0
    for path in files:
        try:
            for where, cells in _raw_rows(Path(path)):
                rows += 1
                if isinstance(cells, RowProblem):
                    fix = f" ({cells.fix})" if cells.fix else ""
                    problems.append(f"{where}: {cells.problem}{fix}")
                    continue
                decision, issues = parse_decision(cells, where)
                problems.extend(issues)
                if decision is not None:
                    found.append(decision)
        except FileProblem as exc:
            problems.append(f"{os.fspath(path)}: {exc.problem} ({exc.fix})")
    if problems:
        raise DecisionsError(name, problems)
    if not found:
        raise DecisionsError(name, ["holds no decisions"])
    latest: dict[tuple[str, str], Decision] = {}
    for d in found:
        latest.pop((d.listing_id, d.suggested_id), None)  # re-insert: keeps the order of last
        latest[(d.listing_id, d.suggested_id)] = d
    sources: dict[str, int] = {}
    for d in latest.values():
        sources[d.source] = sources.get(d.source, 0) + 1
    return DecisionSet(tuple(latest.values()), rows, len(found) - len(latest), sources)


def _raw_rows(path: Path) -> Iterator[tuple[str, Mapping[str, object] | RowProblem]]:
    """(row description, cells) of every row; ``.json`` is read here, the rest by io."""
    label = path.name
    if [s.lower() for s in path.suffixes[-1:]] == [".json"] and path.is_file():
        for pos, item in enumerate(_json_items(path), start=1):
            if isinstance(item, Mapping):
                yield f"{label}, item {pos}", item
            else:
                yield (
                    f"{label}, item {pos}",
                    RowProblem(f"expected a decision object, got {type(item).__name__}", ""),
                )
        return
    raw = read_raw(path)
    unit = "line" if raw.columns is None else "row"
    for number, cells in raw.rows:
        yield f"{label}, {unit} {number}", cells


def _json_items(path: Path) -> list[object]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FileProblem(f"not UTF-8 text: {exc.reason}", "save the file as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise FileProblem(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            "fix the JSON syntax, or use .jsonl with one decision object per line",
        ) from None
    except OSError as exc:
        raise FileProblem(f"cannot read file: {exc}", "check the path") from None
    if isinstance(doc, dict) and isinstance(doc.get("items"), list):
        return list(doc["items"])
    if isinstance(doc, list):
        return doc
    raise FileProblem(
        'expected the export page {"items": [...]} or a JSON array of decisions',
        "save the service's export as it came, or one decision object per line as .jsonl",
    )


def _text(cells: Mapping[str, object], key: str) -> object:
    value = cells.get(key)
    return value.strip() if isinstance(value, str) else value


def parse_decision(cells: Mapping[str, object], where: str) -> tuple[Decision | None, list[str]]:
    """One decision from a row's cells, or the row's problems (each naming the field)."""
    problems: list[str] = []

    def bad(name: str, value: object, problem: str) -> None:
        problems.append(f"{where}, field {name!r}: {problem} (got {_show(value)})")

    ids: list[str] = []
    for key in ("listing_id", "suggested_id"):
        value = _text(cells, key)
        if value is None or value == "":
            bad(key, value, "missing; every decision names its pair")
        elif not isinstance(value, str | int) or isinstance(value, bool):
            bad(key, value, "must be a listing id (text)")
        else:
            ids.append(str(value))
    if len(ids) == 2 and ids[0] == ids[1]:
        bad("suggested_id", ids[1], "is the listing itself")
    raw_status = _text(cells, "status")
    status = _STATUS.get(raw_status.lower()) if isinstance(raw_status, str) else None
    if status is None:
        bad("status", raw_status, "must be 'approve' or 'reject'")
    components = _components(cells, bad)
    source = _text(cells, "source")
    if source in (None, ""):
        source = "manual" if components is None else "suggested"
    elif source not in SOURCES:
        bad("source", source, f"must be one of {', '.join(SOURCES)}")
    rank = _optional_number(cells, "rank", bad, integer=True)
    score = _optional_number(cells, "score", bad, integer=False)
    if problems or status is None:
        return None, problems
    return (
        Decision(
            ids[0],
            ids[1],
            "approve" if status == "approve" else "reject",
            components,
            str(source),
            None if rank is None else int(rank),
            score,
            where,
        ),
        [],
    )


def _components(cells: Mapping[str, object], bad: Any) -> dict[str, float] | None:
    """The components of a row: a ``components`` object (or JSON text) or flat columns."""
    raw = cells.get("components")
    if isinstance(raw, str) and raw.strip():
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            bad("components", raw, f"not a JSON object: {exc.msg}")
            return None
    column = {name: f"components.{name}" for name in FEATURES}  # field names in messages
    if raw is None or raw == "":
        flat = {}
        for name in FEATURES:
            for key in (f"components.{name}", name):
                if key in cells and cells[key] not in (None, ""):
                    flat[name] = cells[key]
                    break
        if not flat:
            return None
        if not any(key.startswith("components.") for key in cells):
            column = {name: name for name in FEATURES}  # one bare column per component
        raw = flat
    if not isinstance(raw, Mapping):
        bad("components", raw, "must be an object of component values")
        return None
    unknown = sorted(set(raw) - set(FEATURES))
    if unknown:
        bad("components", ", ".join(unknown), f"unknown component(s); known: {', '.join(FEATURES)}")
    out: dict[str, float] = {}
    for name in FEATURES:
        value = raw.get(name)
        number = _number(value)
        if value is None or value == "":
            bad(column[name], value, "missing (every component is needed)")
        elif number is None or not math.isfinite(number):
            bad(column[name], value, "must be a number")
        elif not -1e-9 <= number <= 1 + 1e-9:
            bad(column[name], value, "components lie in [0, 1]")
        else:
            out[name] = number
    return out if len(out) == len(FEATURES) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ".")) if value.strip() else None
        except ValueError:
            return None
    return None


def _optional_number(
    cells: Mapping[str, object], key: str, bad: Any, *, integer: bool
) -> float | None:
    value = cells.get(key)
    if value is None or value == "":
        return None
    number = _number(value)
    if number is None or not math.isfinite(number):
        bad(key, value, "must be a number")
        return None
    if integer and (number != int(number) or number < 1):
        bad(key, value, "must be a whole number >= 1")
        return None
    return number


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def decision_record(d: Decision, number: int, **extra: object) -> dict[str, object]:
    """A decision in the service's export layout (``DecisionOut``)."""
    record: dict[str, object] = {
        "id": number,
        "listing_id": d.listing_id,
        "suggested_id": d.suggested_id,
        "status": d.status,
        "reason": None,
        "note": None,
        "user_id": 0,
        "user_email": None,
        "at": None,
        "source": d.source,
        "rank": d.rank,
        "score": d.score,
        "components": None if d.components is None else dict(d.components),
        "latest": True,
    }
    record.update(extra)
    return record


def write_decisions(records: Iterable[Mapping[str, object]], path: str | os.PathLike[str]) -> int:
    """Write export-layout records: ``.json`` as one export page, ``.jsonl``, or ``.csv``.

    CSV gets one column per component (``components.dense`` ...). Written
    atomically; returns the number of records.
    """
    from isa_match._io_write import write_raw

    target = Path(path)
    items = [dict(r) for r in records]
    if target.suffix.lower() == ".json":
        page = {"items": items, "total": len(items), "page": 1, "page_size": max(len(items), 1)}
        _write_json(page, target)
        return len(items)
    if target.suffix.lower() in (".csv", ".tsv", ".xlsx"):
        flat = []
        for item in items:
            comps = item.pop("components", None)
            row = dict(item)
            for name in FEATURES:
                row[f"components.{name}"] = None if comps is None else comps[name]  # type: ignore[index]
            flat.append(row)
        items = flat
    return write_raw(items, target)


def _write_json(obj: object, path: Path) -> None:
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)
